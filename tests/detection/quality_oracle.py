"""The detection-quality figures recomputed in Python, independently of the quality SQL.

Inputs are what the producer published (the payloads, parsed as plain JSON, so times carry the
millisecond precision the views see) and what the detection layer found (detections, account
risk, open cases, read from the replayed views). Definitions follow docs/detection_quality.md.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import yaml

from backtest.schema import DBT_PROJECT_DIR
from producers.models import FraudLabel, KycProfile, LookalikeLabel, Record, Transaction

TOP_CARDS = 100
_VARS = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
GRACE = timedelta(minutes=_VARS["label_match_grace_minutes"])
WEIGHTS: dict[str, Decimal] = {name: Decimal(str(w)) for name, w in _VARS["risk_weights"].items()}


def scenario_signals() -> list[tuple[str, str, bool]]:
    with (DBT_PROJECT_DIR / "seeds" / "scenario_signals.csv").open() as handle:
        return [
            (row["scenario"], row["signal_type"], row["is_primary"] == "true")
            for row in csv.DictReader(handle)
        ]


def share(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator rounded like the views (4 places, half away from zero)."""
    if denominator == 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def rounded(value: Decimal | Fraction | None, places: int = 4) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A labelled instance or episode: who, when, and what it contains."""

    label_id: str
    kind: str
    customer_id: str
    account_id: str | None
    started_at: datetime
    ended_at: datetime
    is_evasive: bool
    event_ids: tuple[str, ...]

    def holds(self, customer_id: str, moment: datetime) -> bool:
        return customer_id == self.customer_id and (
            self.started_at <= moment <= self.ended_at + GRACE
        )


@dataclass(frozen=True)
class Payment:
    event_id: str
    event_time: datetime
    account_id: str
    card_token: str | None


@dataclass(frozen=True)
class Detection:
    signal_id: str
    signal_type: str
    customer_id: str
    account_id: str | None
    detected_at: datetime


@dataclass
class Published:
    """What the producer published, parsed from the payloads."""

    fraud: list[Window]
    lookalikes: list[Window]
    payments: list[Payment]
    primary_accounts: dict[str, str]


def published(records: Iterable[Record]) -> Published:
    result = Published([], [], [], {})
    profiles: dict[str, tuple[datetime, str]] = {}
    for record in records:
        payload: dict[str, Any] = json.loads(record.payload())
        if isinstance(record, FraudLabel | LookalikeLabel):
            is_fraud = isinstance(record, FraudLabel)
            window = Window(
                label_id=payload["instance_id" if is_fraud else "episode_id"],
                kind=payload["scenario" if is_fraud else "kind"],
                customer_id=payload["customer_id"],
                account_id=payload["account_id"],
                started_at=_time(payload["started_at"]),
                ended_at=_time(payload["ended_at"]),
                is_evasive=bool(payload.get("is_evasive")),
                event_ids=tuple(payload["event_ids"]),
            )
            (result.fraud if is_fraud else result.lookalikes).append(window)
        elif isinstance(record, Transaction):
            result.payments.append(
                Payment(
                    payload["event_id"],
                    _time(payload["event_time"]),
                    payload["account_id"],
                    payload["card_token"],
                )
            )
        elif isinstance(record, KycProfile):
            moment = _time(payload["event_time"])
            current = profiles.get(payload["customer_id"])
            if current is None or moment > current[0]:
                profiles[payload["customer_id"]] = (moment, payload["account_ids"][0])
    result.primary_accounts = {customer: account for customer, (_, account) in profiles.items()}
    return result


def fraudulent_accounts(truth: Published) -> set[str]:
    """A label's account, or its customer's primary account when it names none."""
    accounts = {
        label.account_id or truth.primary_accounts.get(label.customer_id) for label in truth.fraud
    }
    return {account for account in accounts if account is not None}


@dataclass(frozen=True)
class Judgement:
    is_true_positive: bool
    kind: str | None  # look-alike kind or 'unattributed'; None for a true positive
    episode_id: str | None


def judge(truth: Published, detections: list[Detection]) -> dict[str, Judgement]:
    fraud_by_customer: dict[str, list[Window]] = defaultdict(list)
    for label in truth.fraud:
        fraud_by_customer[label.customer_id].append(label)
    episodes_by_customer: dict[str, list[Window]] = defaultdict(list)
    for episode in truth.lookalikes:
        episodes_by_customer[episode.customer_id].append(episode)
    judgements = {}
    for detection in detections:
        customer, moment = detection.customer_id, detection.detected_at
        if any(label.holds(customer, moment) for label in fraud_by_customer[customer]):
            judgements[detection.signal_id] = Judgement(True, None, None)
            continue
        matching = sorted(
            (
                episode
                for episode in episodes_by_customer[customer]
                if episode.holds(customer, moment)
            ),
            key=lambda episode: (episode.started_at, episode.label_id),
        )
        if matching:
            judgements[detection.signal_id] = Judgement(
                False, matching[0].kind, matching[0].label_id
            )
        else:
            judgements[detection.signal_id] = Judgement(False, "unattributed", None)
    return judgements


def per_signal(truth: Published, detections: list[Detection]) -> dict[str, dict[str, Any]]:
    """Per signal: detections, true positives, precision; recall overall and by evasiveness."""
    judgements = judge(truth, detections)
    mapping = scenario_signals()
    rows: dict[str, dict[str, Any]] = {
        signal: {
            "detections": 0,
            "true_positive_detections": 0,
            "injected": {False: 0, True: 0},
            "detected": {False: 0, True: 0},
        }
        for signal in {signal for _, signal, _ in mapping}
    }
    for detection in detections:
        row = rows[detection.signal_type]
        row["detections"] += 1
        row["true_positive_detections"] += judgements[detection.signal_id].is_true_positive
    by_signal_customer: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for detection in detections:
        key = (detection.signal_type, detection.customer_id)
        by_signal_customer[key].append(detection.detected_at)
    for label in truth.fraud:
        for scenario, signal, _ in mapping:
            if scenario != label.kind:
                continue
            row = rows[signal]
            row["injected"][label.is_evasive] += 1
            moments = by_signal_customer[(signal, label.customer_id)]
            row["detected"][label.is_evasive] += any(
                label.holds(label.customer_id, moment) for moment in moments
            )
    return {
        signal: {
            "detections": row["detections"],
            "true_positive_detections": row["true_positive_detections"],
            "precision": rounded(share(row["true_positive_detections"], row["detections"])),
            "instances_injected": sum(row["injected"].values()),
            "instances_detected": sum(row["detected"].values()),
            "recall": rounded(share(sum(row["detected"].values()), sum(row["injected"].values()))),
            "instances_injected_non_evasive": row["injected"][False],
            "instances_detected_non_evasive": row["detected"][False],
            "recall_non_evasive": rounded(share(row["detected"][False], row["injected"][False])),
            "instances_injected_evasive": row["injected"][True],
            "instances_detected_evasive": row["detected"][True],
            "recall_evasive": rounded(share(row["detected"][True], row["injected"][True])),
        }
        for signal, row in rows.items()
    }


def per_lookalike_kind(truth: Published, detections: list[Detection]) -> dict[str, dict[str, Any]]:
    judgements = judge(truth, detections).values()
    episodes: dict[str, int] = defaultdict(int)
    for episode in truth.lookalikes:
        episodes[episode.kind] += 1
    false_positives: dict[str, int] = defaultdict(int)
    flagged: dict[str, set[str]] = defaultdict(set)
    for judgement in judgements:
        if judgement.kind is None:
            continue
        false_positives[judgement.kind] += 1
        if judgement.episode_id is not None:
            flagged[judgement.kind].add(judgement.episode_id)
    return {
        kind: {
            "episodes": episodes.get(kind, 0),
            "episodes_flagged": len(flagged[kind]),
            "flagged_share": rounded(share(len(flagged[kind]), episodes.get(kind, 0))),
            "false_positive_detections": false_positives.get(kind, 0),
        }
        for kind in set(episodes) | set(false_positives)
    }


def alerts(
    truth: Published, detections: list[Detection], cases: list[tuple[str, str]]
) -> dict[str, Any]:
    """Detections and open cases (account, severity) per 1,000 transactions."""
    transactions = len(truth.payments)
    fraudulent = fraudulent_accounts(truth)
    counts: dict[str, Any] = {
        "transactions": transactions,
        "detections": len(detections),
        "cases": len(cases),
        "critical_cases": sum(severity == "critical" for _, severity in cases),
        "cases_without_fraud": sum(account not in fraudulent for account, _ in cases),
    }
    for name in ("detections", "cases", "critical_cases", "cases_without_fraud"):
        counts[f"{name}_per_1000_transactions"] = rounded(
            Fraction(1000 * counts[name], transactions), 3
        )
    return counts


def pr_curve(
    truth: Published, risk: list[tuple[str, Decimal]]
) -> tuple[list[dict[str, Any]], Decimal | None]:
    """The account risk score's curve (highest threshold first) and its average precision."""
    fraudulent = fraudulent_accounts(truth)
    thresholds = sorted({score for _, score in risk}, reverse=True)
    points, area = [], Fraction(0)
    previous_tp = 0
    for threshold in thresholds:
        flagged = [account for account, score in risk if score >= threshold]
        true_positives = sum(account in fraudulent for account in flagged)
        area += (true_positives - previous_tp) * Fraction(true_positives, len(flagged))
        previous_tp = true_positives
        points.append(
            {
                "threshold": threshold,
                "flagged_accounts": len(flagged),
                "true_positive_accounts": true_positives,
                "fraudulent_accounts": len(fraudulent),
                "precision": rounded(share(true_positives, len(flagged))),
                "recall": rounded(share(true_positives, len(fraudulent))),
            }
        )
    average = rounded(area / len(fraudulent)) if points and fraudulent else None
    return points, average


def card_precision_at_100(
    truth: Published, detections: list[Detection]
) -> dict[date, dict[str, Any]]:
    fraud_event_ids = {event_id for label in truth.fraud for event_id in label.event_ids}
    signal_types: dict[tuple[date, str], set[str]] = defaultdict(set)
    for detection in detections:
        if detection.account_id is not None:
            key = (detection.detected_at.date(), detection.account_id)
            signal_types[key].add(detection.signal_type)
    cards: dict[date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    compromised: dict[date, set[str]] = defaultdict(set)
    for payment in truth.payments:
        if payment.card_token is None:
            continue
        day = payment.event_time.date()
        cards[day][payment.card_token].add(payment.account_id)
        if payment.event_id in fraud_event_ids:
            compromised[day].add(payment.card_token)

    def account_risk(day: date, account: str) -> Decimal:
        keep = Decimal(1)
        for signal in signal_types.get((day, account), ()):
            keep *= 1 - WEIGHTS[signal]
        return rounded(1 - keep) or Decimal(0)

    result = {}
    for day, day_cards in cards.items():
        risk = {
            card: max(account_risk(day, account) for account in accounts)
            for card, accounts in day_cards.items()
        }
        top = sorted(risk, key=lambda card: (-risk[card], card))[:TOP_CARDS]
        in_top = sum(card in compromised[day] for card in top)
        with_risk = sum(risk[card] > 0 for card in top)
        result[day] = {
            "cards_ranked": len(top),
            "cards_with_risk": with_risk,
            "compromised_in_top": in_top,
            "compromised_cards": len(compromised[day]),
            # Undefined when no card has risk: the top is then a pick among ties at zero.
            "card_precision_at_100": rounded(share(in_top, len(top))) if with_risk else None,
        }
    return result


def rules_and_model(
    truth: Published, detections: list[Detection], transactions: int
) -> dict[str, dict[str, Any]]:
    """Rules alone (every signal but ml_anomaly) and rules + model (all), as
    backtest/model_quality.py counts them: instances with a detection of their customer in their
    window (overall, evasive), detections, the share of them in an instance, alerts per 1,000."""
    judgements = judge(truth, detections)
    evasive = [label for label in truth.fraud if label.is_evasive]
    sides = {}
    for side, with_model in (("rules", False), ("rules_model", True)):
        kept = [d for d in detections if with_model or d.signal_type != "ml_anomaly"]
        moments: dict[str, list[datetime]] = defaultdict(list)
        for detection in kept:
            moments[detection.customer_id].append(detection.detected_at)

        def detected(label: Window, moments: dict[str, list[datetime]] = moments) -> bool:
            return any(label.holds(label.customer_id, at) for at in moments[label.customer_id])

        found = sum(detected(label) for label in truth.fraud)
        true_positives = sum(judgements[d.signal_id].is_true_positive for d in kept)
        sides[side] = {
            "instances_detected": found,
            "recall": found / len(truth.fraud),
            "evasive_recall": sum(detected(label) for label in evasive) / len(evasive),
            "detections": len(kept),
            "precision": true_positives / len(kept),
            "alerts_per_1000": 1000 * len(kept) / transactions,
        }
    return sides
