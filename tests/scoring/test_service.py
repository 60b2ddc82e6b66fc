"""The real scorer process (`python -m scoring`) against the real Kafka broker: every feature
record gets exactly one score, a clean restart loses and repeats nothing, and an unusable model
or a feature record it cannot score is dead-lettered with the reason while the rest are scored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from scoring.registry import Registry
from tests.support.kafka_broker import KafkaBroker
from tests.support.scoring import synthetic_model, synthetic_records

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 90.0


def run_scorer(env: dict[str, str], work_dir: Path, name: str) -> subprocess.Popen[bytes]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("SCORING_")}
    return subprocess.Popen(
        [sys.executable, "-m", "scoring"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=work_dir,
        stdout=(work_dir / f"{name}.out").open("wb"),
        stderr=(work_dir / f"{name}.err").open("wb"),
    )


def read_all(bootstrap: str, topic: str) -> list[dict]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        values: list[Any] = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                values.extend(json.loads(record.value) for record in batch)
        return values
    finally:
        consumer.close()


def wait_for(bootstrap: str, topic: str, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if len(read_all(bootstrap, topic)) >= count:
            return
        assert process.poll() is None, f"scorer exited with {process.returncode}"
        time.sleep(0.5)
    raise AssertionError(f"fewer than {count} messages on {topic} in {DEADLINE_S:g} s")


def publish(bootstrap: str, topic: str, values: Sequence[object]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        for value in values:
            body = value if isinstance(value, bytes) else json.dumps(value).encode()
            producer.send(topic, value=body)
        producer.flush(30)
    finally:
        producer.close()


@pytest.fixture
def topic_suffix() -> str:
    """Topics of this test only: the session's broker is shared by every test."""
    return f"-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def setup(kafka_broker, topic_suffix: str, tmp_path: Path):
    bootstrap = kafka_broker.bootstrap_servers
    kinds = ("features", "scores", "drift", "alerts", "dead")
    names = {kind: f"{kind}{topic_suffix}" for kind in kinds}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, 3, 1) for name in names.values()])
    finally:
        admin.close()
    registry = Registry(tmp_path / "models")
    registry.add(synthetic_model(), role="champion")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SCORING_REGISTRY_DIR": str(registry.root),
        "SCORING_FEATURES_TOPIC": names["features"],
        "SCORING_SCORES_TOPIC": names["scores"],
        "SCORING_DRIFT_TOPIC": names["drift"],
        "SCORING_ALERT_TOPIC": names["alerts"],
        "SCORING_DEAD_LETTER_TOPIC": names["dead"],
        "SCORING_CONSUMER_GROUP": f"scorer{topic_suffix}",
        "SCORING_BATCH_MAX_RECORDS": "100",
        "SCORING_BROKER_WAIT_S": "20",
        "SCORING_LOG_INTERVAL_S": "1",
    }
    return bootstrap, names, env, registry


def test_every_record_is_scored_exactly_once_across_a_restart(
    setup, kafka_broker, tmp_path: Path
) -> None:
    bootstrap, names, env, _ = setup
    first, second = synthetic_records(1500, 11), synthetic_records(900, 12)
    publish(bootstrap, names["features"], [*first, b"not json"])
    scorer = run_scorer(env, tmp_path, "first")
    wait_for(bootstrap, names["scores"], len(first), scorer)
    scorer.send_signal(signal.SIGTERM)
    assert scorer.wait(60) == 0
    publish(bootstrap, names["features"], second)
    scorer = run_scorer(env, tmp_path, "second")
    wait_for(bootstrap, names["scores"], len(first) + len(second), scorer)
    time.sleep(2)  # a repeat, if the restart re-read anything, would land by now
    scorer.send_signal(signal.SIGTERM)
    assert scorer.wait(60) == 0
    scores = read_all(bootstrap, names["scores"])
    counts = Counter(score["event_id"] for score in scores)
    expected = {record["event_id"] for record in [*first, *second]}
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert all(0.0 <= score["score"] <= 1.0 for score in scores)
    # One drift report per closed window; the same traffic as the model's drifts nowhere.
    reports = read_all(bootstrap, names["drift"])
    assert len(reports) >= 2
    assert {report["model_version"] for report in reports} == {"v0001"}
    assert all(report["drifted_features"] == "" for report in reports)
    assert read_all(bootstrap, names["alerts"]) == []
    # Each start joined once: a rejoin right after the first join is where kafka-python 3.0
    # was seen to stop heartbeating (scoring/service.py).
    if isinstance(kafka_broker, KafkaBroker):
        assert kafka_broker.rejoins(env["SCORING_CONSUMER_GROUP"]) == []
    log = (tmp_path / "first.err").read_text()
    assert "invalid=1" in log  # the non-JSON message was counted, not scored
    assert "summary model=v0001" in (tmp_path / "second.err").read_text()


def test_a_record_it_cannot_score_is_dead_lettered_and_the_rest_are_scored(
    setup, tmp_path: Path
) -> None:
    bootstrap, names, env, _ = setup
    good = synthetic_records(40, 13)
    missing = dict(good[0], event_id="missing-feature")
    del missing["km_from_home"]
    wrong_type = dict(good[1], event_id="wrong-type", km_from_home={"not": "a number"})
    no_id = {key: value for key, value in good[2].items() if key != "event_id"}
    publish(bootstrap, names["features"], [missing, wrong_type, no_id, *good, b"\x00not json"])
    scorer = run_scorer(env, tmp_path, "dead")
    wait_for(bootstrap, names["scores"], len(good), scorer)
    wait_for(bootstrap, names["dead"], 4, scorer)
    # A restart does not meet the bad records again: their offsets were committed.
    scorer.send_signal(signal.SIGTERM)
    assert scorer.wait(60) == 0
    scorer = run_scorer(env, tmp_path, "dead-again")
    deadline = time.monotonic() + DEADLINE_S
    while "summary model=" not in (tmp_path / "dead-again.err").read_text():
        assert time.monotonic() < deadline and scorer.poll() is None, "the restart did not run"
        time.sleep(0.5)
    scorer.send_signal(signal.SIGTERM)
    assert scorer.wait(60) == 0
    scored = Counter(score["event_id"] for score in read_all(bootstrap, names["scores"]))
    assert scored == Counter(record["event_id"] for record in good)
    dead = {
        json.loads(item["value"]).get("event_id", "no id")
        if item["value"].startswith("{")
        else "not json": item
        for item in read_all(bootstrap, names["dead"])
    }
    assert {key: item["reason"] for key, item in dead.items()} == {
        "missing-feature": "feature 'km_from_home' missing from the record",
        "wrong-type": dead["wrong-type"]["reason"],
        "no id": "event_id missing",
        "not json": "not a JSON object",
    }
    assert dead["wrong-type"]["reason"].startswith("feature 'km_from_home' is not numeric")
    assert all(item["topic"] == names["features"] for item in dead.values())
    log = (tmp_path / "dead.err").read_text()
    assert "invalid=1 unscorable=3" in log
    assert "dead-lettered" in log
    again = (tmp_path / "dead-again.err").read_text()
    assert "consumed=0" in again and "dead-lettered" not in again


def test_the_scorer_sizes_its_topics_from_topic_partitions_and_beats(setup, tmp_path: Path) -> None:
    """Topics the scorer creates follow TOPIC_PARTITIONS (not a constant), and its running loop
    keeps the heartbeat file fresh, which is what the container's healthcheck reads."""
    bootstrap, _, env, _ = setup
    suffix = uuid.uuid4().hex[:8]
    own = {kind: f"{kind}-{suffix}" for kind in ("features", "scores", "drift")}
    heartbeat = tmp_path / "heartbeat"
    env = {
        **env,
        "SCORING_FEATURES_TOPIC": own["features"],
        "SCORING_SCORES_TOPIC": own["scores"],
        "SCORING_DRIFT_TOPIC": own["drift"],
        "TOPIC_PARTITIONS": "5",
        "HEARTBEAT_FILE": str(heartbeat),
    }
    scorer = run_scorer(env, tmp_path, "sizes")
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not heartbeat.exists():
            assert scorer.poll() is None, f"scorer exited with {scorer.returncode}"
            assert time.monotonic() < deadline, "no heartbeat from the scorer's loop"
            time.sleep(0.2)
        check = subprocess.run(
            [sys.executable, "-m", "common.heartbeat", "30"],
            env={**os.environ, "PYTHONPATH": str(ROOT), "HEARTBEAT_FILE": str(heartbeat)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        try:
            sizes = {name: len(consumer.partitions_for_topic(name) or ()) for name in own.values()}
        finally:
            consumer.close()
        assert sizes == dict.fromkeys(own.values(), 5)
    finally:
        scorer.send_signal(signal.SIGTERM)
        assert scorer.wait(60) == 0
