"""The champion model's features of a payment being authorised, computed as
mv_transaction_features computes them for the same payment once it is in the stream.

The history is the account's earlier transactions of the last HISTORY_HOURS (the request's own
time included, as the view's RANGE frames include peers). Without the account's state (the
fallback), what needs it is missing (NaN), which the model treats as XGBoost's missing value,
never as a silent zero.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from decisions.checks import is_new_device
from decisions.state import AccountState, Earlier
from producers.geo import haversine_km
from producers.models import Transaction
from scoring.features import HISTORY_HOURS

_HISTORY_FEATURES = (
    "amount_to_history_mean",
    "gap_to_typical_gap",
    "count_10m_to_typical",
    "is_new_merchant",
    "is_new_city",
    "is_new_account_device",
    "km_from_previous",
)


def history_features(request: Transaction, history: list[Earlier]) -> dict[str, float]:
    """The features comparing the payment with `history` (newest first, within HISTORY_HOURS)."""
    record = dict.fromkeys(_HISTORY_FEATURES, math.nan)
    if not history:
        return record
    amount = float(request.amount)
    at = request.event_time
    previous = history[0]
    mean_amount = sum(float(row.amount) for row in history) / len(history)
    record["amount_to_history_mean"] = amount / mean_amount if mean_amount else math.nan
    record["km_from_previous"] = haversine_km(
        previous.latitude, previous.longitude, request.latitude, request.longitude
    )
    if len(history) >= 2:
        span = (previous.event_time - history[-1].event_time).total_seconds()
        typical_gap = span / (len(history) - 1)
        gap = (at - previous.event_time).total_seconds()
        record["gap_to_typical_gap"] = gap / typical_gap if typical_gap else math.nan
        recent = sum(1 for row in history if row.event_time >= at - timedelta(seconds=600))
        record["count_10m_to_typical"] = recent * typical_gap / 600
    record["is_new_merchant"] = float(
        all(row.merchant_id != request.merchant_id for row in history)
    )
    record["is_new_city"] = float(all(row.city != request.city for row in history))
    if request.device_id is not None:
        devices = {row.device_id for row in history}
        record["is_new_account_device"] = float(request.device_id not in devices)
    return record


def feature_record(request: Transaction, state: AccountState | None) -> dict[str, Any]:
    amount = float(request.amount)
    at = request.event_time
    record: dict[str, Any] = {
        "amount": amount,
        "is_card_not_present": int(request.is_card_not_present),
        "channel": request.channel,
        "merchant_category": request.merchant_category,
    }
    if state is None:
        record.update(dict.fromkeys(_HISTORY_FEATURES, math.nan))
        record.update(
            amount_to_typical=math.nan, km_from_home=math.nan, is_new_device=math.nan, kyc_tier=None
        )
        return record
    since = at - timedelta(hours=HISTORY_HOURS)
    record.update(
        history_features(request, [row for row in state.earlier if row.event_time >= since])
    )
    customer = state.customer
    if customer is None:
        record.update(amount_to_typical=math.nan, km_from_home=math.nan, kyc_tier=None)
    else:
        typical = float(customer["typical_spend"] or 0)
        record["amount_to_typical"] = amount / typical if typical else math.nan
        # int_transactions rounds the distance from home to 0.1 km.
        record["km_from_home"] = round(
            haversine_km(
                float(customer["home_latitude"]),
                float(customer["home_longitude"]),
                request.latitude,
                request.longitude,
            ),
            1,
        )
        record["kyc_tier"] = customer["risk_tier"]
    record["is_new_device"] = int(is_new_device(request, state))
    return record
