"""Every injected scenario instance shows the shape its detection rule looks for, on its own."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from producers.models import FraudLabel, KycProfile, LookalikeLabel, Record
from producers.scenarios import SCENARIOS
from tests.support import shapes

# Scenario -> (oracle rule, which label field names the entity the rule reports).
INTENDED: dict[str, tuple[Callable[[list[Record]], shapes.Hits], str]] = {
    "velocity_burst": (shapes.velocity, "account_id"),
    "geo_impossible_travel": (shapes.geo_impossible, "account_id"),
    "account_takeover": (shapes.account_takeover, "account_id"),
    "card_testing": (shapes.cnp_spike, "card_token"),
    "login_storm": (shapes.login_storm, "customer_id"),
    "structuring": (lambda r: shapes.structuring(r, Decimal("10000")), "account_id"),
    "compound_fraud": (shapes.correlated_alerts, "customer_id"),
}


def test_every_scenario_has_an_intended_rule() -> None:
    assert set(INTENDED) == set(SCENARIOS)


def _instances(stream: list[Record], scenario: str) -> list[tuple[FraudLabel, list[Record]]]:
    profiles: list[Record] = [r for r in stream if isinstance(r, KycProfile)]
    events = {r.event_id: r for r in stream if not isinstance(r, FraudLabel | LookalikeLabel)}
    return [
        (label, profiles + [events[event_id] for event_id in label.event_ids])
        for label in stream
        if isinstance(label, FraudLabel) and label.scenario == scenario
    ]


@pytest.mark.parametrize("scenario", sorted(INTENDED))
def test_each_instance_alone_shows_its_shape(scenario: str, mixed_stream: list) -> None:
    rule, entity_field = INTENDED[scenario]
    instances = _instances(mixed_stream, scenario)
    assert len(instances) >= 20, "too few instances to say anything"
    for label, records in instances:
        hits = rule(records)
        entity = getattr(label, entity_field)
        assert entity in hits, (scenario, label.instance_id)
        assert all(label.started_at <= moment <= label.ended_at for moment in hits[entity])


def test_account_takeover_spending_is_also_a_device_anomaly(mixed_stream: list) -> None:
    for label, records in _instances(mixed_stream, "account_takeover"):
        assert label.account_id in shapes.device_anomaly(records)


def test_card_scenarios_name_a_card_and_login_storms_name_none(mixed_stream: list) -> None:
    labels = [r for r in mixed_stream if isinstance(r, FraudLabel)]
    for label in labels:
        if label.scenario == "login_storm":
            assert label.account_id is None and label.card_token is None
        elif label.scenario != "structuring":
            assert label.card_token is not None
