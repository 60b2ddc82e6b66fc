"""The dbt project compiled for RisingWave (no server) obeys RisingWave's creation-time rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlglot import exp

from offline.schema import DBT_PROJECT_DIR
from producers.models import EVENT_TYPES, LABEL_TYPES
from rules import store
from tests.detection.risingwave_rules import check, parse, sink_into
from tests.support.dbt_compile import compile_risingwave

# Models whose compiled SQL is a complete statement; every other model is a view body.
RAW_STATEMENT_FOLDERS = {"sources": "SOURCE", "sinks": "SINK"}
# An unusual threshold, to see the env var reach the compiled SQL.
STRUCTURING_THRESHOLD = "12345"


def _compiled(target: Path, variables: dict[str, object] | None = None) -> dict[Path, str]:
    compile_risingwave(
        target, env={"STRUCTURING_THRESHOLD": STRUCTURING_THRESHOLD}, variables=variables
    )
    root = target / "compiled" / "fraud_detection" / "models"
    statements = {}
    for path in sorted(root.rglob("*.sql")):
        relative = path.relative_to(root)
        if len(relative.parts) != 2:  # a data test (models/<folder>/<file>.yml/<test>.sql): batch
            continue
        sql = path.read_text()
        if relative.parts[0] not in RAW_STATEMENT_FOLDERS:
            # What dbt-risingwave's materialized_view materialization wraps the body in.
            sql = f'create materialized view if not exists "dev"."public"."{path.stem}" as\n{sql}'
        statements[relative] = sql
    return statements


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str]:
    """Model path (relative to models/) -> the statement RisingWave would receive."""
    return _compiled(tmp_path_factory.mktemp("rw-compile"))


@pytest.fixture(scope="module")
def compiled_v3(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str]:
    """The signal models under rule set v3, whose extra detection paths v1 leaves out."""
    variables = store.dbt_vars(store.load("v3"), env={})
    statements = _compiled(tmp_path_factory.mktemp("rw-compile-v3"), variables)
    return {path: sql for path, sql in statements.items() if path.parts[0] == "signals"}


def test_every_model_compiles_for_risingwave(compiled: dict[Path, str]) -> None:
    # models/shadow is built only by a shadow run (tests/rules/test_shadow_sql.py checks it).
    models = {
        path.relative_to(DBT_PROJECT_DIR / "models")
        for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")
        if path.parent.name != "shadow"
    }
    assert set(compiled) == models


def test_every_statement_passes_the_risingwave_rules(compiled: dict[Path, str]) -> None:
    problems = {str(path): check(sql) for path, sql in compiled.items()}
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_v3_detection_paths_pass_the_risingwave_rules(compiled_v3: dict[Path, str]) -> None:
    # The paths v3 turns on are in the statements (else this would check v1's SQL again).
    assert "'sustained'" in compiled_v3[Path("signals", "mv_velocity_alerts.sql")]
    cnp_spike = compiled_v3[Path("signals", "mv_cnp_spike.sql")]
    assert "'drip'" in cnp_spike and "'merchant'" in cnp_spike
    geo = compiled_v3[Path("signals", "mv_geo_impossible_trips.sql")]
    assert "channel in ('pos', 'atm')" in geo
    problems = {str(path): check(sql) for path, sql in compiled_v3.items()}
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.parametrize(("folder", "kind"), sorted(RAW_STATEMENT_FOLDERS.items()))
def test_sources_and_sinks_parse_as_full_create_statements(
    compiled: dict[Path, str], folder: str, kind: str
) -> None:
    statements = [
        sql for path, sql in compiled.items() if path.parts[0] == folder and sink_into(sql) is None
    ]
    assert statements
    for sql in statements:
        statement = parse(sql)
        assert isinstance(statement, exp.Create)
        assert statement.args["kind"] == kind
        assert "format plain encode json" in " ".join(sql.lower().split())


def test_sources_declare_the_contract_columns_and_the_kafka_timestamp(
    compiled: dict[Path, str],
) -> None:
    for model in (*EVENT_TYPES, *LABEL_TYPES):
        sql = compiled[Path("sources", f"src_{model.topic}.sql")]
        schema = parse(sql).this
        assert isinstance(schema, exp.Schema)
        declared = [column.name for column in schema.expressions]
        payload_fields = [name for name, info in model.model_fields.items() if not info.exclude]
        assert declared == payload_fields
        assert f"topic = '{model.topic}'" in sql
        assert "include timestamp as ingested_at" in sql


def test_structuring_threshold_follows_the_environment(compiled: dict[Path, str]) -> None:
    sql = " ".join(compiled[Path("signals", "mv_structuring_detection.sql")].split())
    assert f"amount >= {STRUCTURING_THRESHOLD} * 90 / 100" in sql
    assert f"amount < {STRUCTURING_THRESHOLD}" in sql


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select a from t emit on window close", "does not parse"),
        ("select a from t; select b from u", "expected one statement"),
        ("select a + 1 from t", "without alias"),
        ("select a as x, b as x from t", "more than once"),
        ("select now() as seen_at from t", "NOW() outside"),
        ("select a as a from t inner join u on t.k = u.k and u.ts < now() group by now()", "NOW()"),
        ("select count(*) over (order by b) as c from t", "without PARTITION BY"),
        (
            "select count(*) over (partition by a order by b, c range between"
            " interval '1 minute' preceding and current row) as n from t",
            "exactly one ORDER BY",
        ),
        (
            "create sink s into t as select a as a from u with (type = 'append-only')",
            "sink into a table must be",
        ),
        ("select lag(x, 1, 0) over (partition by a order by b) as l from t", "default argument"),
        ("select lead(x, n) over (partition by a order by b) as l from t", "non-constant offset"),
        (
            "select * from hop(t, ts, interval '25 seconds', interval '1 minute') as hopped",
            "not a multiple",
        ),
        ("select * from hop(t, ts, interval '1 minute') as hopped", "HOP needs"),
        ("select t.a as a from t inner join u on t.a > u.b", "without an equality"),
        ("select t.a as a from t cross join u", "without an equality"),
        ("select t.a as a from t left join u on t.a = 1", "without an equality"),
    ],
)
def test_each_rule_rejects_a_bad_statement(sql: str, problem: str) -> None:
    assert any(problem in found for found in check(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "select a as a from t where ts > now() - interval '1 hour'",
        "select t.a as a from t inner join u on t.a = u.a and u.ts > now() - interval '1 hour'",
        "select * from hop(t, ts, interval '15 seconds', interval '1 minute') as hopped",
        "select lag(x) over (partition by a order by b) as l from t",
        "select count(*) over (partition by a order by b range between"
        " interval '1 minute' preceding and current row) as n from t",
        "select a, count(*) as n from t group by a having max(ts) > now() - interval '1 day'",
        # Exact medians are maintained in streaming views since RisingWave v2.7.0.
        "select percentile_cont(0.5) within group (order by x) as m from t group by y",
    ],
)
def test_rules_accept_valid_statements(sql: str) -> None:
    assert check(sql) == []


# RisingWave's clause for "keep the first row of each key" (e2e_test/streaming/on_conflict.slt).
FIRST_ROW_WINS = "append only on conflict do nothing"


def test_the_signal_log_is_an_append_only_first_row_wins_table_fed_by_the_sink(
    compiled: dict[Path, str], tmp_path: Path
) -> None:
    ddl = " ".join(compile_risingwave(tmp_path, inline="{{ create_signal_log() }}").split())
    assert ddl.endswith(FIRST_ROW_WINS)
    table = parse(ddl.removesuffix(FIRST_ROW_WINS))
    assert isinstance(table, exp.Create)
    assert table.args["kind"] == "TABLE"
    assert table.args["exists"]  # if not exists: never replaced, never dropped by dbt
    columns = [column.name for column in table.this.find_all(exp.ColumnDef)]
    (key,) = list(table.this.find_all(exp.PrimaryKey))
    assert [column.name for column in key.find_all(exp.Identifier)] == ["signal_id"]

    into = sink_into(compiled[Path("sinks", "sink_signal_log.sql")])
    assert into is not None
    target, query, _ = into
    assert target == "public.signal_log"
    select = parse(query)
    assert isinstance(select, exp.Select)
    assert [projection.alias_or_name for projection in select.selects] == columns
    # Only final detections: those in the last part of their retention (24 h less the margin).
    where = " ".join(select.args["where"].this.sql().split())
    match = re.fullmatch(r"detected_at \+ INTERVAL '(\d+)' MINUTES <= CURRENT_TIMESTAMP\(\)", where)
    assert match is not None, where
    after = int(match.group(1))
    assert 12 * 60 <= after < 24 * 60


def test_sink_topics_are_the_topics_the_services_read(compiled: dict[Path, str]) -> None:
    from alerter.settings import AlerterSettings
    from scoring.settings import ScoringSettings

    reads = {
        "sink_fraud_cases": AlerterSettings.model_fields["topic"].default,
        "sink_transaction_features": ScoringSettings.model_fields["features_topic"].default,
        "sink_flagged_transactions": "transactions.flagged",
    }
    for sink, topic in reads.items():
        assert f"topic = '{topic}'" in compiled[Path("sinks") / f"{sink}.sql"], sink


def test_rule_set_v3_paths_pass_the_risingwave_rules(tmp_path: Path) -> None:
    """v3 turns on detection paths the project's default vars (v1) leave out of the SQL."""
    compile_risingwave(tmp_path, variables=store.dbt_vars(store.load("v3"), env={}))
    root = tmp_path / "compiled" / "fraud_detection" / "models" / "signals"
    problems = {}
    for model in (
        "mv_structuring_detection",
        "int_structuring_members",
        "mv_account_takeover",
        "int_account_takeover_members",
    ):
        body = (root / f"{model}.sql").read_text()
        for path in ("cumulative", "fan_in", "new_payee", "profile_change"):
            if model.endswith(("structuring_detection", "structuring_members")) == (
                path in ("cumulative", "fan_in")
            ):
                assert f"'{path}'" in body or f"{path} as (" in body, (model, path)
        sql = f'create materialized view if not exists "dev"."public"."{model}" as\n{body}'
        problems[model] = check(sql)
    assert {model: found for model, found in problems.items() if found} == {}
    # Input retention covers the longest new path: a day of cumulative amounts (and two 12-h
    # payee look-backs), plus 5 min of skew: 25 h over the 24 h of detections (v1: 3 h).
    staging = root.parent / "staging" / "stg_transactions_checked.sql"
    assert "ingested_at > now() - interval '49 hours'" in staging.read_text()
