"""What the API and the page both do: list with cursors, tell a case's story, act on a case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cases import cursor
from cases.errors import BadCursor
from cases.store import CaseFilter, DecisionFilter, Row, Session
from cases.workflow import Action, Decision, Principal, decide

Clock = Callable[[], datetime]


def _after(token: str | None, filters: dict[str, object]) -> tuple[datetime, str] | None:
    if not token:
        return None
    at, key = cursor.decode(token, filters)
    try:
        return datetime.fromisoformat(at), key
    except ValueError as error:
        raise BadCursor("cursor: not a cursor this service issued") from error


def _page(rows: list[Row], limit: int, key: tuple[str, str], filters: dict[str, object]):
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, cursor.encode((last[key[0]].isoformat(), last[key[1]]), filters)


def list_cases(
    session: Session, flt: CaseFilter, token: str | None, limit: int
) -> tuple[list[Row], str | None]:
    filters = {"kind": "cases", **flt.as_dict()}
    rows = session.list_cases(flt, _after(token, filters), limit + 1)
    return _page(rows, limit, ("opened_at", "case_id"), filters)


def list_decisions(
    session: Session, flt: DecisionFilter, token: str | None, limit: int
) -> tuple[list[Row], str | None]:
    filters = {"kind": "decisions", **flt.as_dict()}
    rows = session.decisions(flt, _after(token, filters), limit + 1)
    return _page(rows, limit, ("decided_at", "decision_id"), filters)


def story(session: Session, case_id: str, limit: int) -> dict[str, Any]:
    case = session.case(case_id)
    parts = session.story(case, limit)
    risk = parts.pop("risk")
    return {
        "case": case,
        "risk": risk[0] if risk else None,
        **parts,
        "timeline": session.timeline(case_id),
        "rules_version_at_open": session.rules_version_at(case["opened_at"]),
    }


def act(
    session: Session, who: Principal, case_id: str, action: Action, clock: Clock
) -> tuple[Decision, Row]:
    """Record `action` on the case; the returned case row already shows it (read-after-write)."""
    decision = decide(session.state(case_id), action, who, clock())
    session.record(decision)
    return decision, session.case(case_id)
