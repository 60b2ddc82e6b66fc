"""The API's request and response bodies (they make the OpenAPI schema in docs/)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from cases.workflow import Outcome, Role, Status


class Me(BaseModel):
    user: str
    role: Role


class CaseSummary(BaseModel):
    case_id: str
    account_id: str
    customer_id: str | None = Field(description="Null once a closed case left the open view.")
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
    assignee: str | None = Field(None, description="Who takes the case; omitted: yourself.")
    note: str | None = None


class CommentBody(BaseModel):
    note: str


class StatusBody(BaseModel):
    status: Status = Field(description="open <-> investigating; use close and reopen otherwise.")
    note: str | None = None


class CloseBody(BaseModel):
    outcome: Outcome
    note: str | None = Field(None, description="Required: what the analyst found.")


class ReopenBody(BaseModel):
    note: str | None = None


class Problem(BaseModel):
    detail: str
