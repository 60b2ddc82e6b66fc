"""What the API and the page both do: list with cursors, tell a case's story, act on a case."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cases import cursor
from cases.errors import BadCursor, Conflict
from cases.journal import Entry
from cases.store import CaseFilter, DecisionFilter, Row, Session
from cases.workflow import Action, Decision, Principal, Role, decide

if TYPE_CHECKING:
    from cases.confirmer import Confirmer

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
    expired = parts.pop("expired_signals")
    note = (
        f"{expired} of the case's detections are older than retention: they are shown from the"
        " signal log, and the transactions, logins and alerts behind them have expired."
        if expired
        else None
    )
    return {
        "case": case,
        "risk": risk[0] if risk else None,
        "evidence_note": note,
        **parts,
        "timeline": session.timeline(case_id),
        "rules_version_at_open": session.rules_version_at(case["opened_at"]),
    }


def request_id_for(who: Principal, idempotency_key: str) -> str:
    """The request id of a keyed request: the same user's same key is the same request."""
    return hashlib.sha256(f"{who.user}\n{idempotency_key}".encode()).hexdigest()[:32]


def _changes_since(session: Session, case_id: str, seen_seq: int) -> str:
    changes = session.timeline(case_id, after_seq=seen_seq)
    told = ", ".join(f"{row['actor']} {row['action']}" for row in changes[:5])
    more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    return (
        f"{case_id} changed since you loaded it (step {seen_seq}): {told}{more};"
        " reload the case and try again"
    )


def act(
    session: Session,
    confirmer: Confirmer,
    who: Principal,
    case_id: str,
    action: Action,
    clock: Clock,
    *,
    users: Mapping[str, Role] | None = None,
    seen_seq: int | None = None,
    idempotency_key: str | None = None,
) -> Entry:
    """Journal `action` on the case and hand it to the confirmer; the entry answered is pending
    (cases/journal.py), or settled when a retry finds the first attempt's.

    `seen_seq` is the step the user saw: a case that moved on since gets Conflict naming what
    changed. A retry with the same `idempotency_key` answers the decision the first attempt
    recorded, without recording another. While a decision of this service on the case is
    pending, the next step is unknown (it may lose its step): the action is refused."""
    request_id = request_id_for(who, idempotency_key) if idempotency_key else uuid.uuid4().hex
    if idempotency_key:
        journaled = confirmer.journal.get(case_id, request_id)
        if journaled is not None:
            return journaled
        earlier = session.recorded_by_request(case_id, request_id)
        if earlier is not None:
            return Entry(request_id, Decision(**earlier), "confirmed")
    waiting = confirmer.journal.pending(case_id)
    if waiting:
        first = waiting[0].decision
        raise Conflict(
            f"{case_id}: {first.actor}'s {first.action} (step {first.seq}) is still being"
            " confirmed by the database; reload the case in a moment and try again"
        )
    state = session.state(case_id)
    if seen_seq is not None and seen_seq != state.seq:
        raise Conflict(_changes_since(session, case_id, seen_seq))
    at = clock()
    entry = Entry(request_id, decide(state, action, who, at, users))
    confirmer.journal.add(entry, at)
    confirmer.wake()
    return entry
