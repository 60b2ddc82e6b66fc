"""The API's request and response bodies (they make the OpenAPI schema in docs/)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from cases.workflow import MAX_NOTE_CHARS, Outcome, Role, Status

_SEEN = Field(
    None,
    ge=0,
    description="The case's step (decision count) the user saw; a case that changed since gets"
    " 409 naming what changed. The page always sends it.",
)
_NOTE = Field(None, max_length=MAX_NOTE_CHARS)


class Me(BaseModel):
    user: str
    role: Role


class CaseSummary(BaseModel):
    case_id: str
    account_id: str
    customer_id: str | None = Field(
        description="Null once the case left the open view (closed, or aged out of retention)."
    )
    severity: str
    risk_score: Decimal | None
    recommended_action: str | None
    reason_codes: str | None
    opened_at: datetime
    updated_at: datetime
    status: Status
    assignee: str | None
    outcome: Outcome | None
    last_decided_at: datetime | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


class Decision(BaseModel):
    decision_id: str
    case_id: str
    seq: int
    action: str
    actor: str
    actor_role: Role
    decided_at: datetime
    previous_status: Status
    status: Status
    previous_assignee: str | None
    assignee: str | None
    outcome: Outcome | None
    note: str | None
    account_id: str
    severity: str
    reason_codes: str
    case_opened_at: datetime


class DecisionPage(BaseModel):
    items: list[Decision]
    next_cursor: str | None


class CaseStory(BaseModel):
    case: CaseSummary
    risk: dict[str, Any] | None = Field(description="The account's row of the risk view.")
    evidence_note: str | None = Field(
        description="Set when some of the case's detections are older than retention: they come"
        " from the signal log and their raw events (transactions, logins, alerts) have expired."
    )
    signals: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    logins: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    timeline: list[Decision]
    rules_version_at_open: str | None = Field(
        description="The rule set version live when the case opened (mv_rule_history); null"
        " when no rule set change was ever recorded."
    )


class ActionResult(BaseModel):
    decision: Decision
    case: CaseSummary


class RulePerformance(BaseModel):
    signal_type: str
    hits: int
    cases_closed: int
    confirmed_fraud: int
    false_positives: int
    benign_but_useful: int
    false_positive_ratio: Decimal | None
    analyst_precision: Decimal | None
    label_precision: Decimal | None
    median_time_to_close_s: Decimal | None


class RuleChange(BaseModel):
    change_id: str
    changed_at: datetime
    action: str = Field(description="promote or rollback")
    from_version: str
    to_version: str
    changed_by: str
    reason: str
    rebuilt_models: str = Field(description="The views the change rebuilt, comma-separated.")


class AssignBody(BaseModel):
    assignee: str | None = Field(
        None, max_length=64, description="A known analyst or lead; omitted: yourself."
    )
    note: str | None = _NOTE
    seen_seq: int | None = _SEEN


class CommentBody(BaseModel):
    note: str = Field(max_length=MAX_NOTE_CHARS)
    seen_seq: int | None = _SEEN


class StatusBody(BaseModel):
    status: Status = Field(description="open <-> investigating; use close and reopen otherwise.")
    note: str | None = _NOTE
    seen_seq: int | None = _SEEN


class CloseBody(BaseModel):
    outcome: Outcome
    note: str | None = Field(
        None, max_length=MAX_NOTE_CHARS, description="Required: what the analyst found."
    )
    seen_seq: int | None = _SEEN


class ReopenBody(BaseModel):
    note: str | None = _NOTE
    seen_seq: int | None = _SEEN


class Problem(BaseModel):
    detail: str
