"""The stack on a real RisingWave: one engine per session beside the tests' Kafka broker.

The engine (`make engine`) runs in memory on loopback; the topics are created as the stack creates
them (scripts/create_topics.sh's list, producers/topics.py's config); the real dbt job
(scripts/dbt_job.sh, target risingwave) builds every model, sink and grant once per session; then a
seeded few minutes of the realistic world are published and the same messages are replayed on
PostgreSQL for the differential tests. Timings go to stderr (`-s`) and docs/engine.md.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from common.kafka import TOPIC_CONFIGS
from offline.database import Database
from offline.load import Message
from producers.models import Record
from tests.support import risingwave
from tests.support.kafka_broker import REPO_ROOT, ExternalBroker, KafkaBroker

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CREATE_TOPICS = REPO_ROOT / "scripts" / "create_topics.sh"
DBT_JOB = REPO_ROOT / "scripts" / "dbt_job.sh"
READER = "grafana_reader"
READER_PASSWORD = "engine-test-reader"
CASE_SERVICE = "case_service"
CASE_SERVICE_PASSWORD = "engine-test-case-service"
TOPIC_PARTITIONS = 3
DBT_JOB_TIMEOUT_S = 40 * 60.0


def stack_topics() -> list[str]:
    """The topics scripts/create_topics.sh creates (its TOPICS list)."""
    match = re.search(r'^TOPICS="([^"]+)"', CREATE_TOPICS.read_text(encoding="utf-8"), re.M)
    assert match is not None, "scripts/create_topics.sh has no TOPICS list"
    return match.group(1).split()


def log(message: str) -> None:
    print(f"[engine] {message}", file=sys.stderr, flush=True)


@dataclass
class EngineStack:
    engine: risingwave.RisingWave
    bootstrap_servers: str
    timings: dict[str, float] = field(default_factory=dict)

    def connect(self, user: str = "root", password: str | None = None) -> Any:
        conn = psycopg2.connect(self.engine.dsn(user, password))
        conn.autocommit = True
        return conn

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()


def create_topics(bootstrap_servers: str, names: list[str]) -> None:
    """`names` as scripts/create_topics.sh creates topics (partitions, broker time)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        for name in names:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [NewTopic(name, TOPIC_PARTITIONS, 1, topic_configs=dict(TOPIC_CONFIGS))]
                )
        admin.wait_for_topics(names, timeout_ms=30_000)
    finally:
        admin.close()


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[risingwave.RisingWave]:
    """The RisingWave server; without `make engine` the tests skip, under CI=true they fail."""
    reason = risingwave.missing_prerequisite()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"engine prerequisite missing under CI: {reason}")
        pytest.skip(reason)
    with risingwave.RisingWave(tmp_path_factory.mktemp("risingwave")) as server:
        log(f"engine serving after {server.startup_seconds:.1f} s")
        yield server


def build_stack(engine: risingwave.RisingWave, bootstrap_servers: str) -> tuple[EngineStack, str]:
    """The stack's topics and the real dbt job on `engine`; the stack and the job's failure
    (empty when it passed). Also used by scripts/bench_engine.py."""
    stack = EngineStack(engine, bootstrap_servers)
    create_topics(stack.bootstrap_servers, stack_topics())
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "RW_HOST": risingwave.HOST,
        "RW_PORT": str(risingwave.PORT),
        "RW_KAFKA_BOOTSTRAP_SERVER": stack.bootstrap_servers,
        "GRAFANA_DB_USER": READER,
        "GRAFANA_DB_PASSWORD": READER_PASSWORD,
        "RW_PASSWORD": risingwave.ROOT_PASSWORD,
        "CASE_SERVICE_DB_USER": CASE_SERVICE,
        "CASE_SERVICE_DB_PASSWORD": CASE_SERVICE_PASSWORD,
        "DECISION_SERVICE_DB_PASSWORD": "engine-test-decision-service",
        # As many models at once as the engine creates at once (tests/support/risingwave.py).
        "DBT_RUN_ARGS": f"--threads {risingwave.DBT_THREADS}",
    }
    began = time.monotonic()
    job = subprocess.run(
        [str(DBT_JOB)],
        env=env,
        capture_output=True,
        text=True,
        timeout=DBT_JOB_TIMEOUT_S,
        check=False,
    )
    stack.timings["dbt_job_s"] = time.monotonic() - began
    stack.timings["rss_after_build_mib"] = engine.rss_bytes() / 2**20
    created = re.findall(r"OK created .* model public\.(\S+) .* in ([0-9.]+)s", job.stdout)
    for name, seconds in created:
        stack.timings[f"create:{name}"] = float(seconds)
    log(
        f"dbt job: rc {job.returncode}, {stack.timings['dbt_job_s']:.0f} s, {len(created)} models,"
        f" engine RSS {stack.timings['rss_after_build_mib']:.0f} MiB"
    )
    log("per model: " + ", ".join(f"{name} {seconds}" for name, seconds in created))
    failure = "" if job.returncode == 0 else f"{job.stdout[-6000:]}\n{job.stderr[-3000:]}"
    return stack, failure


@pytest.fixture(scope="session")
def engine_stack(
    engine: risingwave.RisingWave, kafka_broker: KafkaBroker | ExternalBroker
) -> EngineStack:
    """Every model, sink and grant built by the real dbt job on the engine, once."""
    stack, failure = build_stack(engine, kafka_broker.bootstrap_servers)
    if failure:
        pytest.fail(f"dbt job failed:\n{failure}")
    return stack


# A few minutes of the realistic world; completed instances run past the end, so the history ends
# this long before now (the broker and the temporal filters both accept it).
WORLD_MINUTES = 3
HISTORY_LAG = timedelta(hours=2)
CATCH_UP_TIMEOUT_S = 15 * 60.0


@dataclass
class PublishedWorld:
    records: list[Record]
    messages: list[Message]
    replay: Database
    clock: datetime
    catch_up_s: float


def _freshness(conn: Any) -> dict[str, int]:
    with conn.cursor() as cur:
        cur.execute("select topic, event_count from mv_topic_freshness")
        return {topic: int(count) for topic, count in cur.fetchall()}


@pytest.fixture(scope="session")
def published_world(
    engine_stack: EngineStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PublishedWorld]:
    """The world published to the broker and caught up on the engine, and the same messages
    replayed on PostgreSQL (embedded) for comparison."""
    from backtest.replay import active_rule_vars
    from offline.database import open_database
    from offline.kafka_source import consume_all
    from offline.replay import history, load_and_build
    from producers.models import TOPICS
    from producers.publishers.kafka_python import KafkaPublisher
    from producers.stats import PublishStats
    from tests.support.replay import replay_settings, require_embedded_postgres

    require_embedded_postgres()
    settings = replay_settings(0.1, world="realistic").model_copy(
        update={"kafka_bootstrap_servers": engine_stack.bootstrap_servers}
    )
    end = datetime.now(UTC).replace(second=0, microsecond=0) - HISTORY_LAG
    records = list(history(settings, end=end, minutes=WORLD_MINUTES, events=None))
    stats = PublishStats()
    began = time.monotonic()
    with KafkaPublisher(settings, stats) as publisher:
        for record in records:
            publisher.publish(record)
    assert (stats.total_acknowledged, stats.total_failed) == (len(records), 0)
    messages = list(consume_all(engine_stack.bootstrap_servers, TOPICS, timeout_s=120.0))
    assert len(messages) == len(records)
    clock = datetime.now(UTC)
    work = tmp_path_factory.mktemp("engine-replay")
    with open_database(work / "pg") as database:
        load_and_build(
            database,
            messages,
            span=timedelta(minutes=WORLD_MINUTES),
            structuring_threshold=settings.structuring_threshold,
            work_dir=work,
            clock=clock,
            rule_vars=active_rule_vars(),
        )
        conn = database.connect()
        try:
            expected = _freshness(conn)
        finally:
            conn.close()
        engine_conn = engine_stack.connect()
        deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
        try:
            while (seen := _freshness(engine_conn)) != expected:
                if time.monotonic() > deadline:
                    pytest.fail(f"engine not caught up: {seen} != {expected}")
                time.sleep(2)
            # Everything ingested; the sink into signal_log feeds the cases one step behind.
            previous = None
            while (now := _settled(engine_conn)) != previous:
                previous = now
                time.sleep(5)
        finally:
            engine_conn.close()
        catch_up_s = time.monotonic() - began
        engine_stack.timings["world_records"] = len(records)
        engine_stack.timings["publish_to_caught_up_s"] = catch_up_s
        log(f"{len(records)} records published and caught up in {catch_up_s:.0f} s")
        yield PublishedWorld(records, messages, database, clock, catch_up_s)


def _settled(conn: Any) -> tuple[int, ...]:
    with conn.cursor() as cur:
        cur.execute(
            "select (select count(*) from mv_signals), (select count(*) from signal_log),"
            " (select count(*) from mv_open_fraud_cases),"
            " (select count(*) from mv_flagged_transactions)"
        )
        return tuple(cur.fetchone())
