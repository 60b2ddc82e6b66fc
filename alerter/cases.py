"""The case-change messages of `fraud_cases` and the policy that decides which ones alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

# Cases are opened at high or critical; lower levels are accepted so that a wider sink is filtered
# by the policy instead of being dead-lettered as invalid.
Severity = Literal["low", "medium", "high", "critical"]
MinimumSeverity = Literal["high", "critical"]
_SEVERITY_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class FraudCase(BaseModel):
    """One case change as the RisingWave sink publishes it (JSON, append-only)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    case_id: str
    account_id: str
    customer_id: str
    severity: Severity
    risk_score: Decimal
    recommended_action: str
    reason_codes: tuple[str, ...]
    opened_at: datetime
    updated_at: datetime

    @field_validator("case_id", "account_id", "customer_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("reason_codes", mode="before")
    @classmethod
    def _split_reason_codes(cls, value: object) -> object:
        # The view holds a comma-separated text; accept a JSON list too.
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("opened_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # RisingWave writes timestamptz as "2026-11-22T10:00:00.123000Z"; a naive value is UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def alert_id(self) -> str:
        """The identity of one alert: a case alerts once per severity it reaches."""
        return f"{self.case_id}:{self.severity}"

    @property
    def higher_alert_ids(self) -> list[str]:
        """Alert ids of this case at severities above its current one."""
        rank = severity_rank(self.severity)
        return [
            f"{self.case_id}:{level}"
            for level, level_rank in _SEVERITY_RANK.items()
            if level_rank > rank
        ]


def severity_rank(severity: str) -> int:
    return _SEVERITY_RANK[severity]


@dataclass(frozen=True)
class Policy:
    """Which cases alert: at least `min_severity`, and one of `categories` (empty = any)."""

    min_severity: MinimumSeverity
    categories: frozenset[str]

    def admits(self, case: FraudCase) -> bool:
        if severity_rank(case.severity) < severity_rank(self.min_severity):
            return False
        return not self.categories or not self.categories.isdisjoint(case.reason_codes)
