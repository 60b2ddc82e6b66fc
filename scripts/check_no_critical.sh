#!/usr/bin/env bash
# `make check-no-critical`: on a stack that runs with FRAUD_RATE=0, no account may turn critical.
# Checks every 10 s for CHECK_SECONDS (default 120); exit 1 at the first critical account.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
"$here/require_engine.sh"
read -ra compose <<<"${COMPOSE:-docker compose}"
query="select count(*) from mv_account_risk_score_realtime where risk_level = 'critical'"

for second in $(seq 10 10 "${CHECK_SECONDS:-120}"); do
    sleep 10
    critical="$("${compose[@]}" run --rm --no-deps -T --entrypoint psql dbt \
        --no-psqlrc --tuples-only --no-align --host risingwave --port 4566 \
        --username root --dbname dev --command "$query")"
    echo "after ${second} s: ${critical} critical accounts"
    if [[ "$critical" != "0" ]]; then exit 1; fi
done
