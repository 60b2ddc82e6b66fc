"""ACTIVITY=cycles: realistic per-customer daily rates with daily and weekly cycles and paydays."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from producers.activity import (
    LOCAL_OFFSET,
    PAYMENTS_PER_CUSTOMER_PER_DAY,
    customers_for_rate,
    intensity,
    is_payday_spending,
)
from producers.generator import generate
from producers.models import Transaction
from tests.producers.conftest import make_settings

# A Sunday at midnight UTC; 2026-12-03 (Thursday) is a payday.
START = datetime(2026, 11, 29, tzinfo=UTC)


def test_intensity_averages_one_over_a_fortnight_and_follows_the_clock() -> None:
    hours = [intensity(START + timedelta(hours=hour)) for hour in range(24 * 14)]
    assert sum(hours) / len(hours) == pytest.approx(1.0)
    local_midday = datetime(2026, 12, 1, 12, tzinfo=UTC) - LOCAL_OFFSET
    local_3am = datetime(2026, 12, 1, 3, tzinfo=UTC) - LOCAL_OFFSET
    assert intensity(local_midday) > 20 * intensity(local_3am)
    saturday = local_midday + timedelta(days=4)
    assert intensity(saturday) > intensity(local_midday)


def test_paydays_fall_fortnightly_on_thursday_and_raise_spending() -> None:
    payday = datetime(2026, 12, 3, 12, tzinfo=UTC) - LOCAL_OFFSET
    assert payday.weekday() == 3 and is_payday_spending(payday)
    assert is_payday_spending(payday + timedelta(days=14))
    assert not is_payday_spending(payday + timedelta(days=7))
    assert intensity(payday) > intensity(payday + timedelta(days=7))


def test_the_pool_must_reach_the_rate_at_the_cited_daily_rate() -> None:
    needed = customers_for_rate(2.0)
    assert needed == round(2.0 * 86_400 / PAYMENTS_PER_CUSTOMER_PER_DAY)
    make_settings(activity="cycles", transaction_rate=2.0, customer_pool_size=needed)
    with pytest.raises(ValidationError, match="CUSTOMER_POOL_SIZE: ACTIVITY=cycles needs"):
        make_settings(activity="cycles", transaction_rate=2.0, customer_pool_size=needed - 1)


def test_cycles_give_the_daily_shape_and_mean_rate() -> None:
    rate = 0.05
    settings = make_settings(
        world="clean",
        activity="cycles",
        transaction_rate=rate,
        customer_pool_size=customers_for_rate(rate),
        fraud_rate=0.0,
    )
    days = 7
    records = generate(settings, start=START, duration_s=days * 86_400)
    hours = Counter(
        (r.event_time + LOCAL_OFFSET).hour for r in records if isinstance(r, Transaction)
    )
    total = sum(hours.values())
    # TRANSACTION_RATE scaled by the week's intensity (this week holds a payday).
    expected = sum(rate * 3600 * intensity(START + timedelta(hours=h)) for h in range(24 * days))
    assert expected > rate * days * 86_400
    assert total == pytest.approx(expected, rel=0.03)
    night = sum(hours[hour] for hour in range(1, 5))
    midday = sum(hours[hour] for hour in range(11, 15))
    assert midday > 10 * night
