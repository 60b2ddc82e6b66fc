"""The critical invariant: with FRAUD_RATE=0, no account, card or customer shows any fraud shape."""

from decimal import Decimal

import pytest

from tests.support import shapes

RULES = {
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
