"""The real alerter and scorer processes consume the engine's sinks (bounded in time).

`python -m alerter` reads `fraud_cases` as the RisingWave sink published it and prints one alert
per case and severity its policy admits; `python -m scoring` reads `transaction_features` and
scores (or dead-letters, with the reason) every record, exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from alerter.cases import FraudCase, Policy
from alerter.settings import AlerterSettings
from scoring.registry import Registry
from scoring.settings import ScoringSettings
from tests.engine.conftest import EngineStack, PublishedWorld, create_topics, log
from tests.engine.test_engine_stack import _keyed_messages
from tests.support.kafka_broker import REPO_ROOT
from tests.support.scoring import synthetic_model

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEADLINE_S = 180.0


def _service(module: str, env: dict[str, str], work_dir: Path) -> subprocess.Popen[bytes]:
    prefix = f"{module.upper()}_"
    clean = {key: value for key, value in os.environ.items() if not key.startswith(prefix)}
    return subprocess.Popen(
        [sys.executable, "-m", module],
        env={**clean, "PYTHONPATH": str(REPO_ROOT), **env},
        cwd=work_dir,
        stdout=(work_dir / f"{module}.out").open("wb"),
        stderr=(work_dir / f"{module}.err").open("wb"),
    )


def _until(done: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> float:
    began = time.monotonic()
    while not done():
        assert process.poll() is None, f"{what}: the process exited with {process.returncode}"
        assert time.monotonic() - began < DEADLINE_S, f"{what}: not done in {DEADLINE_S:g} s"
        time.sleep(1)
    return time.monotonic() - began


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_alerter_alerts_every_admitted_case_the_sink_published(
    engine_stack: EngineStack, published_world: PublishedWorld, tmp_path: Path
) -> None:
    settings = AlerterSettings(_env_file=None, kafka_bootstrap_servers="localhost:1")
    policy = Policy(settings.min_severity, settings.categories)

    def admitted() -> list[FraudCase]:
        messages = _keyed_messages(engine_stack.bootstrap_servers, [settings.topic])
        cases = [FraudCase.model_validate(value) for _topic, _key, value in messages]
        return [case for case in cases if policy.admits(case)]

    out = tmp_path / "alerter.out"

    def alerted() -> list[str]:
        return [json.loads(line)["alert_id"] for line in out.read_text().splitlines() if line]

    process = _service(
        "alerter",
        {
            "KAFKA_BOOTSTRAP_SERVERS": engine_stack.bootstrap_servers,
            "ALERTER_CONSUMER_GROUP": "engine-test-alerter",
            "ALERTER_LOG_INTERVAL_S": "5",
        },
        tmp_path,
    )
    try:
        # Every admitted case alerts (once per severity; a case already alerted at a higher
        # severity does not alert again at a lower one).
        took = _until(
            lambda: (
                bool(admitted())
                and {alert.split(":")[0] for alert in alerted()}
                == {case.case_id for case in admitted()}
            ),
            process,
            "alerter",
        )
    finally:
        code = _stop(process)
    log(f"alerter: {len(alerted())} alerts from the sink's cases in {took:.0f} s")
    assert code == 0, (tmp_path / "alerter.err").read_text()[-2000:]
    assert max(Counter(alerted()).values()) == 1, "an alert was printed twice"
    assert set(alerted()) <= {case.alert_id for case in admitted()}
    assert "Traceback" not in (tmp_path / "alerter.err").read_text()


def test_the_scorer_scores_every_feature_record_the_sink_published(
    engine_stack: EngineStack, published_world: PublishedWorld, tmp_path: Path
) -> None:
    # The scorer's outputs go to this test's own topics: scores on `ml_scores` would become
    # model signals on the engine that the PostgreSQL replay never sees, and the differential
    # tests after this one would compare two different worlds (seen: one account's risk 0.952
    # on the engine against 0.92).
    topics = {
        name: f"engine-test.scorer.{name}"
        for name in ("scores_topic", "drift_topic", "alert_topic", "dead_letter_topic")
    }
    outputs_env = {f"SCORING_{name.upper()}": topic for name, topic in topics.items()}
    # Created before the scorer starts: it creates its own outputs but not the alert topic (the
    # stack's fraud_cases), and a drifted window published to a missing topic times out.
    create_topics(engine_stack.bootstrap_servers, sorted(topics.values()))
    settings = ScoringSettings(_env_file=None, kafka_bootstrap_servers="localhost:1")
    servers = engine_stack.bootstrap_servers
    features = [value for _t, _k, value in _keyed_messages(servers, [settings.features_topic])]
    assert features, "the features sink published nothing"
    registry = Registry(tmp_path / "models")
    registry.add(synthetic_model(), role="champion")

    def outputs() -> tuple[list[str], list[object]]:
        # The scorer keys its messages by plain ids, not JSON.
        scored = _keyed_messages(servers, [topics["scores_topic"]], json_keys=False)
        dead_letters = _keyed_messages(servers, [topics["dead_letter_topic"]], json_keys=False)
        scores = [value["event_id"] for _t, _k, value in scored]
        dead = [value for _t, _k, value in dead_letters]
        return scores, dead

    process = _service(
        "scoring",
        {
            "KAFKA_BOOTSTRAP_SERVERS": servers,
            "SCORING_REGISTRY_DIR": str(registry.root),
            "SCORING_CONSUMER_GROUP": "engine-test-scorer",
            "SCORING_LOG_INTERVAL_S": "5",
            **outputs_env,
        },
        tmp_path,
    )
    try:
        took = _until(
            lambda: sum(len(found) for found in outputs()) >= len(features), process, "scorer"
        )
    finally:
        code = _stop(process)
    scores, dead = outputs()
    log(
        f"scorer: {len(features)} feature records, {len(scores)} scored,"
        f" {len(dead)} dead-lettered in {took:.0f} s"
    )
    assert code == 0, (tmp_path / "scoring.err").read_text()[-2000:]
    assert scores, f"nothing scored; dead letters: {dead[:3]}"
    # The sink publishes a transaction's features again when they change (an upsert sink): each
    # published record is scored once, so no event more often than its records were published.
    published = Counter(record["event_id"] for record in features)
    over = {event: count for event, count in Counter(scores).items() if count > published[event]}
    assert over == {}, "scored more often than published"
