#!/usr/bin/env bash
# `make validate`: is the running stack doing its job? One PASS/FAIL line per check; exit 1 if
# any check fails. Needs the stack started by `make up` (and a few minutes of traffic).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.." || exit 1
"$here/require_engine.sh" || exit 1

# shellcheck disable=SC1091
[[ -f .env ]] && set -a && source .env && set +a
# The compose command, as the Makefile's COMPOSE (e.g. COMPOSE="podman compose").
read -ra compose <<<"${COMPOSE:-docker compose}"
failures=0

check() { # check <description> <command...>: PASS when the command succeeds
    local description="$1"
    shift
    local detail
    if detail="$("$@" 2>&1)"; then
        echo "PASS  $description${detail:+ ($detail)}"
    else
        echo "FAIL  $description${detail:+ ($detail)}"
        failures=$((failures + 1))
    fi
}

sql() { # sql <query>: one value, via the psql of the dbt image (the host needs no psql)
    "${compose[@]}" run --rm --no-deps -T --entrypoint psql dbt \
        --no-psqlrc --quiet --tuples-only --no-align \
        --host risingwave --port 4566 --username root --dbname dev --command "$1"
}

topic_has_messages() { # the sum of the partitions' high watermarks (column found by name)
    local count
    count="$("${compose[@]}" exec -T redpanda rpk topic describe "$1" --print-partitions \
        | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "HIGH-WATERMARK") column = i; next }
               column { total += $column }
               END { if (!column) { print "no HIGH-WATERMARK column"; exit 1 } print total + 0 }')" \
        || { echo "$count"; return 1; }
    echo "$count messages"
    ((count > 0))
}

view_has_rows() {
    local count
    count="$(sql "select count(*) from $1")" || { echo "query failed: $count"; return 1; }
    echo "$count rows"
    ((count > 0))
}

grafana_datasource_healthy() {
    local port="${GRAFANA_PORT:-3000}" response
    response="$(curl --silent --show-error --max-time 10 \
        --user "${GRAFANA_ADMIN_USER:-admin}:${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env}" \
        "http://127.0.0.1:$port/api/datasources/uid/risingwave/health")" || return 1
    echo "$response"
    [[ "$response" == *'"status":"OK"'* ]]
}

console_healthy() { # the console has no container healthcheck (its image may lack wget/curl)
    curl --silent --show-error --fail --max-time 10 --output /dev/null \
        "http://127.0.0.1:${CONSOLE_PORT:-8080}/admin/health"
}

for topic in transactions logins card_events alerts kyc_profiles fraud_labels; do
    check "topic $topic is populated" topic_has_messages "$topic"
done
for view in mv_fraud_kpis_1min mv_signals_per_minute mv_account_risk_score_realtime \
    mv_flagged_transactions mv_merchant_risk mv_channel_risk mv_events_per_minute \
    mv_topic_freshness mv_detection_quality_by_signal; do
    check "view $view is not empty" view_has_rows "$view"
done
check "open fraud cases exist" view_has_rows mv_open_fraud_cases
check "Grafana's RisingWave datasource is healthy" grafana_datasource_healthy
# The console is opt-in (compose profile `console`): checked only when it was asked for.
if [[ ",${COMPOSE_PROFILES:-}," == *",console,"* ]]; then
    check "Redpanda Console answers" console_healthy
fi

if ((failures > 0)); then
    echo "validate: $failures check(s) failed"
    exit 1
fi
echo "validate: all checks passed"
