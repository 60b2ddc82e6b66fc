"""Time on the engine: detections leave retention on the wall clock, and nothing else moves.

A second world, stamped so that its detections are a few minutes younger than retention_hours
(24), is published into the session's stack; then the test watches the engine while they expire
(RisingWave's temporal filters on `now()`): no detection appears that was not there before (no
re-fire), one leaves mv_signals only once older than retention, the signal log keeps every
detection it held, no case id appears (a case's id is its run's first detection: a moved case
would get a new one), and a case leaves the open cases only when its account's detections
leave retention (an open case is an account at high or critical risk now). The PostgreSQL
side of the same is tests/detection/test_time_passes.py.

This module runs last in tests/engine (file order): its world adds facts to accounts the
differential tests compare, so it publishes only once they have run.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.engine.conftest import EngineStack, PublishedWorld, log

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RETENTION = timedelta(hours=24)  # dbt_project.yml retention_hours
# The world ends this long before it leaves retention: publishing and catching up take one to
# three minutes on a loaded machine, and the test then watches until the end has expired.
YOUNGER_BY = timedelta(minutes=6)
WORLD_MINUTES = 2
# RisingWave's now() advances with barriers (1 s here): a detection may outlive its bound by
# that much, and the poll sees it a poll later.
SLACK = timedelta(seconds=30)
POLL_S = 10.0
CATCH_UP_S = 300.0
OLD = "select signal_id, detected_at, account_id from mv_signals where detected_at < %(before)s"


def _publish(engine_stack: EngineStack, end: datetime) -> int:
    from offline.replay import history
    from producers.publishers.kafka_python import KafkaPublisher
    from producers.stats import PublishStats
    from tests.support.replay import REPLAY_SEED, replay_settings

    # Another seed: its event ids are not the first world's.
    settings = replay_settings(0.1, world="realistic", seed=REPLAY_SEED + 1).model_copy(
        update={"kafka_bootstrap_servers": engine_stack.bootstrap_servers}
    )
    records = list(history(settings, end=end, minutes=WORLD_MINUTES, events=None))
    stats = PublishStats()
    with KafkaPublisher(settings, stats) as publisher:
        for record in records:
            publisher.publish(record)
    assert (stats.total_acknowledged, stats.total_failed) == (len(records), 0)
    return len(records)


State = tuple[dict[str, tuple[datetime, str]], set[str], set[tuple[str, str]]]


def _state(engine_stack: EngineStack, before: datetime) -> State:
    """The old world's detections in mv_signals (id -> time, account), every signal_log id,
    every open case (id, account)."""
    old = {row[0]: (row[1], row[2]) for row in engine_stack.rows(OLD, {"before": before})}
    logged = {row[0] for row in engine_stack.rows("select signal_id from signal_log")}
    cases = set(engine_stack.rows("select case_id, account_id from mv_open_fraud_cases"))
    return old, logged, cases


def _ingested(engine_stack: EngineStack) -> int:
    return int(
        engine_stack.rows("select coalesce(sum(event_count), 0) from mv_topic_freshness")[0][0]
    )


def _caught_up(engine_stack: EngineStack, before: datetime, target: int) -> State:
    """The state once the engine took in `target` events and two reads 3 s apart agree."""
    deadline = time.monotonic() + CATCH_UP_S
    while _ingested(engine_stack) < target:
        assert time.monotonic() < deadline, "the old world was not taken in"
        time.sleep(2)
    previous = None
    while (now := _state(engine_stack, before)) != previous and time.monotonic() < deadline:
        previous = now
        time.sleep(3)
    return now


def test_expiry_hides_only_what_left_retention_and_moves_no_case(
    engine_stack: EngineStack, published_world: PublishedWorld
) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - RETENTION + YOUNGER_BY
    target = _ingested(engine_stack) + _publish(engine_stack, end)
    # The first world is two hours old: everything older than 12 h is this world's.
    before = datetime.now(UTC) - timedelta(hours=12)
    old, logged, cases = _caught_up(engine_stack, before, target)
    left = end + RETENTION - datetime.now(UTC)
    log(
        f"old world caught up {left.total_seconds():.0f} s before its end expires:"
        f" {len(old)} detections visible, {len(cases)} open cases"
    )
    assert old, "none of the old world's detections was visible: nothing to watch expire"
    gone: dict[str, tuple[datetime, str]] = {}
    now_cases = cases
    while (now := datetime.now(UTC)) < end + RETENTION + SLACK:
        time.sleep(POLL_S)
        visible, now_logged, now_cases = _state(engine_stack, before)
        now = datetime.now(UTC)
        assert set(visible) <= set(old), f"detections appeared: {sorted(set(visible) - set(old))}"
        gone = {signal: old[signal] for signal in set(old) - set(visible)}
        early = {signal: at for signal, (at, _a) in gone.items() if at > now - RETENTION + SLACK}
        assert not early, f"left mv_signals before retention: {early}"
        late = {signal: at for signal, (at, _a) in visible.items() if at < now - RETENTION - SLACK}
        assert not late, f"outlived retention: {late}"
        assert logged <= now_logged, f"left the log: {sorted(logged - now_logged)}"
        assert now_cases <= cases, f"cases appeared: {sorted(now_cases - cases)}"
        expired_accounts = {account for _at, account in gone.values()}
        closed = {case for case in cases - now_cases if case[1] not in expired_accounts}
        assert not closed, f"cases left with no detection of theirs expired: {sorted(closed)}"
    log(
        f"{len(gone)} of {len(old)} detections expired while watched; open cases"
        f" {len(cases)} -> {len(now_cases)}, none appeared"
    )
    assert gone, "no detection expired while watched"
