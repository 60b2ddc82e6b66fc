import io
from collections import Counter
from datetime import timedelta

import pytest

from producers import jsonl
from producers.generator import generate
from producers.models import FraudLabel, KycProfile, LookalikeLabel, Transaction
from tests.producers.conftest import START, make_settings
from tests.producers.test_invariant import RULES as INVARIANT_RULES


def _jsonl(**overrides: object) -> bytes:
    buffer = io.BytesIO()
    jsonl.write(generate(make_settings(**overrides), start=START, events=5000), buffer)
    return buffer.getvalue()


def test_same_seed_and_settings_give_byte_identical_output() -> None:
    assert _jsonl(seed=11) == _jsonl(seed=11)


def test_another_seed_gives_other_output() -> None:
    assert _jsonl(seed=11) != _jsonl(seed=12)


def test_records_come_in_event_time_order(mixed_stream: list) -> None:
    times = [record.timestamp for record in mixed_stream]
    assert times == sorted(times)
    assert times[0] == START
    assert times[-1] < START + timedelta(hours=1)


def test_every_customer_profile_opens_the_stream(mixed_stream: list) -> None:
    opening = mixed_stream[:500]
    assert all(isinstance(record, KycProfile) for record in opening)
    assert len({record.customer_id for record in opening}) == 500


def test_transaction_rate_and_event_mix_follow_the_settings(mixed_stream: list) -> None:
    counts = Counter(record.topic for record in mixed_stream)
    normal_transactions = sum(
        1 for r in mixed_stream if isinstance(r, Transaction) and not r.is_fraud
    )
    # 20/s for an hour, less the ticks given up when an account transacted too recently.
    assert 0.85 * 72_000 <= normal_transactions <= 72_000 * 1.02
    assert 0.4 <= counts["logins"] / counts["transactions"] <= 0.6
    for topic in ("card_events", "alerts", "kyc_profiles", "fraud_labels"):
        assert counts[topic] > 0


@pytest.mark.parametrize("world", ["clean", "realistic"])
def test_fraud_share_approaches_fraud_rate_until_victims_run_out(world: str) -> None:
    settings = make_settings(world=world, fraud_rate=0.1, customer_pool_size=4000)
    records = list(generate(settings, start=START, duration_s=1800))
    transactions = [r for r in records if isinstance(r, Transaction)]
    share = sum(r.is_fraud for r in transactions) / len(transactions)
    assert 0.07 <= share <= 0.12


def test_labels_account_for_exactly_the_fraudulent_events(mixed_stream: list) -> None:
    labels = [r for r in mixed_stream if isinstance(r, FraudLabel)]
    assert len(labels) > 100
    labelled = Counter(event_id for label in labels for event_id in label.event_ids)
    assert max(labelled.values()) == 1
    events = {r.event_id: r for r in mixed_stream if not isinstance(r, FraudLabel)}
    for label in labels:
        members = [events[event_id] for event_id in label.event_ids]
        assert all(m.is_fraud and m.scenario_instance_id == label.instance_id for m in members)
        assert all(m.fraud_scenario == label.scenario for m in members)
        assert min(m.event_time for m in members) == label.started_at
        assert max(m.event_time for m in members) == label.ended_at
        assert all(m.customer_id == label.customer_id for m in members)
    # Fraud whose label is still to come (the run ended mid-scenario) is the only unlabelled fraud.
    unlabelled = [r for r in events.values() if r.is_fraud and r.event_id not in labelled]
    assert all(r.event_time > mixed_stream[-1].timestamp - timedelta(hours=2) for r in unlabelled)


def test_fraud_rate_zero_injects_nothing(clean_stream: list) -> None:
    assert not any(getattr(record, "is_fraud", False) for record in clean_stream)
    assert not any(isinstance(record, FraudLabel) for record in clean_stream)


def test_a_restarted_run_keeps_its_customers_but_never_repeats_an_event_id() -> None:
    settings = make_settings(seed=21)
    first = list(generate(settings, start=START, events=3000))
    second = list(generate(settings, start=START + timedelta(minutes=5), events=3000))
    assert {r.customer_id for r in first[:500]} == {r.customer_id for r in second[:500]}
    event_ids = [
        {r.event_id for r in run if not isinstance(r, FraudLabel | LookalikeLabel)}
        for run in (first, second)
    ]
    assert not event_ids[0] & event_ids[1]


def test_two_back_to_back_runs_together_show_no_fraud_shape() -> None:
    # `make restart-producer`: a run stops and the next starts seconds later with fresh guards.
    # A small pool keeps every account busy, so a pattern across the restart would show.
    settings = make_settings(world="clean", fraud_rate=0.0, customer_pool_size=400)
    stop = START + timedelta(minutes=20)
    first = list(generate(settings, start=START, duration_s=20 * 60))
    second = list(generate(settings, start=stop + timedelta(seconds=2), duration_s=20 * 60))
    combined = first + second
    for rule in INVARIANT_RULES.values():
        assert rule(combined) == {}
