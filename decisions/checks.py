"""The checks a decision makes from the request and the account's state: pure functions.

Each check that fires gives a Reason: a stable code, the action it asks for, and a sentence.
Rule windows are counted the way the signal views count them (`range between <window>
preceding and current row`, the payment itself included), from the account's earlier
transactions in int_transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from decisions.state import AccountState, Earlier
from producers.models import Transaction
from rules.schema import RISK_LEVELS, DecisionRules, Rules
from scoring.features import HISTORY_HOURS

Outcome = Literal["approve", "review", "decline"]
OUTCOMES: tuple[Outcome, ...] = ("approve", "review", "decline")


@dataclass(frozen=True)
class Reason:
    code: str
    action: Outcome
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "action": self.action, "text": self.text}


def history_span(rules: Rules) -> timedelta:
    """How far back the checks and the model's features look (the model's history)."""
    return max(
        timedelta(hours=HISTORY_HOURS),
        timedelta(seconds=rules.velocity_window_seconds),
        timedelta(minutes=rules.cnp_spike_window_minutes),
        timedelta(minutes=rules.structuring_window_minutes),
    )


def _in_window(earlier: list[Earlier], request: Transaction, window: timedelta) -> list[Earlier]:
    start = request.event_time - window
    return [row for row in earlier if row.event_time >= start]


def account_reasons(state: AccountState, thresholds: DecisionRules) -> list[Reason]:
    """What the live views already say about the account."""
    reasons: list[Reason] = []
    if state.risk is not None:
        level = str(state.risk["risk_level"])
        score = float(state.risk["risk_score"])
        rank = RISK_LEVELS.index(level) if level in RISK_LEVELS else 0
        action: Outcome | None = None
        if rank >= RISK_LEVELS.index(thresholds.decline_risk_level):
            action = "decline"
        elif rank >= RISK_LEVELS.index(thresholds.review_risk_level):
            action = "review"
        if action is not None:
            for signal, weight in state.contributions.items():
                reasons.append(
                    Reason(
                        signal,
                        action,
                        f"the account's risk is {level} ({score:.2f}); {signal} contributes"
                        f" {weight:.2f}",
                    )
                )
    if state.open_case is not None:
        case = state.open_case
        reasons.append(
            Reason(
                "open_case",
                thresholds.open_case_action,
                f"the account has an open {case['severity']} case {case['case_id']}"
                f" ({case['reason_codes']})",
            )
        )
    return reasons


def request_reasons(
    request: Transaction, state: AccountState | None, rules: Rules, thresholds: DecisionRules
) -> list[Reason]:
    """Checks on the payment itself; those needing the account's state skip without it."""
    reasons: list[Reason] = []
    amount = request.amount
    if request.is_card_not_present and amount >= rules.high_value_amount:
        reasons.append(
            Reason(
                "card_not_present_high_value",
                thresholds.card_not_present_high_value_action,
                f"card-not-present payment of {amount} {request.currency}, at or above"
                f" {rules.high_value_amount}",
            )
        )
    if state is None:
        return reasons
    customer = state.customer
    if customer is not None and customer.get("typical_spend"):
        typical = Decimal(str(customer["typical_spend"]))
        ratio = float(amount / typical)
        if ratio >= thresholds.amount_to_typical_review:
            reasons.append(
                Reason(
                    "amount_vs_typical_spend",
                    "review",
                    f"amount {amount} is {ratio:.1f} times the customer's typical spend {typical}",
                )
            )
    if is_new_device(request, state) and amount >= thresholds.new_device_review_amount:
        reasons.append(
            Reason(
                "new_device",
                "review",
                f"device {request.device_id} is not registered to the customer (amount {amount})",
            )
        )
    reasons += window_reasons(request, state.earlier, rules, thresholds)
    return reasons


def is_new_device(request: Transaction, state: AccountState) -> bool:
    """As int_transactions: a device that is not in the customer's registered devices."""
    if request.device_id is None:
        return False
    customer = state.customer or {}
    return request.device_id not in (customer.get("registered_device_ids") or ())


def window_reasons(
    request: Transaction, earlier: list[Earlier], rules: Rules, thresholds: DecisionRules
) -> list[Reason]:
    """The payment completing a rule's count in its window, counted as the signal views count."""
    action = thresholds.rule_window_action
    reasons: list[Reason] = []
    velocity = len(_in_window(earlier, request, timedelta(seconds=rules.velocity_window_seconds)))
    if velocity + 1 >= rules.velocity_min_transactions:
        reasons.append(
            Reason(
                "velocity",
                action,
                f"transaction {velocity + 1} of the account within"
                f" {rules.velocity_window_seconds} s (velocity rule:"
                f" {rules.velocity_min_transactions})",
            )
        )
    if request.is_card_not_present:
        window = timedelta(minutes=rules.cnp_spike_window_minutes)
        same_card = [
            row
            for row in _in_window(earlier, request, window)
            if row.card_token == request.card_token and row.is_card_not_present
        ]
        if len(same_card) + 1 >= rules.cnp_spike_min_transactions:
            reasons.append(
                Reason(
                    "cnp_spike",
                    action,
                    f"card-not-present payment {len(same_card) + 1} of the card within"
                    f" {rules.cnp_spike_window_minutes} min (cnp_spike rule:"
                    f" {rules.cnp_spike_min_transactions})",
                )
            )
    low = rules.structuring_threshold * rules.structuring_band_low_pct / 100
    if low <= request.amount < rules.structuring_threshold:
        window = timedelta(minutes=rules.structuring_window_minutes)
        banded = [
            row
            for row in _in_window(earlier, request, window)
            if low <= row.amount < rules.structuring_threshold
        ]
        if len(banded) + 1 >= rules.structuring_min_transactions:
            reasons.append(
                Reason(
                    "structuring",
                    action,
                    f"payment {len(banded) + 1} just under {rules.structuring_threshold} within"
                    f" {rules.structuring_window_minutes} min (structuring rule:"
                    f" {rules.structuring_min_transactions})",
                )
            )
    return reasons


def model_reason(
    score: float, thresholds: DecisionRules, version: str, because: str | None = None
) -> Reason | None:
    if score >= thresholds.model_decline_score:
        action: Outcome = "decline"
    elif score >= thresholds.model_review_score:
        action = "review"
    else:
        return None
    text = f"model {version} scores the payment {score:.2f}"
    return Reason("model_score", action, f"{text} ({because})" if because else text)


def outcome_of(reasons: list[Reason]) -> Outcome:
    """The strongest action any reason asks for; approve when none fired."""
    return max((reason.action for reason in reasons), key=OUTCOMES.index, default="approve")
