"""The page's pure parts: labels, the "why flagged" paragraph, the model's reasons, the chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cases import labels, narrative
from cases.chart import timeline_svg
from cases.workflow import OUTCOMES, SIGNAL_TYPES, STATUSES

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _signal(signal_type: str, minute: int, reason: str = "why") -> dict[str, object]:
    at = T0 + timedelta(minutes=minute)
    return {
        "signal_id": f"{signal_type}:{minute}",
        "signal_type": signal_type,
        "customer_id": "C1",
        "detected_at": at,
        "first_event_at": at - timedelta(seconds=30),
        "reason": reason,
    }


def test_every_code_the_views_speak_has_a_label() -> None:
    assert set(labels.SIGNALS) == SIGNAL_TYPES
    assert set(labels.STATUSES) == set(STATUSES)
    assert set(labels.OUTCOMES) == set(OUTCOMES)
    for code in SIGNAL_TYPES:
        assert "_" not in labels.signal(code) and labels.signal_words(code)


def test_values_read_as_words() -> None:
    assert labels.score(Decimal("0.7600")) == "76"
    assert labels.score(None) == "n/a"
    assert labels.money(Decimal("1234.5"), "AUD") == "$1,234.50"
    assert labels.duration(timedelta(seconds=42)) == "42 s"
    assert labels.duration(timedelta(minutes=75)) == "1 h 15 min"
    assert labels.duration(timedelta(days=3, hours=2)) == "3 d 2 h"
    assert labels.tenure(date(2019, 1, 1), date(2026, 1, 5)) == "7 years"
    assert labels.recommended("refer_to_aml_investigation", short=True) == "Refer to AML"
    assert labels.feature("km_from_home") == "the distance from home"


def test_why_flagged_names_the_strongest_signal_first_with_counts() -> None:
    signals = [_signal("velocity", 1), _signal("velocity", 5), _signal("account_takeover", 3)]
    risk = {
        "velocity_contribution": Decimal("0.6"),
        "account_takeover_contribution": Decimal("0.8"),
    }
    groups = narrative.signal_groups(signals, risk)
    assert [group.signal_type for group in groups] == ["account_takeover", "velocity"]
    case = {"account_id": "A1", "severity": "critical", "risk_score": Decimal("0.92")}
    text = narrative.why_flagged(case, groups, [])
    assert text.startswith("Account A1 was flagged critical (risk 92 of 100) because 2 kinds")
    assert "between 09:01:00 and 09:05:00" in text
    assert text.index("Account takeover") < text.index("Velocity burst")
    assert "Velocity burst (many card transactions in a short window) twice, weighing 60" in text
    assert "once, weighing 80" in text


def test_the_model_reason_is_in_words() -> None:
    scores = [
        {"score": 0.91, "top_feature": "km_from_home"},
        {"score": 0.7, "top_feature": "km_from_home"},
        {"score": 0.6, "top_feature": "amount"},
    ]
    assert narrative.model_reason(scores) == (
        "The fraud model scored 3 of these transactions, the highest 91 of 100,"
        " mostly because of the distance from home."
    )
    assert narrative.model_reason([]) == ""


def test_the_scores_top_reasons_are_in_words() -> None:
    text = "is_new_merchant +1.20, amount_to_history_mean +0.85, km_from_home +0.10"
    assert labels.feature_reasons(text) == (
        "a merchant new to the account, the amount against the account's recent payments"
        " and the distance from home"
    )
    assert labels.feature_reasons("is_new_city +0.40") == "a city new to the account"
    assert labels.feature_reasons(None) == ""


def test_every_model_feature_has_words() -> None:
    from scoring.features import FEATURE_NAMES

    assert set(FEATURE_NAMES) <= set(labels.FEATURES)


def test_the_chart_marks_every_signal_and_escapes_what_it_shows() -> None:
    transactions = [
        {
            "event_id": f"t{index}",
            "event_time": T0 + timedelta(minutes=index),
            "amount": Decimal(10 * (index + 1)),
            "currency": "AUD",
            "channel": "ecommerce",
            "merchant_name": "<script>Shop</script>",
        }
        for index in range(4)
    ]
    signals = [_signal("velocity", 2), _signal("cnp_spike", 3)]
    svg = str(timeline_svg(transactions, {"t2": ["velocity"]}, [], [], signals))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="signal-mark"') == 2
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert ">Velocity burst</text>" in svg and ">Card-not-present spike</text>" in svg
    assert svg.count('fill="#b3261e" fill-opacity') == 1, "one transaction behind a signal"
    assert str(timeline_svg([], {}, [], [], [])) == ""
