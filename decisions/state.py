"""The account's state as the live views hold it, read by point lookups.

Every lookup filters on a key the view is indexed by (dbt `indexes` config on the model, the
same on RisingWave and PostgreSQL), so each is one index seek, not a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from decisions import db
from rules.schema import signal_types


def _object(columns: list[str]) -> str:
    return "jsonb_build_object(" + ", ".join(f"'{name}', {name}" for name in columns) + ")"


_RISK = ["risk_score", "risk_level", "reason_codes"] + [
    f"{signal}_contribution" for signal in signal_types()
]
_CASE = ["case_id", "severity", "recommended_action", "reason_codes", "opened_at"]
_SIGNAL = ["signal_type", "detected_at", "reason"]
_CUSTOMER = [
    "typical_spend",
    "risk_tier",
    "home_latitude",
    "home_longitude",
    "registered_device_ids",
]
# The earlier transactions come as typed columns, in Earlier's field order: there are tens of
# them per request, and turning each into jsonb (in the database) and back (here) was the
# largest part of a lookup's CPU on both sides.
_EARLIER = [
    ("event_time", "timestamptz"),
    ("amount", "numeric"),
    ("card_token", "varchar"),
    ("is_card_not_present", "boolean"),
    ("latitude", "double precision"),
    ("longitude", "double precision"),
    ("merchant_id", "varchar"),
    ("city", "varchar"),
    ("device_id", "varchar"),
]


def _columns(part: str, body: str | None) -> str:
    """The select list of one branch: its part, its jsonb body (the few-row parts) or the
    earlier transaction's typed columns. RisingWave aligns a UNION's types only between two
    branches, so every column is cast in every branch."""
    typed = ", ".join(
        f"cast({name if body is None else 'null'} as {kind}) as {name}" for name, kind in _EARLIER
    )
    return f"cast('{part}' as varchar) as part, cast({body or 'null'} as jsonb) as body, {typed}"


# One round trip: five point lookups as one UNION ALL. Every branch filters on the key its view
# is indexed by. Shared by RisingWave and PostgreSQL.
LOOKUP_SQL = f"""
select {_columns("risk", _object(_RISK))}
from mv_account_risk_score_realtime where account_id = %(account_id)s
union all
select {_columns("case", _object(_CASE))}
from mv_open_fraud_cases where account_id = %(account_id)s
union all
select {_columns("signal", _object(_SIGNAL))}
from mv_signals where account_id = %(account_id)s
union all
select {_columns("customer", _object(_CUSTOMER))}
from int_customers where customer_id = %(customer_id)s
union all
select {_columns("earlier", None)}
from int_transactions
where account_id = %(account_id)s and event_time >= %(since)s and event_time <= %(until)s
    and event_id <> %(event_id)s
"""
MAX_HISTORY_ROWS = 2000


class Earlier(NamedTuple):
    """One of the account's earlier transactions (a tuple: tens are built per request)."""

    event_time: datetime
    amount: Decimal
    card_token: str | None
    is_card_not_present: bool
    latitude: float
    longitude: float
    merchant_id: str | None = None
    city: str | None = None
    device_id: str | None = None


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


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


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
    """The account's state in one query (one round trip on one connection)."""
    rows = await db.fetch(
        conn,
        LOOKUP_SQL,
        {
            "account_id": account_id,
            "customer_id": customer_id,
            "since": event_time - history,
            "until": event_time,
            "event_id": event_id,
        },
    )
    parts: dict[str, list[dict[str, Any]]] = {}
    earlier: list[Earlier] = []
    for row in rows:
        if row[0] == "earlier":
            earlier.append(Earlier._make(row[2:]))
        else:
            parts.setdefault(row[0], []).append(row[1])
    signals = sorted(parts.get("signal", []), key=lambda row: _moment(row["detected_at"]))
    signals = [
        {**row, "detected_at": _moment(row["detected_at"])}
        for row in reversed(signals[-recent_signals:] if recent_signals else [])
    ]
    earlier.sort(key=attrgetter("event_time"), reverse=True)
    del earlier[MAX_HISTORY_ROWS:]
    risk = parts.get("risk", [None])[0]
    if risk is not None:
        risk = {
            **risk,
            **{
                name: float(risk[name])
                for name in _RISK
                if name.endswith("_contribution") and risk[name] is not None
            },
        }
    return AccountState(
        risk, parts.get("case", [None])[0], signals, parts.get("customer", [None])[0], earlier
    )
