"""The account's state as the live views hold it, read by point lookups.

Every lookup filters on a key the view is indexed by (dbt `indexes` config on the model, the
same on RisingWave and PostgreSQL), so each is one index seek, not a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from decisions import db
from rules.schema import signal_types

RISK_SQL = (
    "select risk_score, risk_level, reason_codes, "
    + ", ".join(f"{signal}_contribution" for signal in signal_types())
    + " from mv_account_risk_score_realtime where account_id = %(account_id)s"
)
CASE_SQL = (
    "select case_id, severity, recommended_action, reason_codes, opened_at"
    " from mv_open_fraud_cases where account_id = %(account_id)s"
)
SIGNALS_SQL = (
    "select signal_type, detected_at, reason from mv_signals"
    " where account_id = %(account_id)s order by detected_at desc limit %(limit)s"
)
CUSTOMER_SQL = (
    "select typical_spend, risk_tier, home_latitude, home_longitude, registered_device_ids"
    " from stg_customers where customer_id = %(customer_id)s"
)
# The account's earlier transactions in the longest window a check or feature needs.
TRANSACTIONS_SQL = (
    "select event_id, event_time, amount, card_token, is_card_not_present, latitude, longitude"
    " from stg_transactions where account_id = %(account_id)s"
    " and event_time >= %(since)s and event_time <= %(until)s and event_id <> %(event_id)s"
    " order by event_time desc, event_id desc limit %(max_rows)s"
)
MAX_HISTORY_ROWS = 2000


@dataclass(frozen=True)
class Earlier:
    """One of the account's earlier transactions."""

    event_time: datetime
    amount: Decimal
    card_token: str | None
    is_card_not_present: bool
    latitude: float
    longitude: float


@dataclass(frozen=True)
class AccountState:
    risk: dict[str, Any] | None
    open_case: dict[str, Any] | None
    signals: list[dict[str, Any]]
    customer: dict[str, Any] | None
    # Newest first, none after the request's event time.
    earlier: list[Earlier] = field(default_factory=list)

    @property
    def contributions(self) -> dict[str, float]:
        if self.risk is None:
            return {}
        return {
            signal: float(self.risk[f"{signal}_contribution"])
            for signal in signal_types()
            if self.risk.get(f"{signal}_contribution") and self.risk[f"{signal}_contribution"] > 0
        }


async def lookup(
    conn: db.Connection,
    *,
    account_id: str,
    customer_id: str,
    event_id: str,
    event_time: datetime,
    history: timedelta,
    recent_signals: int,
) -> AccountState:
    """Five point lookups on one connection (one at a time: a connection runs one query)."""
    key = {"account_id": account_id}
    risk = await db.fetch(conn, RISK_SQL, key)
    case = await db.fetch(conn, CASE_SQL, key)
    signals = (
        await db.fetch(conn, SIGNALS_SQL, {**key, "limit": recent_signals})
        if recent_signals
        else []
    )
    customer = await db.fetch(conn, CUSTOMER_SQL, {"customer_id": customer_id})
    rows = await db.fetch(
        conn,
        TRANSACTIONS_SQL,
        {
            **key,
            "since": event_time - history,
            "until": event_time,
            "event_id": event_id,
            "max_rows": MAX_HISTORY_ROWS,
        },
    )
    earlier = [
        Earlier(
            row["event_time"],
            Decimal(row["amount"]),
            row["card_token"],
            bool(row["is_card_not_present"]),
            float(row["latitude"]),
            float(row["longitude"]),
        )
        for row in rows
    ]
    return AccountState(
        risk[0] if risk else None,
        case[0] if case else None,
        signals,
        customer[0] if customer else None,
        earlier,
    )
