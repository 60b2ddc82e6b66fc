"""The case page's "why flagged" paragraph and the model's reasons, in words, from the evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cases import labels

Row = dict[str, Any]


@dataclass(frozen=True)
class SignalGroup:
    """The detections of one signal type in a case: how many, when, what it added to the risk."""

    signal_type: str
    count: int
    first: Any
    last: Any
    contribution: Decimal | None
    example: str

    @property
    def name(self) -> str:
        return labels.signal(self.signal_type)

    @property
    def words(self) -> str:
        return labels.signal_words(self.signal_type)


def signal_groups(signals: list[Row], risk: Row | None) -> list[SignalGroup]:
    """One group per signal type, the largest weight in the risk score first."""
    by_type: dict[str, list[Row]] = {}
    for row in signals:
        by_type.setdefault(row["signal_type"], []).append(row)
    groups = [
        SignalGroup(
            signal_type=signal_type,
            count=len(rows),
            first=min(row["detected_at"] for row in rows),
            last=max(row["detected_at"] for row in rows),
            contribution=(risk or {}).get(f"{signal_type}_contribution"),
            example=rows[-1]["reason"] or "",
        )
        for signal_type, rows in by_type.items()
    ]
    return sorted(groups, key=lambda group: (-(group.contribution or 0), -group.count))


def _times(count: int) -> str:
    return "once" if count == 1 else ("twice" if count == 2 else f"{count} times")


def why_flagged(case: Row, groups: list[SignalGroup], scores: list[Row]) -> str:
    """One paragraph: what was seen, how often, and how much each weighs in the risk."""
    severity = labels.severity(case["severity"]).lower()
    risk = labels.score(case.get("risk_score"))
    if not groups:
        return (
            f"This {severity} case has no detection left in the views' retention; its decisions"
            " below are its record."
        )
    kinds = len(groups)
    opening = (
        f"Account {case['account_id']} was flagged {severity} (risk {risk} of 100) because"
        f" {'one kind of signal' if kinds == 1 else f'{kinds} kinds of signal'} fired between"
        f" {labels.clock(min(group.first for group in groups))} and"
        f" {labels.clock(max(group.last for group in groups))}."
    )
    parts = []
    for group in groups:
        weight = (
            f", weighing {labels.score(group.contribution)} in the score"
            if group.contribution
            else ""
        )
        parts.append(f"{group.name} ({group.words}) {_times(group.count)}{weight}")
    body = "Strongest first: " + "; ".join(parts) + "."
    return " ".join(part for part in (opening, body, model_reason(scores)) if part)


def model_reason(scores: list[Row]) -> str:
    """What the fraud model saw, in words: its top score and its most frequent top feature."""
    if not scores:
        return ""
    best = scores[0]
    features = Counter(row["top_feature"] for row in scores if row["top_feature"])
    because = (
        f", mostly because of {labels.feature(features.most_common(1)[0][0])}" if features else ""
    )
    return (
        f"The fraud model scored {len(scores)} of these transactions, the highest"
        f" {labels.score(best['score'])} of 100{because}."
    )
