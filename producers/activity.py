"""How busy customers are at a given moment: realistic daily rates with daily and weekly cycles
and paydays (ACTIVITY=cycles). Pure functions of the clock; sources in docs/fraud_patterns.md.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

# Payments per customer per day. RBA Consumer Payments Survey 2022 (RDP 2023-08, table A2): 999
# people recorded 10,422 day-to-day payments in seven days, 1.49 a day; the Federal Reserve's
# Diary of Consumer Payment Choice 2019 counts 39 payments a month (1.3 a day).
PAYMENTS_PER_CUSTOMER_PER_DAY = 1.5
SECONDS_PER_DAY = 86_400.0

# Relative activity by hour of day (local time of the simulation clock): near nothing at night,
# a morning rise, a midday peak, a second peak after work (Paymark's New Zealand card data:
# busiest hour Saturday 12-1 pm, quietest Monday 3-4 am).
HOUR_WEIGHTS: tuple[float, ...] = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.4, 0.8, 1.2, 1.5, 1.7, 1.9,
    2.0, 1.9, 1.7, 1.6, 1.7, 1.8, 1.6, 1.3, 1.0, 0.7, 0.45, 0.25,
)  # fmt: skip
# Relative activity by weekday, Monday first: Saturday busiest, Sunday quieter (same source).
DAY_WEIGHTS: tuple[float, ...] = (0.9, 0.9, 0.95, 1.0, 1.1, 1.25, 0.9)
# Paydays: most Australian wages are paid fortnightly on a Thursday; spending is higher on the
# payday and the day after (an assumption of ours, not a measured figure).
PAYDAY_WEEKDAY = 3
PAYDAY_FACTOR = 1.3
PAYDAY_EPOCH = date(2026, 1, 1)  # a Thursday: paydays fall every 14 days from it
# The pool lives in eastern Australia (AEST, UTC+10): the cycles follow its local clock.
LOCAL_OFFSET = timedelta(hours=10)


def _day_weight(day: date) -> float:
    payday = PAYDAY_FACTOR if (day - PAYDAY_EPOCH).days % 14 in (0, 1) else 1.0
    return DAY_WEIGHTS[day.weekday()] * payday


_HOUR_MEAN = sum(HOUR_WEIGHTS) / len(HOUR_WEIGHTS)
_FORTNIGHT = [_day_weight(PAYDAY_EPOCH + timedelta(days=offset)) for offset in range(14)]
_DAY_MEAN = sum(_FORTNIGHT) / len(_FORTNIGHT)
PEAK = max(HOUR_WEIGHTS) / _HOUR_MEAN * max(_FORTNIGHT) / _DAY_MEAN


def is_payday_spending(moment: datetime) -> bool:
    """The payday or the day after it (local time)."""
    return (_local(moment).date() - PAYDAY_EPOCH).days % 14 in (0, 1)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) + LOCAL_OFFSET


def intensity(moment: datetime) -> float:
    """Activity at `moment` relative to its mean over any whole fortnight (which is 1)."""
    local = _local(moment)
    return HOUR_WEIGHTS[local.hour] / _HOUR_MEAN * _day_weight(local.date()) / _DAY_MEAN


def customers_for_rate(transaction_rate: float) -> int:
    """The pool that makes `transaction_rate` transactions a second on average at the cited
    per-customer daily rate."""
    return math.ceil(transaction_rate * SECONDS_PER_DAY / PAYMENTS_PER_CUSTOMER_PER_DAY)
