#!/usr/bin/env bash
# `make set-env SET="NAME=value ..."`: write settings into .env, replacing earlier lines of the
# same names (comments and other settings are kept). The stack reads .env at its next start.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
file="${ENV_FILE:-$here/../.env}"
touch "$file"
for setting in "$@"; do
    name="${setting%%=*}"
    [[ "$setting" == *=* && "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] \
        || { echo "set-env: expected NAME=value, got '$setting'" >&2; exit 2; }
    kept="$(grep -v "^${name}=" "$file" || true)"
    printf '%s\n%s\n' "$kept" "$setting" | sed '/./,$!d' >"$file"
    echo "set-env: $name in $file"
done
