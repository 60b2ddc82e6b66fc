"""The decision service's answers as OpenAPI documents them (docs/openapi-decisions.json).

The routes build their JSON themselves (orjson, no response validation in the authorisation
path); these models only describe it, and a test keeps a served decision's keys equal to them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from producers.models import Transaction


class Reason(BaseModel):
    code: str = Field(description="The check that fired (a signal type keeps its name).")
    action: Literal["approve", "review", "decline"] = Field(description="What it asks for.")
    text: str = Field(description="Why, in words.")


class ModelReason(BaseModel):
    feature: str
    contribution: float = Field(description="How much it raised the score (log-odds).")


class RecentSignal(BaseModel):
    signal_type: str
    detected_at: str = Field(description="RFC 3339, UTC.")
    reason: str


class DecisionAnswer(BaseModel):
    event_id: str
    account_id: str
    customer_id: str
    outcome: Literal["approve", "review", "decline"]
    score: float = Field(description="0..1: noisy-or of the account's risk and the model's score.")
    risk_score: float = Field(description="The account's risk score in the live views (0 if none).")
    risk_level: str | None
    model_score: float | None = Field(description="The champion's score; null when degraded.")
    model_reasons: list[ModelReason] = Field(
        description="When the model's score acts: the up to 3 features that raised it most."
    )
    reasons: list[Reason]
    reason_codes: str = Field(description="The reasons' codes, comma-separated.")
    open_case_id: str | None
    recent_signals: list[RecentSignal]
    degraded: bool = Field(description="The account's state was not read: the fallback decided.")
    rules_version: str
    model_version: str
    client: str = Field(description="The API key's client.")
    amount: float
    event_time: str = Field(description="RFC 3339, UTC.")
    decided_at: str = Field(description="RFC 3339, UTC.")
    elapsed_ms: float = Field(description="Time to decide, publication excluded.")
    published: bool = Field(description="The broker acknowledged both messages in time.")


class Problem(BaseModel):
    detail: str
    field: str | None = Field(None, description="The bad field (422, 409).")


def _refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {
        401: "no, unknown or revoked API key",
        403: "the key lacks the route's scope",
        404: "no decision for this event_id",
        408: "the body did not arrive within DECISIONS_BODY_TIMEOUT_S",
        409: "the event_id was decided for a different transaction",
        413: "the body is over 16 KiB",
        422: "not a valid transaction (field names it)",
        429: "beyond DECISIONS_MAX_IN_FLIGHT; Retry-After says when to retry",
    }
    return {code: {"model": Problem, "description": words[code]} for code in codes}


DECIDE_RESPONSES = {
    200: {"model": DecisionAnswer, "description": "The decision (or the first, on a retry)."},
    **_refusals(401, 403, 408, 409, 413, 422, 429),
}
READ_RESPONSES = {
    200: {"model": DecisionAnswer, "description": "A decision this process made."},
    **_refusals(401, 403, 404),
}


def transaction_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The request body's schema and the components it refers to."""
    schema = Transaction.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema, schema.pop("$defs", {})
