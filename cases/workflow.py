"""The case workflow, pure: which action is legal in which state, and the record it produces.

A case's state is the fold of its decision records; the newest record carries the whole state
(status, assignee, outcome), so reading one row gives the state and the next sequence number.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from cases.errors import Forbidden, IllegalTransition, InvalidInput
from common.contract import CONTRACT

# How a case closes, from the detection contract (common/contract.yml).
OUTCOMES: tuple[str, ...] = tuple(CONTRACT.outcomes)
if TYPE_CHECKING:
    Outcome = str
else:  # a Literal built from the contract, so the API validates and documents the names
    Outcome = Literal[OUTCOMES]
Status = Literal["open", "investigating", "closed"]
Role = Literal["viewer", "analyst", "lead"]
ActionName = Literal["assign", "comment", "status", "close", "reopen"]

STATUSES: tuple[Status, ...] = ("open", "investigating", "closed")
ROLES: tuple[Role, ...] = ("viewer", "analyst", "lead")
# The signal types a case's reason codes name (the contract's).
SIGNAL_TYPES: frozenset[str] = frozenset(CONTRACT.signal_types)
MAX_NOTE_CHARS = 4000
# Who may hold a case: only users who can act on it.
ASSIGNABLE_ROLES: frozenset[Role] = frozenset({"analyst", "lead"})
# Status changes through the status action; closing and reopening have actions of their own.
_STATUS_MOVES: frozenset[tuple[Status, Status]] = frozenset(
    {("open", "investigating"), ("investigating", "open")}
)


@dataclass(frozen=True)
class Principal:
    user: str
    role: Role


@dataclass(frozen=True)
class CaseState:
    """Where a case stands: `seq` is the number of decisions recorded so far."""

    case_id: str
    account_id: str
    opened_at: datetime
    severity: str
    reason_codes: str
    seq: int = 0
    status: Status = "open"
    assignee: str | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Action:
    name: ActionName
    assignee: str | None = None
    status: Status | None = None
    outcome: Outcome | None = None
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    """One immutable decision record: who, when, what, and the state before and after."""

    decision_id: str
    case_id: str
    seq: int
    action: ActionName
    actor: str
    actor_role: Role
    decided_at: datetime
    previous_status: Status
    status: Status
    previous_assignee: str | None
    assignee: str | None
    outcome: Outcome | None
    note: str | None
    # The case as the analyst saw it: rule performance keeps counting after signals age out.
    account_id: str
    severity: str
    reason_codes: str
    case_opened_at: datetime


def decision_id(case_id: str, seq: int) -> str:
    """Deterministic per (case, sequence number): two writers of the same step collide on it."""
    return f"{case_id}#{seq:06d}"


def _visible(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, format and control characters (zero-width
    spaces, joiners, direction marks)."""
    return any(unicodedata.category(char)[0] not in {"Z", "C"} for char in text)


def reject_nul(value: str | None, name: str) -> None:
    if value is not None and "\x00" in value:
        raise InvalidInput(f"{name}: must not contain a NUL character")


def _clean_note(note: str | None, *, required: bool, action: str) -> str | None:
    reject_nul(note, f"{action}: the note")
    text = (note or "").strip()
    if not _visible(text):
        text = ""
    if required and not text:
        raise InvalidInput(f"{action}: a note is required")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"{action}: the note is longer than {MAX_NOTE_CHARS} characters")
    return text or None


def decide(
    state: CaseState,
    action: Action,
    who: Principal,
    at: datetime,
    users: Mapping[str, Role] | None = None,
) -> Decision:
    """The record `action` by `who` makes on a case in `state`, or the reason it is refused.

    `users` (user -> role) are the people a case may be assigned to; None skips that check
    (offline tools that replay decisions)."""
    if who.role == "viewer":
        raise Forbidden("viewers can read cases but not act on them")
    status, assignee, outcome = state.status, state.assignee, state.outcome
    note: str | None
    if state.status == "closed" and action.name != "reopen":
        raise IllegalTransition(f"{state.case_id} is closed: a lead must reopen it first")
    if (
        action.name in {"comment", "status", "close"}
        and state.assignee is not None
        and state.assignee != who.user
        and who.role != "lead"
    ):
        raise Forbidden(
            f"{state.case_id} is assigned to {state.assignee}: only they or a lead may act on it"
        )
    if action.name == "assign":
        reject_nul(action.assignee, "assign: assignee")
        target = (action.assignee or who.user).strip()
        if not target:
            raise InvalidInput("assign: assignee must not be empty")
        if users is not None and users.get(target) not in ASSIGNABLE_ROLES:
            raise InvalidInput(f"assign: {target[:64]!r} is not a known analyst or lead")
        if target == state.assignee:
            raise IllegalTransition(f"{state.case_id} is already assigned to {target}")
        if state.assignee is not None and who.role != "lead":
            raise Forbidden(
                f"{state.case_id} is assigned to {state.assignee}: only a lead may reassign it"
            )
        assignee = target
        note = _clean_note(action.note, required=False, action="assign")
    elif action.name == "comment":
        note = _clean_note(action.note, required=True, action="comment")
    elif action.name == "status":
        if action.status is None or (state.status, action.status) not in _STATUS_MOVES:
            raise IllegalTransition(
                f"{state.case_id}: cannot go from {state.status} to {action.status}"
                " (open <-> investigating; close and reopen have their own actions)"
            )
        status = action.status
        note = _clean_note(action.note, required=False, action="status")
    elif action.name == "close":
        if action.outcome not in OUTCOMES:
            raise InvalidInput(f"close: outcome must be one of {', '.join(OUTCOMES)}")
        note = _clean_note(action.note, required=True, action="close")
        status, outcome = "closed", action.outcome
    else:  # reopen
        if state.status != "closed":
            raise IllegalTransition(
                f"{state.case_id} is {state.status}: only a closed case reopens"
            )
        if who.role != "lead":
            raise Forbidden("only a lead may reopen a case")
        note = _clean_note(action.note, required=False, action="reopen")
        status, outcome = "open", None
    seq = state.seq + 1
    return Decision(
        decision_id=decision_id(state.case_id, seq),
        case_id=state.case_id,
        seq=seq,
        action=action.name,
        actor=who.user,
        actor_role=who.role,
        decided_at=at,
        previous_status=state.status,
        status=status,
        previous_assignee=state.assignee,
        assignee=assignee,
        outcome=outcome,
        note=note,
        account_id=state.account_id,
        severity=state.severity,
        reason_codes=state.reason_codes,
        case_opened_at=state.opened_at,
    )
