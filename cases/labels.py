"""What the page calls things: the one home of every human label and value format.

Views speak in column names and codes (`login_storm_contribution`, `risk_level`,
`hold_card_and_verify_with_customer`); analysts read words. Every name the page shows goes
through here; the browser test fails if a raw column name reaches the page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

# Signal types (the dbt var `risk_weights` keys; cases.workflow.SIGNAL_TYPES): a name, and the
# words of the "why flagged" sentence.
SIGNALS: dict[str, tuple[str, str]] = {
    "velocity": ("Velocity burst", "many card transactions in a short window"),
    "geo_impossible": ("Impossible travel", "two places too far apart for the time between"),
    "device_anomaly": ("Unknown device", "activity from a device the customer never registered"),
    "cnp_spike": ("Card-not-present spike", "a burst of online or phone card payments"),
    "login_storm": ("Failed-login storm", "many failed sign-ins in a minute"),
    "structuring": ("Structuring", "repeated amounts just under the reporting threshold"),
    "correlated_alerts": ("Correlated alerts", "several kinds of alert from other systems at once"),
    "account_takeover": (
        "Account takeover",
        "a sign-in from a new device followed by spending or transfers",
    ),
    "ml_anomaly": ("Model anomaly", "the fraud model scored a transaction as unusual"),
    "decision_decline": ("Declined payment", "the decision service declined a payment"),
    "decision_review": ("Reviewed payment", "the decision service held a payment for review"),
}

SEVERITIES = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
STATUSES = {"open": "Open", "investigating": "Investigating", "closed": "Closed"}
OUTCOMES = {
    "confirmed_fraud": "Confirmed fraud",
    "false_positive": "False positive",
    "benign_but_useful": "Benign but useful",
}
ACTIONS = {
    "assign": "Assigned",
    "comment": "Commented",
    "status": "Changed status",
    "close": "Closed",
    "reopen": "Reopened",
}
RECOMMENDED = {
    "lock_online_banking_block_cards_and_call_customer": (
        "Lock online banking, block cards, call",
        "Lock online banking, block the cards and call the customer",
    ),
    "block_cards_and_call_customer": (
        "Block cards, call",
        "Block the cards and call the customer",
    ),
    "refer_to_aml_investigation": ("Refer to AML", "Refer to the AML investigation team"),
    "hold_card_and_verify_with_customer": (
        "Hold card, verify",
        "Hold the card and verify the spending with the customer",
    ),
    "step_up_authentication_and_review": (
        "Step-up auth, review",
        "Ask for step-up authentication and review the activity",
    ),
}
CHANNELS = {
    "pos": "In store",
    "atm": "ATM",
    "ecommerce": "Online",
    "phone": "Phone",
    "transfer": "Transfer",
}
# producers.models.Login.auth_method
AUTH_METHODS = {"password": "Password", "biometric": "Biometric", "otp": "One-time code"}
# The model's features (scoring.features), as the reason "because of ..." reads them.
FEATURES = {
    "amount": "the amount",
    "amount_to_typical": "the amount against the customer's typical spend",
    "amount_to_history_mean": "the amount against the account's recent payments",
    "gap_to_typical_gap": "the time since the previous payment against the account's usual pace",
    "count_10m_to_typical": "the payments in the last 10 minutes against the account's usual pace",
    "is_new_merchant": "a merchant new to the account",
    "is_new_city": "a city new to the account",
    "is_new_account_device": "a device new to the account",
    "km_from_previous": "the distance from the previous transaction",
    "km_from_home": "the distance from home",
    "is_new_device": "a new device",
    "is_card_not_present": "a card-not-present payment",
    "channel": "the channel",
    "merchant_category": "the merchant category",
    "kyc_tier": "the customer's risk tier",
}
# Entity kinds of the pivot pages: the URL segment and what the page calls one.
ENTITIES = {
    "device": "Device",
    "ip": "IP address",
    "card": "Card",
    "merchant": "Merchant",
    "payee": "Payee",
}


def signal(code: str) -> str:
    return SIGNALS.get(code, (code.replace("_", " ").capitalize(), ""))[0]


def signal_words(code: str) -> str:
    return SIGNALS.get(code, ("", code.replace("_", " ")))[1]


def signal_codes(reason_codes: str | None) -> list[str]:
    return [code for code in (reason_codes or "").split(",") if code]


def _lookup(table: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return table.get(code, code.replace("_", " ").capitalize())


def severity(code: str | None) -> str:
    return _lookup(SEVERITIES, code)


def status(code: str | None) -> str:
    return _lookup(STATUSES, code)


def outcome(code: str | None) -> str:
    return _lookup(OUTCOMES, code)


def action(code: str | None) -> str:
    return _lookup(ACTIONS, code)


def channel(code: str | None) -> str:
    return _lookup(CHANNELS, code)


def auth_method(code: str | None) -> str:
    return AUTH_METHODS.get(code or "", (code or "").replace("_", " "))


def feature(code: str | None) -> str:
    return FEATURES.get(code or "", (code or "an unnamed feature").replace("_", " "))


def feature_reasons(text: str | None) -> str:
    """The scorer's top reasons ("is_new_merchant +1.20, amount +0.40") in words."""
    names = [part.split()[0] for part in (text or "").split(",") if part.strip()]
    words = [feature(name) for name in names]
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def recommended(code: str | None, *, short: bool = False) -> str:
    if not code:
        return ""
    words = RECOMMENDED.get(code)
    if words is None:
        return code.replace("_", " ").capitalize()
    return words[0] if short else words[1]


def score(value: Decimal | float | None) -> str:
    """A 0..1 score as the whole number out of 100 analysts read (0.7600 -> 76)."""
    if value is None:
        return "n/a"
    return f"{round(float(value) * 100):d}"


def money(value: Decimal | float | None, currency: str | None = "AUD") -> str:
    if value is None:
        return ""
    symbol = "$" if currency in (None, "AUD", "USD") else f"{currency} "
    return f"{symbol}{float(value):,.2f}"


def duration(delta: timedelta) -> str:
    """A short age: 45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def clock(value: datetime | None) -> str:
    return value.strftime("%H:%M:%S") if value else ""


def tenure(since: date | None, today: date) -> str:
    """How long someone has been a customer: 7 years, 5 months, 12 days."""
    if since is None:
        return "unknown"
    days = (today - since).days
    if days >= 365:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    if days >= 31:
        return f"{days // 30} months"
    return f"{days} days"


# Jinja filters: templates name every label through these.
FILTERS = {
    "signal": signal,
    "severity": severity,
    "status": status,
    "outcome": outcome,
    "action": action,
    "channel": channel,
    "auth_method": auth_method,
    "feature": feature,
    "feature_reasons": feature_reasons,
    "recommended": recommended,
    "score": score,
    "money": money,
    "duration": duration,
    "moment": moment,
    "clock": clock,
}
