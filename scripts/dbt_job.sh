#!/usr/bin/env bash
# The stack's dbt job: wait until RisingWave accepts SQL, build every view with the active rule
# set (rules/active), then (re)create Grafana's SELECT-only user and the case service's user
# (SELECT, and INSERT on case_decisions only) and the decision service's user (SELECT only) and
# grant them the views, and set root's password.
# Safe to re-run: dbt skips views that exist (pass DBT_RUN_ARGS="--full-refresh --select model+"
# to rebuild some), grants are idempotent.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="${DBT_PROJECT_DIR:-$here/../fraud_detection}"

export PGHOST="${RW_HOST:-localhost}" PGPORT="${RW_PORT:-4566}"
export PGUSER="${RW_USER:-root}" PGDATABASE="${RW_DATABASE:-dev}"
export PGPASSWORD="${RW_PASSWORD:-}" PGCONNECT_TIMEOUT=3
reader="${GRAFANA_DB_USER:-grafana_reader}"
password="${GRAFANA_DB_PASSWORD:-}"
case_user="${CASE_SERVICE_DB_USER:-case_service}"
case_password="${CASE_SERVICE_DB_PASSWORD:-}"
decision_user="${DECISION_SERVICE_DB_USER:-decision_service}"
decision_password="${DECISION_SERVICE_DB_PASSWORD:-}"
root_password="${RW_PASSWORD:-}"
wait_seconds="${SQL_WAIT_SECONDS:-180}"

fail() { echo "dbt job: $1" >&2; exit "${2:-1}"; }

[[ "$reader" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] \
    || fail "GRAFANA_DB_USER: must be a lower-case SQL name ([a-z_][a-z0-9_]*), got '$reader'" 2
[[ -n "$password" ]] || fail "GRAFANA_DB_PASSWORD: must not be empty" 2
[[ "$case_user" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] \
    || fail "CASE_SERVICE_DB_USER: must be a lower-case SQL name ([a-z_][a-z0-9_]*), got '$case_user'" 2
[[ -n "$case_password" ]] || fail "CASE_SERVICE_DB_PASSWORD: must not be empty" 2
[[ "$decision_user" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] \
    || fail "DECISION_SERVICE_DB_USER: must be a lower-case SQL name ([a-z_][a-z0-9_]*), got '$decision_user'" 2
[[ -n "$decision_password" ]] || fail "DECISION_SERVICE_DB_PASSWORD: must not be empty" 2
[[ -n "$root_password" ]] || fail "RISINGWAVE_ROOT_PASSWORD: must not be empty" 2
[[ "$wait_seconds" =~ ^[0-9]+$ ]] \
    || fail "SQL_WAIT_SECONDS: must be a whole number of seconds, got '$wait_seconds'" 2

# An open port is not enough: RisingWave's frontend answers before it can run DDL.
deadline=$((SECONDS + wait_seconds))
until psql --quiet --no-psqlrc --tuples-only --command 'select 1' >/dev/null 2>&1; do
    ((SECONDS < deadline)) \
        || fail "no SQL answer from $PGHOST:$PGPORT within ${wait_seconds}s (is RisingWave up?)"
    sleep 2
done
echo "dbt job: $PGHOST:$PGPORT accepts SQL"

# The rule vars come from the active rule set (rules/active names it; docs/rules.md).
if ! rule_vars="$(cd "$here/.." && python3 -m rules.vars 2>&1)"; then
    fail "$rule_vars" 2
fi
echo "dbt job: rule set $(cat "$here/../rules/active")"

# DBT_RUN_ARGS is split on purpose: it carries several dbt flags.
# shellcheck disable=SC2086
(cd "$project" && dbt run --target risingwave --vars "$rule_vars" ${DBT_RUN_ARGS:-})

psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 \
    -v reader="$reader" -v password="$password" -v database="$PGDATABASE" \
    --file "$here/grant_reader.sql"
psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 \
    -v service_user="$case_user" -v password="$case_password" -v database="$PGDATABASE" \
    --file "$here/grant_case_service.sql"
# The decision service only reads: the same grants as Grafana's reader, as its own user.
psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 \
    -v reader="$decision_user" -v password="$decision_password" -v database="$PGDATABASE" \
    --file "$here/grant_reader.sql"
# Last: root (which dbt and this job connect as) gets the password from .env; until now it had
# none (RisingWave's default), later runs present it.
# shellcheck disable=SC2016 # :'password' is psql's quoting, expanded by psql from stdin
echo "alter user root with password :'password';" \
    | psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 -v password="$root_password" --file -
echo "dbt job: views built, '$reader' and '$decision_user' may read them, '$case_user' may read them and add decisions"
