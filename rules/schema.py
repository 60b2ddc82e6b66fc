"""The schema of a rule set file, and loading one with a one-line error naming the bad field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from common.contract import CONTRACT

VERSION_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"

Count = Annotated[int, Field(strict=True, ge=2, le=1000)]
Seconds = Annotated[int, Field(strict=True, ge=1, le=86_400)]
Minutes = Annotated[int, Field(strict=True, ge=1, le=1440)]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"))]
Weight = Annotated[float, Field(gt=0, le=1)]
# A list of the contract's channels (checked against common/contract.yml in Rules).
Channels = Annotated[tuple[str, ...], Field(min_length=1)]
Percent = Annotated[int, Field(strict=True, ge=1, le=99)]


class RuleSetError(ValueError):
    """A rule set file is missing or invalid; the message is one line naming file and field, and
    `problems` holds every problem found (one line each, the first being the message)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


def signal_types() -> tuple[str, ...]:
    """The signal types a rule set weighs: exactly the detection contract's."""
    return CONTRACT.signal_types


# Each optional detection path and the vars that turn it on together (docs/rules.md).
PATHS: dict[str, tuple[str, ...]] = {
    "velocity sustained": (
        "velocity_sustained_min_transactions",
        "velocity_sustained_window_minutes",
        "velocity_sustained_channels",
    ),
    "card testing drip": (
        "cnp_drip_min_transactions",
        "cnp_drip_window_minutes",
    ),
    "card testing at a merchant": (
        "cnp_merchant_min_cards",
        "cnp_merchant_window_minutes",
    ),
    "structuring cumulative": (
        "structuring_cumulative_window_minutes",
        "structuring_cumulative_low_pct",
        "structuring_cumulative_high_pct",
        "structuring_cumulative_min_transactions",
    ),
    "structuring fan-in": (
        "structuring_fan_in_window_minutes",
        "structuring_fan_in_min_counterparties",
        "structuring_fan_in_min_distinct_pct",
    ),
}


class Rules(BaseModel):
    """Every rule var the detection SQL reads, by its dbt var name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    velocity_min_transactions: Count
    velocity_window_seconds: Seconds
    # velocity's sustained path: N transactions on these channels within M minutes; null: off.
    velocity_sustained_min_transactions: Count | None
    velocity_sustained_window_minutes: Minutes | None
    velocity_sustained_channels: Channels | None
    geo_min_distance_km: Annotated[int, Field(strict=True, ge=1, le=20_000)]
    geo_max_gap_minutes: Minutes
    # The channels whose location shows where the cardholder is; null: every channel (v1, v2).
    geo_location_channels: Channels | None
    high_value_amount: Amount
    cnp_spike_min_transactions: Count
    cnp_spike_window_minutes: Minutes
    # card testing's slower paths count small card-not-present authorisations (at or below this):
    # per card within the drip window, and distinct cards declined at one merchant; null: off.
    card_testing_max_amount: Amount | None
    cnp_drip_min_transactions: Count | None
    cnp_drip_window_minutes: Minutes | None
    cnp_merchant_min_cards: Count | None
    cnp_merchant_window_minutes: Minutes | None
    login_storm_min_failures: Count
    login_storm_window_seconds: Seconds
    structuring_threshold: Amount
    structuring_band_low_pct: Percent
    structuring_min_transactions: Count
    structuring_window_minutes: Minutes
    # Structuring paths off (null) in v1 and v2: cumulative transfers at a safe margin under the
    # threshold (each in [low_pct, high_pct) % of it) that sum past it within the window, and
    # fan-in from distinct counterparties into one account within the window (most of its
    # transfers from a different one each: smurfing, not an account's recurring payees).
    structuring_cumulative_window_minutes: Minutes | None
    structuring_cumulative_low_pct: Percent | None
    structuring_cumulative_high_pct: Percent | None
    structuring_cumulative_min_transactions: Count | None
    structuring_fan_in_window_minutes: Minutes | None
    structuring_fan_in_min_counterparties: Count | None
    structuring_fan_in_min_distinct_pct: Percent | None
    correlated_min_alert_types: Count
    correlated_window_minutes: Minutes
    takeover_window_minutes: Minutes
    # Takeover paths off (null) in v1 and v2: a new-device login then a transfer to a payee the
    # account did not pay in this lookback; a profile change then money movement in this window.
    takeover_payee_history_minutes: Minutes | None
    takeover_profile_change_window_minutes: Minutes | None
    # The learned scorer's signal: a champion-model score at or above this fires ml_anomaly.
    ml_anomaly_threshold: Annotated[float, Field(gt=0, lt=1)]
    risk_weights: dict[str, Weight]
    risk_level_medium: Weight
    risk_level_high: Weight
    risk_level_critical: Weight

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        expected = signal_types()
        if set(self.risk_weights) != set(expected):
            missing = sorted(set(expected) - set(self.risk_weights))
            extra = sorted(set(self.risk_weights) - set(expected))
            raise ValueError(
                f"risk_weights: needs one weight per signal type {list(expected)}"
                f" (missing {missing}, unknown {extra})"
            )
        for field in ("geo_location_channels", "velocity_sustained_channels"):
            channels = getattr(self, field) or ()
            unknown = sorted(set(channels) - set(CONTRACT.channels))
            if unknown or len(set(channels)) != len(channels):
                raise ValueError(
                    f"{field}: must list distinct channels of {list(CONTRACT.channels)}"
                    f" (got {list(channels)})"
                )
        for path, fields in PATHS.items():
            given = [getattr(self, field) is not None for field in fields]
            if any(given) and not all(given):
                raise ValueError(f"{path}: set all of {', '.join(fields)} or none (null: off)")
        card_testing_paths = self.cnp_drip_min_transactions, self.cnp_merchant_min_cards
        if (self.card_testing_max_amount is None) != all(v is None for v in card_testing_paths):
            raise ValueError(
                "card_testing_max_amount: set it exactly when a card testing path is on"
                " (cnp_drip_min_transactions or cnp_merchant_min_cards)"
            )
        low, high = self.structuring_cumulative_low_pct, self.structuring_cumulative_high_pct
        if low is not None and high is not None and not low < high:
            raise ValueError(
                "structuring_cumulative_low_pct < structuring_cumulative_high_pct must hold"
                f" (got {low}, {high})"
            )
        # A new payee's detection reads the history before a transfer up to two login windows
        # later; its input span (common/contract.yml) is two histories, which covers that.
        history = self.takeover_payee_history_minutes
        if history is not None and history < 2 * self.takeover_window_minutes:
            raise ValueError(
                "takeover_payee_history_minutes must be at least 2 x takeover_window_minutes"
                f" (got {history}, {self.takeover_window_minutes})"
            )
        if not self.risk_level_medium < self.risk_level_high < self.risk_level_critical:
            raise ValueError(
                "risk_level_medium < risk_level_high < risk_level_critical must hold"
                f" (got {self.risk_level_medium}, {self.risk_level_high},"
                f" {self.risk_level_critical})"
            )
        return self

    def dbt_vars(self) -> dict[str, Any]:
        """The rules as dbt --vars: amounts as plain numbers, weights in signal-type order."""
        values: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            if isinstance(value, tuple):
                value = list(value)
            if name == "risk_weights":
                value = {signal: value[signal] for signal in signal_types()}
            values[name] = value
        return values


RiskLevel = Literal["low", "medium", "high", "critical"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high", "critical")
Action = Literal["review", "decline"]
Score = Annotated[float, Field(gt=0, lt=1)]


class DecisionRules(BaseModel):
    """Thresholds of the decision service (decisions/): what makes a payment reviewed or declined.

    The rule windows (velocity, cnp_spike, structuring) and high_value_amount are read from the
    rules above, so a request is judged by the same numbers as the streaming views.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The account's risk level in mv_account_risk_score_realtime.
    decline_risk_level: RiskLevel
    review_risk_level: RiskLevel
    # The account has a case in mv_open_fraud_cases.
    open_case_action: Action
    # The champion model's score of this transaction.
    model_review_score: Score
    model_decline_score: Score
    # The amount against the customer's typical spend (KYC profile).
    amount_to_typical_review: Annotated[float, Field(gt=1, le=1000)]
    # A device not registered to the customer, from this amount on.
    new_device_review_amount: Amount
    # Card-not-present at or above rules.high_value_amount.
    card_not_present_high_value_action: Action
    # The payment completes a rule's count in its window (velocity, cnp_spike, structuring).
    rule_window_action: Action

    @model_validator(mode="after")
    def _ordered(self) -> DecisionRules:
        if RISK_LEVELS.index(self.review_risk_level) > RISK_LEVELS.index(self.decline_risk_level):
            raise ValueError(
                "review_risk_level must not be above decline_risk_level"
                f" (got {self.review_risk_level}, {self.decline_risk_level})"
            )
        if not self.model_review_score < self.model_decline_score:
            raise ValueError(
                "model_review_score < model_decline_score must hold"
                f" (got {self.model_review_score}, {self.model_decline_score})"
            )
        return self


class RuleSet(BaseModel):
    """One version of the rules: its name (the file's stem), why it exists, the detection rules,
    and the decision service's thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Annotated[str, Field(pattern=VERSION_PATTERN)]
    description: Annotated[str, Field(min_length=1, max_length=500)]
    rules: Rules
    decisions: DecisionRules


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def describe(error: ValidationError) -> str:
    """The first problem in one line: where, what is wrong, what was given."""
    return problems(error)[0]


def problems(error: ValidationError) -> list[str]:
    """Every problem, one line each: where, what is wrong, what was given."""
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        where = _location(item["loc"])
        if item["type"] == "missing":
            lines.append(f"{where}: is required")
        elif not where or where in {"rules", "decisions"}:
            lines.append(message)
        else:
            lines.append(f"{where}: {message} (got {item.get('input')!r})")
    return lines


def parse_rule_set(text: str, *, source: str, version: str) -> RuleSet:
    """A rule set from YAML text; RuleSetError("<source>: <field>: <problem>") when invalid."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RuleSetError(f"{source}: not valid YAML{where}") from None
    if not isinstance(document, dict):
        raise RuleSetError(f"{source}: must be a mapping with version, description and rules")
    try:
        rule_set = RuleSet.model_validate(document)
    except ValidationError as error:
        found = [f"{source}: {line}" for line in problems(error)]
        raise RuleSetError(found[0], found) from None
    if rule_set.version != version:
        raise RuleSetError(
            f"{source}: version: must equal the file name {version!r} (got {rule_set.version!r})"
        )
    return rule_set
