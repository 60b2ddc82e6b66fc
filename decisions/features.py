"""The champion model's features of a payment being authorised, computed as
mv_transaction_features computes them for the same payment once it is in the stream.

Without the account's state (the fallback), what needs it is missing (NaN), which the model
treats as XGBoost's missing value, never as a silent zero.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from decisions.checks import is_new_device
from decisions.state import AccountState
from producers.geo import haversine_km
from producers.models import Transaction

_WINDOWS = (("1m", 60), ("10m", 600), ("1h", 3600))


def feature_record(request: Transaction, state: AccountState | None) -> dict[str, Any]:
    amount = float(request.amount)
    at = request.event_time
    record: dict[str, Any] = {
        "amount": amount,
        "is_card_not_present": int(request.is_card_not_present),
        "hour_of_day": at.hour,
        "channel": request.channel,
        "merchant_category": request.merchant_category,
    }
    if state is None:
        for name, _ in _WINDOWS:
            record[f"txn_count_{name}"] = math.nan
            record[f"amount_sum_{name}"] = math.nan
        record.update(
            amount_to_typical=math.nan,
            seconds_since_previous=math.nan,
            km_from_previous=math.nan,
            km_from_home=math.nan,
            is_new_device=math.nan,
            kyc_tier=None,
        )
        return record
    for name, seconds in _WINDOWS:
        rows = [row for row in state.earlier if row.event_time >= at - timedelta(seconds=seconds)]
        record[f"txn_count_{name}"] = len(rows) + 1
        record[f"amount_sum_{name}"] = amount + float(sum(row.amount for row in rows))
    previous = state.earlier[0] if state.earlier else None
    if previous is None:
        record["seconds_since_previous"] = math.nan
        record["km_from_previous"] = math.nan
    else:
        record["seconds_since_previous"] = (at - previous.event_time).total_seconds()
        record["km_from_previous"] = haversine_km(
            previous.latitude, previous.longitude, request.latitude, request.longitude
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
