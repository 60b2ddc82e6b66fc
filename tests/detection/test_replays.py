"""Replays of generated history through every detection view on an embedded PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from backtest.replay import ReplayResult
from common.contract import CONTRACT
from offline.load import Message
from offline.replay import history
from offline.schema import raw_columns
from producers.models import TOPICS, Scenario
from tests.detection import malformed
from tests.support.replay import (
    CLEAN_REPLAY_MINUTES,
    FRAUD_REPLAY_MINUTES,
    replay_end,
    replay_settings,
    replay_until_end,
    rows,
)

# Every scenario a signal is meant to catch (the contract); a scam with none is measured in
# docs/detection_quality.md as what slips through.
SCENARIOS = {
    scenario.name for scenario in CONTRACT.scenarios if scenario.primary is not None
} & set(Scenario.__args__)  # type: ignore[attr-defined]
MIN_CRITICAL_WITH_FRAUD_SHARE = 0.95
REALISTIC_HONEST_REPLAY_MINUTES = 60


@pytest.fixture(scope="module")
def clean_replay(
    embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReplayResult]:
    yield from replay_until_end(
        tmp_path_factory, "clean-replay", replay_settings(0.0), minutes=CLEAN_REPLAY_MINUTES
    )


@pytest.fixture(scope="module")
def realistic_honest_replay(
    embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReplayResult]:
    """The realistic world with FRAUD_RATE=0 and many look-alikes, on a smaller pool."""
    settings = replay_settings(
        0.0, world="realistic", lookalike_rate=1.0, customer_pool_size=200, transaction_rate=10.0
    )
    yield from replay_until_end(
        tmp_path_factory,
        "realistic-honest-replay",
        settings,
        minutes=REALISTIC_HONEST_REPLAY_MINUTES,
    )


@pytest.fixture(scope="module")
def malformed_messages() -> list[tuple[Message, str | None]]:
    """Defective copies of real fraud events of the fraud replay, each with its expected reason."""
    records = history(
        replay_settings(0.1), end=replay_end(), minutes=FRAUD_REPLAY_MINUTES, events=None
    )
    return malformed.defective_copies(records)


@pytest.fixture(scope="module")
def dirty_replay(
    embedded_postgres: None,
    tmp_path_factory: pytest.TempPathFactory,
    malformed_messages: list[tuple[Message, str | None]],
) -> Iterator[ReplayResult]:
    yield from replay_until_end(
        tmp_path_factory,
        "dirty-replay",
        replay_settings(0.1),
        minutes=FRAUD_REPLAY_MINUTES,
        extra_messages=[message for message, _ in malformed_messages],
    )


def test_normal_traffic_raises_no_signal_no_critical_account_and_no_case(
    clean_replay: ReplayResult,
) -> None:
    assert clean_replay.events > 60 * CLEAN_REPLAY_MINUTES * 20  # an hour at default rates
    assert rows(clean_replay, "select count(*) from mv_signals") == [(0,)]
    assert clean_replay.report.critical_accounts == 0
    assert clean_replay.report.open_cases == 0
    # No card has risk: Card Precision@100 is undefined, not 0.0, on every day the history
    # touches (two when it spans midnight UTC).
    days = clean_replay.report.card_precision
    assert 1 <= len(days) <= 2
    assert {(day["cards_with_risk"], day["card_precision_at_100"]) for day in days} == {(0, None)}


def test_honest_lookalikes_raise_signals_but_no_critical_account(
    realistic_honest_replay: ReplayResult,
) -> None:
    result = realistic_honest_replay
    assert rows(result, "select count(*) from src_fraud_labels") == [(0,)]
    ((episodes,),) = rows(result, "select count(*) from src_lookalike_labels")
    assert episodes >= 100
    # Measured, not hidden: look-alikes bother the rules, some up to high risk...
    ((signals,),) = rows(result, "select count(*) from mv_signals")
    assert signals >= 30
    levels = dict(
        rows(
            result,
            "select risk_level, count(*) from mv_account_risk_score_realtime group by risk_level",
        )
    )
    assert levels.get("high", 0) > 0
    # ...but no honest account reaches critical risk.
    assert "critical" not in levels
    assert result.report.critical_accounts == 0


def test_every_injected_instance_is_detected_by_its_intended_signal(
    fraud_replay: ReplayResult,
) -> None:
    scenarios = {row["scenario"]: row for row in fraud_replay.report.scenarios}
    assert set(scenarios) == SCENARIOS
    for name, row in scenarios.items():
        assert row["injected"] > 0, name
        assert (name, row["detected"]) == (name, row["injected"])
        assert row["recall"] == 1.0


def test_critical_accounts_carry_injected_fraud(fraud_replay: ReplayResult) -> None:
    report = fraud_replay.report
    assert report.critical_accounts > 0
    with_fraud = report.critical_accounts - report.critical_accounts_without_fraud
    assert with_fraud / report.critical_accounts >= MIN_CRITICAL_WITH_FRAUD_SHARE
    assert report.open_cases >= report.critical_accounts


def test_dbt_unit_and_data_tests_ran_and_passed(fraud_replay: ReplayResult) -> None:
    # The replay's `dbt build` fails on any failing test; this proves the tests were in it.
    (run_results,) = fraud_replay.work_dir.rglob("run_results.json")
    results = json.loads(run_results.read_text())["results"]
    kinds = Counter(item["unique_id"].split(".")[0] for item in results)
    assert kinds["unit_test"] >= 7
    assert kinds["test"] >= 30
    assert {item["status"] for item in results} <= {"success", "pass"}


def test_malformed_events_change_no_signal_and_are_all_counted(
    fraud_replay: ReplayResult,
    dirty_replay: ReplayResult,
    malformed_messages: list[tuple[Message, str | None]],
) -> None:
    signals = "select signal_id, account_id, detected_at, event_count from mv_signals order by 1"
    assert rows(dirty_replay, signals) == rows(fraud_replay, signals)
    risk = "select account_id, risk_score from mv_account_risk_score_realtime order by 1"
    assert rows(dirty_replay, risk) == rows(fraud_replay, risk)

    expected = Counter(
        (message.topic, reason) for message, reason in malformed_messages if reason is not None
    )
    counted = {
        (topic, reason): count
        for topic, reason, count in rows(
            dirty_replay,
            "select topic, rejection_reason, rejected_count from mv_data_quality_summary",
        )
    }
    assert counted == dict(expected)
    assert rows(fraud_replay, "select count(*) from mv_rejected_events") == [(0,)]
    not_json = Counter(message.topic for message, reason in malformed_messages if reason is None)
    assert dirty_replay.load.skipped == dict(not_json)


def test_payload_fields_equal_source_columns(fraud_replay: ReplayResult) -> None:
    # The realistic world: look-alike labels exist only there.
    settings = replay_settings(0.1, world="realistic")
    records = history(settings, end=replay_end(), minutes=10, events=None)
    payload_fields: dict[str, list[str]] = {}
    for record in records:
        payload_fields.setdefault(record.topic, list(json.loads(record.payload())))
    assert set(payload_fields) == set(TOPICS)
    for topic, fields in payload_fields.items():
        assert [column.name for column in raw_columns()[topic]] == fields
        columns = rows(
            fraud_replay,
            "select column_name from information_schema.columns"
            f" where table_schema = 'public' and table_name = 'src_{topic}'"
            " order by ordinal_position",
        )
        assert [name for (name,) in columns] == [*fields, "ingested_at"]
