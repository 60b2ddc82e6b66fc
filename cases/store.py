"""The case store: reads the case views and writes decision records, over the PostgreSQL protocol.

The same SQL runs on RisingWave and PostgreSQL. RisingWave has no read-write transactions and
shows a write only after the next checkpoint, so writes are followed by FLUSH there (one FLUSH
for a batch: cases/confirmer.py), and the conflict rule rests on the decision table's primary
key, not on a transaction: the first record of a (case, step) is kept, the second is dropped
silently, and each writer reads back whose record was kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

import psycopg2
from psycopg2.extensions import connection as Connection
from psycopg2.extras import RealDictCursor

from cases.errors import UnknownCase
from cases.workflow import CaseState, Decision

# Every case: those in the open-case view with their analyst state, plus every case an analyst
# acted on that has left it (closed, or its signals aged out of retention): the dbt view
# mv_case_queue. A case once acted on stays listable and actionable until closed, and readable
# after, however much time passes.
_ALL_CASES = "select * from mv_case_queue"

# The rule set live at a moment: the version the latest change at or before it went to; before
# the first change, the version that change left. No row when no change was ever recorded.
_RULES_VERSION_AT = """
with changed_before as (
    select to_version as version, 1 as preference
    from mv_rule_history
    where changed_at <= %(at)s
    order by changed_at desc, change_id desc
    limit 1
),

first_change as (
    select from_version as version, 2 as preference
    from mv_rule_history
    order by changed_at, change_id
    limit 1
),

candidates as (
    select version, preference from changed_before
    union all
    select version, preference from first_change
)

select version from candidates order by preference limit 1
"""

DECISION_COLUMNS = (
    "decision_id",
    "case_id",
    "seq",
    "action",
    "actor",
    "actor_role",
    "decided_at",
    "previous_status",
    "status",
    "previous_assignee",
    "assignee",
    "outcome",
    "note",
    "account_id",
    "severity",
    "reason_codes",
    "case_opened_at",
    "request_id",
)


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ("open", "investigating")
    severity: str | None = None
    assignee: str | None = None  # a user, or "" for unassigned
    signal_type: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class DecisionFilter:
    case_id: str | None = None
    actor: str | None = None
    action: str | None = None
    decided_after: datetime | None = None
    decided_before: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Row = dict[str, Any]


def _in_case(prefix: str) -> str:
    """Detections of the case's account from its opening up to its closure (when closed)."""
    return (
        f"{prefix}account_id = %(account_id)s and {prefix}detected_at >= %(opened_at)s and"
        f" (cast(%(closed_at)s as timestamptz) is null or {prefix}detected_at <= %(closed_at)s)"
    )


_SIGNAL_COLUMNS = (
    "signal_id, signal_type, customer_id, account_id, card_token, detected_at, first_event_at,"
    " event_count, total_amount, reason"
)
# A case's detections: from mv_signals while there, then from the signal log
# (macros/signal_log.sql).
CASE_SIGNALS = (
    f"select {_SIGNAL_COLUMNS} from mv_signals union all select {_SIGNAL_COLUMNS}"
    " from signal_log as logged where not exists (select 1 from mv_signals as live"
    " where live.signal_id = logged.signal_id)"
)


# What the service reads and writes: /health answers 503 until all exist.
RELATIONS = (
    "case_decisions",
    "signal_log",
    "mv_open_fraud_cases",
    "mv_case_status",
    "mv_signals",
    "mv_account_risk_score_realtime",
    "int_signal_transactions",
    "int_transactions",
    "int_logins",
    "int_alerts",
    "mv_rule_performance",
    "mv_rule_history",
)


class Store:
    """One database; a connection per unit of work (autocommit: no transaction is relied on)."""

    def __init__(self, dsn: str, *, statement_timeout_s: int = 30) -> None:
        self._dsn = dsn
        self._statement_timeout_s = statement_timeout_s
        self._risingwave: bool | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        conn = psycopg2.connect(self._dsn, connect_timeout=10)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                # With a unit: RisingWave before 3.0 read a bare number as seconds, 3.0 as ms.
                cur.execute(f"set statement_timeout = '{int(self._statement_timeout_s)}s'")
                if self._risingwave is None:
                    cur.execute("select version()")
                    version = cast(tuple[Any, ...], cur.fetchone())  # one row, always
                    self._risingwave = "risingwave" in str(version[0]).lower()
            yield Session(conn, risingwave=self._risingwave)
        finally:
            conn.close()


class Session:
    def __init__(self, conn: Connection, *, risingwave: bool) -> None:
        self._conn = conn
        self.risingwave = risingwave

    def _rows(self, sql: str, params: Sequence[object] | dict[str, object] = ()) -> list[Row]:
        with self._conn.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute(sql, params)
            return [dict(row) for row in cur.fetchall()]

    def ping(self) -> None:
        self._rows("select 1 as ok")

    def missing_relations(self) -> list[str]:
        """The relations of RELATIONS the database lacks (tables, views, materialized views)."""
        found = self._rows(
            "select table_name as name from information_schema.tables"
            " where table_schema = current_schema() and table_name in %(names)s"
            " union all select matviewname as name from pg_catalog.pg_matviews"
            " where schemaname = current_schema() and matviewname in %(names)s",
            {"names": RELATIONS},
        )
        present = {row["name"] for row in found}
        return [name for name in RELATIONS if name not in present]

    # Reads --------------------------------------------------------------------------------

    def list_cases(
        self, flt: CaseFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Row]:
        where, params = ["status in %(statuses)s"], {"statuses": flt.statuses, "limit": limit}
        if flt.severity:
            where.append("severity = %(severity)s")
            params["severity"] = flt.severity
        if flt.assignee is not None:
            where.append("assignee is null" if flt.assignee == "" else "assignee = %(assignee)s")
            params["assignee"] = flt.assignee
        if flt.signal_type:
            where.append("',' || reason_codes || ',' like %(signal_like)s")
            params["signal_like"] = f"%,{flt.signal_type},%"
        if flt.opened_after:
            where.append("opened_at >= %(opened_after)s")
            params["opened_after"] = flt.opened_after
        if flt.opened_before:
            where.append("opened_at < %(opened_before)s")
            params["opened_before"] = flt.opened_before
        if after:
            where.append(
                "(opened_at > %(after_at)s"
                " or (opened_at = %(after_at)s and case_id > %(after_id)s))"
            )
            params["after_at"], params["after_id"] = after
        sql = (
            f"{_ALL_CASES} where {' and '.join(where)} order by opened_at, case_id limit %(limit)s"
        )
        return self._rows(sql, params)

    def case(self, case_id: str) -> Row:
        rows = self._rows(
            f"{_ALL_CASES} where case_id = %(case_id)s",
            {"case_id": case_id},
        )
        if not rows:
            raise UnknownCase(f"unknown case {case_id!r} (not open, and never acted on)")
        return rows[0]

    def state(self, case_id: str) -> CaseState:
        """The authoritative state for a write: the case plus its newest decision record."""
        case = self.case(case_id)
        latest = self._rows(
            "select seq, status, assignee, outcome from case_decisions"
            " where case_id = %(case_id)s order by seq desc limit 1",
            {"case_id": case_id},
        )
        base = {
            "case_id": case_id,
            "account_id": case["account_id"],
            "opened_at": case["opened_at"],
            "severity": case["severity"],
            "reason_codes": case["reason_codes"] or "",
        }
        if not latest:
            return CaseState(**base)
        return CaseState(**base, **latest[0])

    def story(self, case: Row, limit: int) -> dict[str, Any]:
        """What the case rests on: risk, signals, and the transactions, logins and alerts."""
        # The case's own detections: from its first one, up to its closure when closed (later
        # activity of the account belongs to a new case).
        params = {
            "account_id": case["account_id"],
            "opened_at": case["opened_at"],
            "closed_at": case["last_decided_at"] if case["status"] == "closed" else None,
            "limit": limit,
        }
        risk = self._rows(
            "select * from mv_account_risk_score_realtime where account_id = %(account_id)s",
            params,
        )
        # Live from mv_signals, then from the signal log, which keeps each detection after it
        # leaves retention (the same rule as int_case_signals).
        signals = self._rows(
            f"select * from ({CASE_SIGNALS}) as signals"
            f" where {_in_case('signals.')} order by detected_at, signal_id limit %(limit)s",
            params,
        )
        # Detections of the case that have left mv_signals: their raw events have expired.
        expired = self._rows(
            "select count(*) as expired from signal_log as logged"
            " left join mv_signals as live on logged.signal_id = live.signal_id"
            f" where live.signal_id is null and {_in_case('logged.')}",
            params,
        )[0]["expired"]
        transactions = self._rows(
            "with behind as (select distinct links.event_id as event_id,"
            " links.signal_type as signal_type from int_signal_transactions as links"
            f" inner join ({CASE_SIGNALS}) as signals on links.signal_id = signals.signal_id"
            f" where {_in_case('signals.')})"
            " select transactions.event_id as event_id, transactions.event_time as event_time,"
            " transactions.amount as amount, transactions.currency as currency,"
            " transactions.channel as channel, transactions.merchant_name as merchant_name,"
            " transactions.city as city, transactions.country as country,"
            " transactions.device_id as device_id, behind.signal_type as signal_type"
            " from behind inner join int_transactions as transactions"
            " on behind.event_id = transactions.event_id"
            " order by transactions.event_time, transactions.event_id limit %(limit)s",
            params,
        )
        if signals:
            params["since"] = min(row["first_event_at"] for row in signals)
            params["until"] = max(row["detected_at"] for row in signals)
            params["customer_id"] = signals[0]["customer_id"]
            logins = self._rows(
                "select event_id, event_time, device_id, ip_address, city, country, auth_method,"
                " success, is_new_device from int_logins where customer_id = %(customer_id)s"
                " and event_time >= %(since)s and event_time <= %(until)s"
                " order by event_time, event_id limit %(limit)s",
                params,
            )
            alerts = self._rows(
                "select event_id, event_time, alert_type, severity, source_system from int_alerts"
                " where customer_id = %(customer_id)s"
                " and event_time >= %(since)s and event_time <= %(until)s"
                " order by event_time, event_id limit %(limit)s",
                params,
            )
        else:
            logins, alerts = [], []
        return {
            "risk": risk,
            "expired_signals": int(expired),
            "signals": signals,
            "transactions": transactions,
            "logins": logins,
            "alerts": alerts,
        }

    def decisions(
        self, flt: DecisionFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Row]:
        where = ["true"]
        params: dict[str, object] = {"limit": limit}
        for column in ("case_id", "actor", "action"):
            value = getattr(flt, column)
            if value:
                where.append(f"{column} = %({column})s")
                params[column] = value
        if flt.decided_after:
            where.append("decided_at >= %(decided_after)s")
            params["decided_after"] = flt.decided_after
        if flt.decided_before:
            where.append("decided_at < %(decided_before)s")
            params["decided_before"] = flt.decided_before
        if after:
            where.append(
                "(decided_at > %(after_at)s"
                " or (decided_at = %(after_at)s and decision_id > %(after_id)s))"
            )
            params["after_at"], params["after_id"] = after
        columns = ", ".join(name for name in DECISION_COLUMNS if name != "request_id")
        return self._rows(
            f"select {columns} from case_decisions where {' and '.join(where)}"
            " order by decided_at, decision_id limit %(limit)s",
            params,
        )

    def timeline(self, case_id: str, after_seq: int = 0) -> list[Row]:
        """Every decision of the case in step order (after step `after_seq`), however many."""
        columns = ", ".join(name for name in DECISION_COLUMNS if name != "request_id")
        return self._rows(
            f"select {columns} from case_decisions"
            " where case_id = %(case_id)s and seq > %(after_seq)s order by seq",
            {"case_id": case_id, "after_seq": after_seq},
        )

    def recorded_by_request(self, case_id: str, request_id: str) -> Row | None:
        """The decision a request id already recorded on the case (an idempotent retry)."""
        columns = ", ".join(name for name in DECISION_COLUMNS if name != "request_id")
        rows = self._rows(
            f"select {columns} from case_decisions"
            " where case_id = %(case_id)s and request_id = %(request_id)s",
            {"case_id": case_id, "request_id": request_id},
        )
        return rows[0] if rows else None

    def rule_performance(self) -> list[Row]:
        return self._rows("select * from mv_rule_performance order by signal_type")

    def rule_history(self) -> list[Row]:
        """Every rule set change (promote, rollback), newest first."""
        return self._rows(
            "select change_id, changed_at, action, from_version, to_version, changed_by, reason,"
            " rebuilt_models from mv_rule_history order by changed_at desc, change_id desc"
        )

    def rules_version_at(self, at: datetime) -> str | None:
        """The rule set version live at `at`; None when no change was ever recorded (the
        service reads only the database, never rules/active)."""
        rows = self._rows(_RULES_VERSION_AT, {"at": at})
        return rows[0]["version"] if rows else None

    # Writes -------------------------------------------------------------------------------

    def insert(self, decision: Decision, request_id: str) -> None:
        """Write `decision` (not yet visible on RisingWave: see flush); a second record of the
        same (case, step) is dropped silently, so writing it again is harmless."""
        values = {**asdict(decision), "request_id": request_id}
        placeholders = ", ".join(f"%({name})s" for name in DECISION_COLUMNS)
        insert = (
            f"insert into case_decisions ({', '.join(DECISION_COLUMNS)}) values ({placeholders})"
        )
        # Both engines drop a second record of the same key without an error: RisingWave by the
        # table's ON CONFLICT DO NOTHING, PostgreSQL by the statement's. The read-back (kept)
        # then tells the writer whether its record is the one kept: one code path on both.
        if not self.risingwave:
            insert += " on conflict (decision_id) do nothing"
        with self._conn.cursor() as cur:
            cur.execute(insert, values)

    def flush(self) -> None:
        """Make every write before it visible: RisingWave waits for a checkpoint of every
        streaming job (seconds to a minute); PostgreSQL shows a write at once."""
        if self.risingwave:
            with self._conn.cursor() as cur:
                cur.execute("flush")

    def kept(self, decision_id: str) -> Row | None:
        """The record kept for a (case, step): whose it is (request_id), or None."""
        rows = self._rows(
            "select actor, action, request_id from case_decisions"
            " where decision_id = %(decision_id)s",
            {"decision_id": decision_id},
        )
        return rows[0] if rows else None


# The analyst page's evidence (cases/page.py): read-only queries around one case or entity. ---

# Entity kinds the pivot pages list, and where each is seen: (table, column, extra condition).
ENTITY_SOURCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "device": (
        ("int_transactions", "device_id", ""),
        ("int_logins", "device_id", ""),
    ),
    "ip": (("int_logins", "ip_address", ""),),
    "card": (("int_transactions", "card_token", ""),),
    "merchant": (("int_transactions", "merchant_id", " and channel <> 'transfer'"),),
    "payee": (("int_transactions", "merchant_id", " and channel = 'transfer'"),),
}


def customer_profile(session: Session, customer_id: str | None) -> Row | None:
    """The customer's latest KYC profile (home, tier, registered devices, typical spend)."""
    if not customer_id:
        return None
    rows = session._rows(
        "select customer_id, primary_account_id, home_city, home_country, risk_tier, kyc_status,"
        " registered_device_ids, typical_spend, customer_since, profile_updated_at"
        " from int_customers where customer_id = %(customer_id)s",
        {"customer_id": customer_id},
    )
    return rows[0] if rows else None


def account_activity(session: Session, account_id: str) -> Row:
    """How the account usually spends over what the views hold: count, mean and largest."""
    return session._rows(
        "select count(*) as transactions, avg(amount) as mean_amount, max(amount) as max_amount,"
        " min(event_time) as first_seen from int_transactions where account_id = %(account_id)s",
        {"account_id": account_id},
    )[0]


def transactions_between(
    session: Session, account_id: str, since: datetime, until: datetime, limit: int
) -> list[Row]:
    """Every transaction of the account in [since, until]: the flagged ones and those around."""
    return session._rows(
        "select event_id, event_time, amount, currency, channel, merchant_id, merchant_name,"
        " merchant_category, city, country, device_id, card_token, status from int_transactions"
        " where account_id = %(account_id)s and event_time >= %(since)s"
        " and event_time <= %(until)s order by event_time, event_id limit %(limit)s",
        {"account_id": account_id, "since": since, "until": until, "limit": limit},
    )


def prior_cases(session: Session, case: Row) -> list[Row]:
    """The account's other closed cases (with outcomes) and the customer's other open ones."""
    closed = session._rows(
        "select case_id, case_opened_at as opened_at, decided_at as closed_at, outcome, severity,"
        " note from case_decisions where account_id = %(account_id)s and action = 'close'"
        " and case_id <> %(case_id)s order by decided_at desc limit 20",
        {"account_id": case["account_id"], "case_id": case["case_id"]},
    )
    live = session._rows(
        "select case_id, opened_at, severity, account_id from mv_open_fraud_cases"
        " where customer_id = %(customer_id)s and case_id <> %(case_id)s"
        " order by opened_at desc limit 20",
        {"customer_id": case["customer_id"] or "", "case_id": case["case_id"]},
    )
    return [*({**row, "open": False} for row in closed), *({**row, "open": True} for row in live)]


def model_scores(
    session: Session, account_id: str, since: datetime, until: datetime, limit: int
) -> list[Row]:
    """The model's highest scores on the account's transactions in [since, until]."""
    return session._rows(
        "select event_id, event_time, amount, score, model_version, top_feature, top_reasons"
        " from int_ml_scores where account_id = %(account_id)s and event_time >= %(since)s"
        " and event_time <= %(until)s order by score desc, event_id limit %(limit)s",
        {"account_id": account_id, "since": since, "until": until, "limit": limit},
    )


def entity(session: Session, kind: str, value: str, limit: int) -> dict[str, list[Row]]:
    """Who shares an entity: the customers and accounts it was seen on, and their cases."""
    seen: list[Row] = []
    for table, column, condition in ENTITY_SOURCES[kind]:
        account = "account_id" if table == "int_transactions" else "cast(null as varchar)"
        name = "max(merchant_name)" if table == "int_transactions" else "cast(null as varchar)"
        seen += session._rows(
            f"select customer_id, {account} as account_id, count(*) as events,"
            f" min(event_time) as first_seen, max(event_time) as last_seen, {name} as name"
            f" from {table} where {column} = %(value)s{condition}"
            f" group by customer_id{', account_id' if table == 'int_transactions' else ''}"
            " order by last_seen desc limit %(limit)s",
            {"value": value, "limit": limit},
        )
    accounts = tuple({row["account_id"] for row in seen if row["account_id"]}) or ("",)
    customers = tuple({row["customer_id"] for row in seen if row["customer_id"]}) or ("",)
    cases = session._rows(
        f"{_ALL_CASES} where account_id in %(accounts)s"
        " or customer_id in %(customers)s order by opened_at desc, case_id limit %(limit)s",
        {"accounts": accounts, "customers": customers, "limit": limit},
    )
    return {"seen": seen, "cases": cases}
