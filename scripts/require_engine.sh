#!/usr/bin/env bash
# Stop at once, with what to install, when no container engine can run the stack.
set -euo pipefail

missing() {
    cat >&2 <<MESSAGE
The stack needs a container engine with Docker Compose v2: $1.
Install Docker Engine (Linux) or Docker Desktop (macOS, Windows), then run this again:
  https://docs.docker.com/engine/install/
No engine here? \`make backtest\` replays the whole pipeline on an embedded PostgreSQL instead.
MESSAGE
    exit 1
}

# COMPOSE as in the Makefile: another engine's compose command is checked by running it.
read -ra compose <<<"${COMPOSE:-docker compose}"
if [[ "${compose[*]}" != "docker compose" ]]; then
    "${compose[@]}" version >/dev/null 2>&1 || missing "COMPOSE=\"${compose[*]}\" does not run"
    exit 0
fi
command -v docker >/dev/null 2>&1 || missing "the docker command is not installed"
docker info >/dev/null 2>&1 || missing "docker is installed but no engine answers (is it running?)"
docker compose version >/dev/null 2>&1 || missing "the compose plugin (docker compose) is missing"
