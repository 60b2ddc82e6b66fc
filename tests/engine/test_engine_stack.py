"""The stack on RisingWave: the dbt job builds everything, then a published world flows through.

Compared with the PostgreSQL replay of the same messages (the differential test), read by the
dashboards and make targets, written by the case service's store, and published by the sinks.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from cases import service
from cases.confirmer import Confirmer
from cases.journal import Entry, Journal
from cases.store import Store
from cases.workflow import Action, Principal, decide
from offline.schema import DBT_PROJECT_DIR
from tests.detection.test_haversine_sql import check_haversine, haversine_query
from tests.engine.conftest import (
    CASE_SERVICE,
    CASE_SERVICE_PASSWORD,
    READER,
    READER_PASSWORD,
    EngineStack,
    PublishedWorld,
    log,
)
from tests.stack.dashboard_queries import (
    NO_SHADOW_RUN,
    SHADOW_VIEW,
    TIMESTAMPTZ_OID,
    load_dashboard,
    no_value_text,
    panel_queries,
    run_query,
)
from tests.stack.grafana_macros import TimeRange
from tests.stack.test_dashboard import PUBLIC_VIEWS
from tests.stack.test_operator_queries import MAKE_QUERIES, STATUS_QUERY

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DASHBOARDS = sorted(
    (Path(__file__).resolve().parents[2] / "grafana/provisioning/dashboards").glob("*.json")
)
# Views that may rightly be empty after a few minutes of traffic: no drift report without the
# scorer, no model signal without a champion, no rejected event in clean input, and quality
# views whose labels come after the few minutes.
MAY_BE_EMPTY = {"mv_model_drift", "mv_ml_anomaly", "mv_rejected_events", "mv_data_quality_summary"}
SIGNALS = "select signal_id, signal_type, account_id, detected_at, reason from mv_signals"
LOGGED = "select signal_id, signal_type, account_id, detected_at from signal_log"
CASES = "select case_id, account_id, severity, reason_codes from mv_open_fraud_cases"


def _models() -> set[str]:
    """Every relation a live stack builds on RisingWave (the shadow folder is a shadow run's;
    before one, a live run builds the comparison's empty stand-in under its name)."""
    return {
        path.stem
        for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")
        if path.parent.name != "shadow" and path.stem != f"{SHADOW_VIEW}_pending"
    } | {SHADOW_VIEW}


def test_the_dbt_job_builds_every_model_sink_and_table(engine_stack: EngineStack) -> None:
    relations = {
        name
        for (name,) in engine_stack.rows(
            "select name from rw_relations where schema_id = (select id from rw_schemas"
            " where name = 'public')"
        )
    }
    assert _models() - relations == set()
    assert {"signal_log", "case_decisions", "rule_history"} <= relations


def test_the_reader_may_read_the_views_and_nothing_else(engine_stack: EngineStack) -> None:
    conn = engine_stack.connect(READER, READER_PASSWORD)
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*) from mv_open_fraud_cases")
            assert cur.fetchone()[0] >= 0
            with pytest.raises(psycopg2.Error, match=r"(?i)permission denied"):
                cur.execute("insert into case_decisions (decision_id) values ('x')")
    finally:
        conn.close()


def test_haversine_is_null_when_an_input_is_null_on_risingwave(engine: Any, tmp_path: Path) -> None:
    sql = haversine_query(tmp_path)
    conn = psycopg2.connect(engine.dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            check_haversine(cursor, sql)
    finally:
        conn.close()


def test_every_public_view_is_populated(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    """Populated wherever the PostgreSQL replay of the same messages is (a few minutes leave
    some quality views rightly empty on both)."""
    empty = {
        view
        for view in PUBLIC_VIEWS
        if engine_stack.rows(f"select count(*) from {view}")[0][0] == 0
    }
    empty_on_postgres = {
        view
        for view in PUBLIC_VIEWS
        if _pg_rows(published_world, f"select count(*) from {view}")[0][0] == 0
    }
    log(f"empty public views: engine {sorted(empty)}, postgres {sorted(empty_on_postgres)}")
    assert empty == empty_on_postgres
    assert empty <= MAY_BE_EMPTY | {
        "mv_false_positives_by_lookalike_kind",
        "mv_false_positives_by_lookalike_kind_signal",
        "mv_decisions_per_minute",  # no decisions service runs here
    }


def _pg_rows(world: PublishedWorld, sql: str) -> list[tuple[Any, ...]]:
    return _pg_rows_with(world, sql, ())


def _pg_rows_with(world: PublishedWorld, sql: str, params: Any) -> list[tuple[Any, ...]]:
    conn = world.replay.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _normal(rows: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """Rows comparable across engines: timestamps in UTC."""
    return {
        tuple(value.astimezone(UTC) if isinstance(value, datetime) else value for value in row)
        for row in rows
    }


def test_signals_are_the_ones_the_postgresql_replay_gives(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    on_engine = _normal(engine_stack.rows(SIGNALS))
    on_postgres = _normal(_pg_rows(published_world, SIGNALS))
    log(f"signals: engine {len(on_engine)}, postgres {len(on_postgres)}")
    assert on_postgres, "the replay found no signal: nothing to compare"
    assert sorted(on_engine - on_postgres) == [] and sorted(on_postgres - on_engine) == []


def test_cases_are_the_ones_the_postgresql_replay_gives(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    on_engine = _normal(engine_stack.rows(CASES))
    on_postgres = _normal(_pg_rows(published_world, CASES))
    log(f"open cases: engine {len(on_engine)}, postgres {len(on_postgres)}")
    if on_engine != on_postgres:
        # Where they differ, show how the detections behind them differ.
        logged = _normal(engine_stack.rows(LOGGED))
        final = _normal(engine_stack.rows(LOGGED.replace("signal_log", "mv_signals")))
        log(f"cases only on the engine: {sorted(on_engine - on_postgres)}")
        log(f"cases only on postgres: {sorted(on_postgres - on_engine)}")
        log(f"signal_log rows not in mv_signals: {sorted(logged - final)[:40]}")
        log(f"mv_signals rows not in signal_log: {sorted(final - logged)[:40]}")
    assert on_postgres
    assert sorted(on_engine - on_postgres) == [] and sorted(on_postgres - on_engine) == []


# Each sink's message key: its primary_key (models/sinks), so one entity's changes stay in order.
SINK_KEYS = {
    "fraud_cases": "case_id",
    "transactions.flagged": "event_id",
    "transaction_features": "event_id",
}


def _keyed_messages(
    bootstrap_servers: str, topics: list[str], *, json_keys: bool = True
) -> list[tuple[str, Any, Any]]:
    """(topic, key, value) of every message now in `topics`, JSON-decoded (keys as bytes where
    `json_keys` is false: the services key by plain ids)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:  # not created yet (a service creates its topics as it starts)
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + 60.0
        found = []
        while any(consumer.position(partition) < end for partition, end in ends.items()):
            assert time.monotonic() < deadline, "sink topics not read to their end in 60 s"
            for batch in consumer.poll(timeout_ms=1000).values():
                for record in batch:
                    key = record.key
                    if json_keys and key is not None:
                        key = json.loads(key)
                    value = None if record.value is None else json.loads(record.value)
                    found.append((record.topic, key, value))
        return found
    finally:
        consumer.close()


def test_sinks_publish_cases_flagged_transactions_and_features_keyed(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    topics = sorted(SINK_KEYS)
    counts = dict.fromkeys(topics, 0)
    case_ids = set()
    for topic, key, value in _keyed_messages(engine_stack.bootstrap_servers, topics):
        counts[topic] += 1
        assert value is not None, topic
        field = SINK_KEYS[topic]
        assert key == {field: value[field]}, (topic, key)
        if topic == "fraud_cases":
            case_ids.add(value["case_id"])
    log(f"sink messages: {counts}")
    assert all(counts.values()), counts
    open_cases = {case_id for (case_id, *_rest) in engine_stack.rows(CASES)}
    assert open_cases <= case_ids


def test_case_decisions_answer_pending_then_confirm_on_the_engine(
    engine_stack: EngineStack, published_world: PublishedWorld, tmp_path: Path
) -> None:
    # As the case service connects: the least-privilege user of scripts/grant_case_service.sql.
    store = Store(engine_stack.engine.dsn(CASE_SERVICE, CASE_SERVICE_PASSWORD))
    (case_id,) = engine_stack.rows(f"select case_id from ({CASES}) as cases order by 1 limit 1")[0]
    alice, bob = Principal("alice", "lead"), Principal("bob", "lead")
    confirmer = Confirmer(Journal(tmp_path / "alice.sqlite"), store, _now)
    with store.session() as session:
        assert session.risingwave
        state = session.state(case_id)
        close = Action("close", outcome="confirmed_fraud", note="seen")
        began = time.monotonic()
        entry = service.act(session, confirmer, alice, case_id, close, _now, seen_seq=state.seq)
        answer_s = time.monotonic() - began
        # Answered before the write is visible: the confirmer's FLUSH has not returned yet.
        assert entry.state == "pending"
        assert session.kept(entry.decision.decision_id) is None
        settled = confirmer.wait(entry, 900)
        confirm_s = time.monotonic() - began
        assert settled.state == "confirmed"
        engine_stack.timings["decision_answer_s"] = answer_s
        engine_stack.timings["decision_write_s"] = confirm_s
        log(
            f"case decision answered pending in {answer_s:.2f} s, confirmed after {confirm_s:.2f} s"
        )
        # Bob's service decided on the same state: the same step; the first record stays.
        bobs = Confirmer(Journal(tmp_path / "bob.sqlite"), store, _now)
        refused = Action("close", outcome="false_positive", note="no")
        second = Entry("bob-request", decide(state, refused, bob, _now()))
        bobs.journal.add(second, _now())
        bobs.wake()
        lost = bobs.wait(second, 900)
        assert (lost.state, lost.winner_actor, lost.winner_action) == ("lost", "alice", "close")
        assert session.state(case_id).status == "closed"
        assert session.state(case_id).outcome == "confirmed_fraud"


def _now() -> datetime:
    return datetime.now(UTC)


def _time_range() -> TimeRange:
    now = datetime.now(UTC)
    return TimeRange(now - timedelta(hours=6), now)


def test_every_dashboard_query_runs_on_the_engine(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    conn = engine_stack.connect(READER, READER_PASSWORD)
    failures = {}
    ran = 0
    try:
        for path in DASHBOARDS:
            dashboard = load_dashboard(path)
            for query in panel_queries(dashboard):
                try:
                    result = run_query(conn, query, _time_range(), timedelta(seconds=10))
                except psycopg2.Error as error:
                    failures[f"{path.stem}: {query.panel}"] = " ".join(str(error).split())
                    continue
                ran += 1
                if query.format == "time_series":
                    assert result.type_of("time") == TIMESTAMPTZ_OID, query.panel
                if SHADOW_VIEW in query.raw_sql:
                    # No shadow run here: the live run's empty stand-in answers.
                    assert result.rows == [], query.panel
                    assert no_value_text(dashboard, query.panel) == NO_SHADOW_RUN
    finally:
        conn.close()
    log(f"dashboard queries: {ran} ran, {len(failures)} failed")
    assert ran > 0
    assert failures == {}


@pytest.mark.parametrize("target", sorted(MAKE_QUERIES))
def test_make_query_targets_run_on_the_engine(
    engine_stack: EngineStack, published_world: PublishedWorld, target: str
) -> None:
    assert engine_stack.rows(MAKE_QUERIES[target]), f"make {target} shows nothing"


def test_make_status_runs_on_the_engine(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    assert STATUS_QUERY is not None
    counts = dict(engine_stack.rows(STATUS_QUERY.group(1)))
    assert counts["mv_signals"] > 0 and counts["mv_open_fraud_cases"] > 0


DECISION_SERVICE = "decision_service"
DECISION_SERVICE_PASSWORD = "engine-test-decision-service"


def _lookup_params(engine_stack: EngineStack) -> dict[str, Any]:
    """The decision service's lookup for a payment just after the riskiest account's last one."""
    account_id, customer_id, last = engine_stack.rows(
        "select risk.account_id, risk.customer_id, max(txn.event_time) as last_at"
        " from mv_account_risk_score_realtime as risk"
        " inner join int_transactions as txn on txn.account_id = risk.account_id"
        " group by risk.account_id, risk.customer_id, risk.risk_score"
        " order by risk.risk_score desc, risk.account_id limit 1"
    )[0]
    return {
        "account_id": account_id,
        "customer_id": customer_id,
        "since": last - timedelta(hours=24),
        "until": last + timedelta(seconds=1),
        "event_id": "engine-test-not-an-event",
    }


def test_the_decision_lookup_runs_as_its_user_and_matches_postgresql(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    """The decision service's one-round-trip lookup (decisions/state.py), as its least-privilege
    user: RisingWave accepts it and gives the rows the PostgreSQL replay gives."""
    from decisions.state import LOOKUP_SQL

    params = _lookup_params(engine_stack)
    conn = engine_stack.connect(DECISION_SERVICE, DECISION_SERVICE_PASSWORD)
    try:
        with conn.cursor() as cur:
            cur.execute(LOOKUP_SQL, params)
            on_engine = cur.fetchall()
    finally:
        conn.close()
    on_postgres = _pg_rows_with(published_world, LOOKUP_SQL, params)
    parts = sorted({row[0] for row in on_engine})
    log(f"decision lookup of {params['account_id']}: {len(on_engine)} rows, parts {parts}")
    assert {"risk", "customer", "earlier"} <= set(parts)
    # Rows per part alike; the typed earlier transactions equal; the jsonb parts by their values
    # (each engine renders timestamps and numerics in jsonb its own way).
    assert Counter(row[0] for row in on_engine) == Counter(row[0] for row in on_postgres)
    assert sorted(
        (row[1]["signal_type"], row[1]["reason"]) for row in on_engine if row[0] == "signal"
    ) == sorted(
        (row[1]["signal_type"], row[1]["reason"]) for row in on_postgres if row[0] == "signal"
    )
    assert _normal([row[2:] for row in on_engine if row[0] == "earlier"]) == _normal(
        [row[2:] for row in on_postgres if row[0] == "earlier"]
    )
    risk_engine, risk_postgres = (
        next(row[1] for row in rows if row[0] == "risk") for rows in (on_engine, on_postgres)
    )
    assert risk_engine["risk_level"] == risk_postgres["risk_level"]
    assert float(risk_engine["risk_score"]) == pytest.approx(float(risk_postgres["risk_score"]))
