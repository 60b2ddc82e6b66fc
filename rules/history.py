"""The rule history table (macros/rule_sets.sql): writing a change, reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg2.extensions import connection as Connection

COLUMNS = (
    "change_id",
    "changed_at",
    "action",
    "from_version",
    "to_version",
    "changed_by",
    "reason",
    "rebuilt_models",
)


@dataclass(frozen=True)
class RuleChange:
    change_id: str
    changed_at: datetime
    action: str
    from_version: str
    to_version: str
    changed_by: str
    reason: str
    rebuilt_models: str


def record(conn: Connection, change: RuleChange, *, flush: bool) -> None:
    """Append `change`; `flush` makes it visible at once on RisingWave (its writes are otherwise
    seen at the next checkpoint)."""
    values = [getattr(change, name) for name in COLUMNS]
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with conn.cursor() as cursor:
        cursor.execute(
            f"insert into rule_history ({', '.join(COLUMNS)}) values ({placeholders})", values
        )
        if flush:
            cursor.execute("flush")
    conn.commit()


def changes(conn: Connection) -> list[RuleChange]:
    """Every change, oldest first; none when the table does not exist yet."""
    with conn.cursor() as cursor:
        cursor.execute(
            "select count(*) from information_schema.tables where table_name = 'rule_history'"
        )
        (exists,) = cursor.fetchone() or (0,)
        if not exists:
            return []
        cursor.execute(
            f"select {', '.join(COLUMNS)} from rule_history order by changed_at, change_id"
        )
        return [RuleChange(*row) for row in cursor.fetchall()]


def rollback_target(history: list[RuleChange]) -> str | None:
    """The version a rollback returns to: the one before the latest promote not yet rolled back
    (so rollback after rollback walks further back rather than redoing)."""
    stack: list[str] = []
    for change in history:
        if change.action == "promote":
            stack.append(change.from_version)
        elif stack:
            stack.pop()
    return stack[-1] if stack else None
