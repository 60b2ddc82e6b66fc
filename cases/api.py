"""The JSON API: /api/... (bearer token on every route)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request

from cases import service
from cases.confirmer import Confirmer
from cases.deps import ClockDep, PrincipalDep, SessionDep, SettingsDep
from cases.errors import Conflict, InvalidInput, NotConfirmed
from cases.schemas import (
    ActionResult,
    AssignBody,
    CasePage,
    CaseStory,
    CloseBody,
    CommentBody,
    DecisionPage,
    Me,
    Problem,
    ReopenBody,
    RuleChange,
    RulePerformance,
    StatusBody,
)
from cases.service import Clock
from cases.settings import CaseServiceSettings
from cases.store import CaseFilter, DecisionFilter, Session
from cases.workflow import SIGNAL_TYPES, STATUSES, Action, Principal

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad cursor or filter"},
    401: {"model": Problem, "description": "Missing or unknown token"},
}
_ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    403: {"model": Problem, "description": "Your role may not do this"},
    404: {"model": Problem, "description": "Unknown case"},
    409: {"model": Problem, "description": "Illegal transition, or another decision came first"},
    422: {"model": Problem, "description": "Invalid input (e.g. closing without a note)"},
    503: {
        "model": Problem,
        "description": "Database down, or the decision saved but not confirmed in time",
    },
}

router = APIRouter(prefix="/api", responses=_ERRORS)


def page_limit(settings: CaseServiceSettings, limit: int | None) -> int:
    if limit is None:
        return settings.page_size
    if not 1 <= limit <= settings.max_page_size:
        raise InvalidInput(f"limit: must be between 1 and {settings.max_page_size}")
    return limit


# Real UTC offsets span -12:00..+14:00; the database refuses anything past 15:59.
_MAX_OFFSET = timedelta(hours=14)


def check_time(value: datetime | None, name: str) -> datetime | None:
    if value is not None:
        offset = value.utcoffset()
        if offset is not None and abs(offset) > _MAX_OFFSET:
            raise InvalidInput(f"{name}: the UTC offset must be within -14:00..+14:00")
    return value


def case_filter(
    who: Principal,
    status: list[str] | None,
    severity: str | None,
    assignee: str | None,
    signal_type: str | None,
    opened_after: datetime | None,
    opened_before: datetime | None,
) -> CaseFilter:
    statuses = tuple(sorted(set(status))) if status else CaseFilter.statuses
    unknown = [value for value in statuses if value not in STATUSES]
    if unknown:
        raise InvalidInput(f"status: {unknown[0]!r} is not one of {', '.join(STATUSES)}")
    if severity is not None and severity not in {"high", "critical"}:
        raise InvalidInput("severity: must be high or critical")
    if signal_type is not None and signal_type not in SIGNAL_TYPES:
        raise InvalidInput(f"signal_type: must be one of {', '.join(sorted(SIGNAL_TYPES))}")
    if assignee == "me":
        assignee = who.user
    elif assignee == "none":
        assignee = ""
    check_time(opened_after, "opened_after")
    check_time(opened_before, "opened_before")
    return CaseFilter(statuses, severity, assignee, signal_type, opened_after, opened_before)


@router.get("/me", response_model=Me)
def me(who: PrincipalDep) -> Me:
    return Me(user=who.user, role=who.role)


@router.get("/cases", response_model=CasePage)
def list_cases(
    who: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[
        list[str] | None, Query(description="Repeatable; default: open and investigating.")
    ] = None,
    severity: Annotated[str | None, Query(description="high or critical")] = None,
    assignee: Annotated[str | None, Query(description="A user, `me`, or `none`")] = None,
    signal_type: Annotated[str | None, Query(description="Cases carrying this signal")] = None,
    opened_after: Annotated[datetime | None, Query(description="Opened at or after")] = None,
    opened_before: Annotated[datetime | None, Query(description="Opened before")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int | None, Query(description="Rows per page")] = None,
) -> dict[str, object]:
    flt = case_filter(who, status, severity, assignee, signal_type, opened_after, opened_before)
    items, next_cursor = service.list_cases(session, flt, cursor, page_limit(settings, limit))
    return {"items": items, "next_cursor": next_cursor}


@router.get("/cases/{case_id}", response_model=CaseStory, responses={404: _ACTION_ERRORS[404]})
def case_story(
    case_id: str, who: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> dict[str, object]:
    return service.story(session, case_id, settings.story_rows)


IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=128,
        description="Any unique string; a retry with the same key is recorded once and answers"
        " the first attempt's decision.",
    ),
]


def _act(
    request: Request,
    session: Session,
    who: Principal,
    case_id: str,
    action: Action,
    clock: Clock,
    seen_seq: int | None,
    idempotency_key: str | None,
) -> dict[str, object]:
    confirmer: Confirmer = request.app.state.confirmer
    settings: CaseServiceSettings = request.app.state.settings
    entry = service.act(
        session,
        confirmer,
        who,
        case_id,
        action,
        clock,
        users=request.app.state.tokens.users(),
        seen_seq=seen_seq,
        idempotency_key=idempotency_key,
    )
    # The API answers once the database confirmed the decision (the page answers at once).
    entry = confirmer.wait(entry, settings.confirm_wait_s)
    if entry.state == "lost":
        raise Conflict(entry.lost_message())
    if entry.state == "pending":
        raise NotConfirmed(
            f"{case_id}: the decision is saved and will be recorded, but the database has not"
            " confirmed it yet; retry with the same Idempotency-Key to learn its outcome"
        )
    return {"decision": entry.decision, "case": session.case(case_id)}


@router.post("/cases/{case_id}/assign", response_model=ActionResult, responses=_ACTION_ERRORS)
def assign(
    case_id: str,
    body: AssignBody,
    request: Request,
    who: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Assign to yourself (no assignee) or to someone; changing an assignee is for leads."""
    action = Action("assign", assignee=body.assignee, note=body.note)
    return _act(request, session, who, case_id, action, clock, body.seen_seq, idempotency_key)


@router.post("/cases/{case_id}/comments", response_model=ActionResult, responses=_ACTION_ERRORS)
def comment(
    case_id: str,
    body: CommentBody,
    request: Request,
    who: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    action = Action("comment", note=body.note)
    return _act(request, session, who, case_id, action, clock, body.seen_seq, idempotency_key)


@router.post("/cases/{case_id}/status", response_model=ActionResult, responses=_ACTION_ERRORS)
def change_status(
    case_id: str,
    body: StatusBody,
    request: Request,
    who: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """open -> investigating, or back to open."""
    action = Action("status", status=body.status, note=body.note)
    return _act(request, session, who, case_id, action, clock, body.seen_seq, idempotency_key)


@router.post("/cases/{case_id}/close", response_model=ActionResult, responses=_ACTION_ERRORS)
def close(
    case_id: str,
    body: CloseBody,
    request: Request,
    who: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Close with an outcome and a note; of two closures at once, one wins, the other gets 409."""
    action = Action("close", outcome=body.outcome, note=body.note)
    return _act(request, session, who, case_id, action, clock, body.seen_seq, idempotency_key)


@router.post("/cases/{case_id}/reopen", response_model=ActionResult, responses=_ACTION_ERRORS)
def reopen(
    case_id: str,
    body: ReopenBody,
    request: Request,
    who: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, object]:
    """Leads only."""
    action = Action("reopen", note=body.note)
    return _act(request, session, who, case_id, action, clock, body.seen_seq, idempotency_key)


@router.get("/decisions", response_model=DecisionPage)
def decisions(
    who: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    case_id: str | None = None,
    actor: str | None = None,
    action: Literal["assign", "comment", "status", "close", "reopen"] | None = None,
    decided_after: datetime | None = None,
    decided_before: datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, object]:
    """The audit log: every decision, oldest first."""
    check_time(decided_after, "decided_after")
    check_time(decided_before, "decided_before")
    flt = DecisionFilter(case_id, actor, action, decided_after, decided_before)
    items, next_cursor = service.list_decisions(session, flt, cursor, page_limit(settings, limit))
    return {"items": items, "next_cursor": next_cursor}


@router.get("/rule-performance", response_model=list[RulePerformance])
def rule_performance(who: PrincipalDep, session: SessionDep) -> list[dict[str, object]]:
    return session.rule_performance()


@router.get("/rule-history", response_model=list[RuleChange])
def rule_history(who: PrincipalDep, session: SessionDep) -> list[dict[str, object]]:
    """Every rule set change (promote, rollback), newest first."""
    return session.rule_history()
