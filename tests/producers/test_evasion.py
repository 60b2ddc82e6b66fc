"""Evasive fraud: every variant of every scenario stays under its rule on its own events, yet is
still the fraud it was (the same money, the same attacker), and its copies of the rules are true."""

from __future__ import annotations

import ast
import itertools
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from faker import Faker

from producers import evasion
from producers.generator import FAKER_LOCALE, generate
from producers.geo import haversine_km
from producers.models import Alert, Event, FraudLabel, KycProfile, Login, Record
from producers.models import Transaction as Tx
from producers.pool import build_customers, build_merchants
from producers.scams import SCAMS
from producers.scenarios import SCENARIOS, start_instance
from producers.world import World
from tests.producers.conftest import START, make_settings
from tests.producers.realistic import EVADES, Truth, signal_types

PRODUCERS = Path(__file__).resolve().parents[2] / "producers"

VARIANTS = sorted(name for variants in evasion.VARIANTS.values() for name, _ in variants)
SCENARIO_OF = {name: s for s, variants in evasion.VARIANTS.items() for name, _ in variants}
MIN_INSTANCES = 5


@pytest.fixture(scope="module")
def truth(realistic_stream: list[Record]) -> Truth:
    return Truth(realistic_stream)


def _most_in_window(times: list, window: timedelta) -> int:
    times = sorted(times)
    return max(
        sum(1 for later in times[index:] if later - start <= window)
        for index, start in enumerate(times)
    )


def _txs(events: list[Event]) -> list[Tx]:
    return [e for e in events if isinstance(e, Tx)]


def _median_gap(times: list) -> float:
    gaps = sorted((b - a).total_seconds() for a, b in itertools.pairwise(sorted(times)))
    return gaps[len(gaps) // 2]


def _paced_under_velocity(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert len(txs) >= 8  # 5-10 minutes of spending
    assert 8 <= _median_gap([t.event_time for t in txs]) <= 50


def _paced_card_tests(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert len(txs) >= 9 and all(t.is_card_not_present and t.amount <= 5 for t in txs)
    assert 15 <= _median_gap([t.event_time for t in txs]) <= 120


def _slow_guessing(events: list[Event], profile: KycProfile) -> None:
    failures = [e for e in events if isinstance(e, Login) and not e.success]
    assert len(failures) == len(events) >= 4
    assert 10 <= _median_gap([f.event_time for f in failures]) <= 120


def _below_band(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert len(txs) >= 2
    assert all(Decimal("6000") <= t.amount < Decimal("9000") for t in txs)


def _spaced_deposits(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert len(txs) >= 2 and all(Decimal("8500") <= t.amount < Decimal("10000") for t in txs)
    gaps = [b.event_time - a.event_time for a, b in itertools.pairwise(txs)]
    assert max(gaps) > timedelta(minutes=10)


def _hop(txs: list[Tx]) -> float:
    home, away = txs
    return haversine_km(home.latitude, home.longitude, away.latitude, away.longitude)


def _short_hop(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert 250 < _hop(txs) < 1600
    assert txs[1].event_time - txs[0].event_time < timedelta(minutes=120)


def _waits_out_travel_gap(events: list[Event], profile: KycProfile) -> None:
    txs = _txs(events)
    assert _hop(txs) > 3000
    assert txs[1].event_time - txs[0].event_time > timedelta(minutes=30)


def _takeover(events: list[Event], profile: KycProfile, *, known: bool, channel: str) -> None:
    logins = [e for e in events if isinstance(e, Login)]
    spends = [e for e in events if isinstance(e, Tx)]
    login = logins[0]
    assert events[0] is login and login.success and login.profile_change is None
    assert (login.device_id in profile.registered_device_ids) is known
    assert len(spends) >= 2
    assert all(t.channel == channel and t.amount >= 1500 for t in spends)
    assert {t.device_id for t in spends} == {login.device_id}
    if channel == "transfer":
        # the new device enrols itself before any money moves, all of it to one new payee
        changes = [e.profile_change for e in logins[1:]]
        assert changes[0] == "device_enrolled" and set(changes) <= {
            "device_enrolled",
            "contact_changed",
        }
        assert {e.device_id for e in logins} == {login.device_id}
        assert max(e.event_time for e in logins) < min(t.event_time for t in spends)
        payees = {t.counterparty_id for t in spends}
        assert len(payees) == 1 and None not in payees
    else:
        assert logins == [login]


def _spread_alerts(events: list[Event], profile: KycProfile) -> None:
    alerts = [e for e in events if isinstance(e, Alert)]
    assert len({a.alert_type for a in alerts}) == len(alerts) >= 2
    gaps = [b.event_time - a.event_time for a, b in itertools.pairwise(alerts)]
    assert min(gaps) > timedelta(seconds=30)


SHAPES: dict[str, Callable[[list[Event], KycProfile], None]] = {
    "paced_under_velocity": _paced_under_velocity,
    "paced_card_tests": _paced_card_tests,
    "slow_guessing": _slow_guessing,
    "below_band": _below_band,
    "spaced_deposits": _spaced_deposits,
    "short_hop": _short_hop,
    "waits_out_travel_gap": _waits_out_travel_gap,
    "known_device": lambda e, p: _takeover(e, p, known=True, channel="ecommerce"),
    "transfer_out": lambda e, p: _takeover(e, p, known=False, channel="transfer"),
    "spread_alerts": _spread_alerts,
}


def test_every_scenario_has_evasive_variants_with_a_shape() -> None:
    assert set(evasion.VARIANTS) == set(SCENARIOS)
    assert set(EVADES) == set(SCENARIOS) | set(SCAMS)
    assert all(evasion.VARIANTS.values())
    assert set(SHAPES) == set(VARIANTS)
    assert len(VARIANTS) == len(set(VARIANTS))


def test_the_generator_reads_no_rule() -> None:
    """The world never agrees with the rules by construction: no producer module imports the
    rule set or the dbt project, or names a file of theirs."""
    forbidden = ("rules", "fraud_detection", "scoring", "backtest")
    for path in sorted(PRODUCERS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "dbt_project" not in node.value and "ruleset" not in node.value, path
                continue
            else:
                continue
            assert not [n for n in names if n.split(".")[0] in forbidden], (path, names)


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_evasive_variant_has_its_shape_and_some_evade(variant: str, truth: Truth) -> None:
    labels = [r for r in truth.stream if isinstance(r, FraudLabel) and r.variant == variant]
    assert len(labels) >= MIN_INSTANCES, "too few instances to say anything"
    for label in labels:
        assert label.is_evasive and label.scenario == SCENARIO_OF[variant]
        own = truth.own_events(label)
        events = [e for e in own if not isinstance(e, KycProfile)]
        assert all(e.is_fraud and e.scenario_instance_id == label.instance_id for e in events)  # type: ignore[union-attr]
        profile = next(p for p in truth.profiles if p.customer_id == label.customer_id)
        SHAPES[variant](events, profile)  # type: ignore[arg-type]
    # Drawn, not placed under a threshold: at least one instance of the variant stays under
    # its scenario's rules (the tail the variant is); others may not.
    evaded = [
        not signal_types(truth.own_events(label)) & set(EVADES[label.scenario]) for label in labels
    ]
    assert any(evaded), variant


@pytest.mark.parametrize("rate", [0.0, 0.3, 1.0])
def test_evasion_rate_is_the_share_of_evasive_instances(rate: float) -> None:
    settings = make_settings(world="realistic", evasion_rate=rate)
    rng = random.Random(settings.seed)
    faker = Faker(FAKER_LOCALE)
    faker.seed_instance(settings.seed)
    customers = build_customers(settings.customer_pool_size, rng, faker)
    world = World(settings, rng, customers, build_merchants(len(customers), rng, faker), START)
    # Starts a simulated day apart: every victim is free again, so every start succeeds.
    instances = [start_instance(world, day * 86_400.0, evasion.VARIANTS) for day in range(600)]
    labels = [instance.label() for instance in instances if instance is not None]
    assert len(labels) == 600
    assert all(label.is_evasive == (label.variant is not None) for label in labels)
    share = sum(label.is_evasive for label in labels) / len(labels)
    assert abs(share - rate) <= 0.06
    if rate == 1.0:
        assert {label.variant for label in labels} == set(VARIANTS)


def test_the_clean_world_ignores_the_realistic_rates() -> None:
    plain = list(generate(make_settings(world="clean"), start=START, events=20_000))
    loud = make_settings(world="clean", evasion_rate=1.0, lookalike_rate=60.0)
    assert [r.payload() for r in generate(loud, start=START, events=20_000)] == [
        r.payload() for r in plain
    ]
    labels = [r for r in plain if isinstance(r, FraudLabel)]
    assert labels and not any(label.is_evasive or label.variant for label in labels)
