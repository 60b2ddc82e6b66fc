"""The critical invariant. Clean world, FRAUD_RATE=0: no account, card or customer shows any fraud
shape. Both worlds, FRAUD_RATE=0: no account reaches critical risk (look-alikes may raise signals
and high risk in the realistic world: that is measured, not hidden)."""

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from producers.models import Event, FraudLabel, LookalikeLabel, Record
from tests.producers.realistic import IMITATES, dbt_vars
from tests.support import shapes

RULES: dict[str, Callable[[list[Record]], shapes.Hits]] = {
    "velocity": shapes.velocity,
    "geo_impossible": shapes.geo_impossible,
    "device_anomaly": shapes.device_anomaly,
    "account_takeover": shapes.account_takeover,
    "cnp_spike": shapes.cnp_spike,
    "login_storm": shapes.login_storm,
    "structuring": lambda records: shapes.structuring(records, Decimal("10000")),
    "correlated_alerts": shapes.correlated_alerts,
}


def test_the_clean_stream_is_large_enough(clean_stream: list) -> None:
    assert len(clean_stream) >= 100_000


@pytest.mark.parametrize("rule", RULES)
def test_normal_traffic_never_shows_a_fraud_shape(rule: str, clean_stream: list) -> None:
    assert RULES[rule](clean_stream) == {}


@pytest.mark.parametrize("rule", RULES)
def test_the_oracle_does_see_the_shape_in_fraudulent_traffic(rule: str, mixed_stream: list) -> None:
    # Guards the invariant test above against an oracle that never fires.
    assert RULES[rule](mixed_stream)


def _risks(records: list[Record]) -> dict[str, float]:
    weights = dbt_vars()["risk_weights"]
    found = shapes.signal_types_by_account(records, Decimal("10000"))
    return {account: shapes.risk_score(types, weights) for account, types in found.items()}


def test_the_honest_realistic_stream_covers_an_hour_and_holds_no_fraud(
    realistic_honest_stream: list[Record],
) -> None:
    span = realistic_honest_stream[-1].timestamp - realistic_honest_stream[0].timestamp
    assert span >= timedelta(minutes=60)
    assert not any(isinstance(r, Event) and r.is_fraud for r in realistic_honest_stream)
    assert not any(isinstance(r, FraudLabel) for r in realistic_honest_stream)
    kinds = Counter(r.kind for r in realistic_honest_stream if isinstance(r, LookalikeLabel))
    # every kind, some often (long episodes, a trip abroad, finish less often within the hour)
    assert len(kinds) == len(IMITATES) and min(kinds.values()) >= 5


@pytest.mark.parametrize("world", ["clean", "realistic"])
def test_no_honest_account_reaches_critical_risk(
    world: str, clean_stream: list[Record], realistic_honest_stream: list[Record]
) -> None:
    critical = dbt_vars()["risk_level_critical"]
    stream = clean_stream if world == "clean" else realistic_honest_stream
    risks = _risks(stream)
    assert not {account: risk for account, risk in risks.items() if risk >= critical}
    if world == "realistic":
        # Look-alikes do bother the rules: some honest accounts carry signals, some at high risk.
        assert len(risks) >= 50
        assert max(risks.values()) >= dbt_vars()["risk_level_high"]
    else:
        assert risks == {}


def test_the_risk_oracle_does_see_critical_accounts_in_fraudulent_traffic(
    mixed_stream: list[Record],
) -> None:
    # Guards the test above against an oracle that never adds up to critical.
    assert max(_risks(mixed_stream).values()) >= dbt_vars()["risk_level_critical"]
