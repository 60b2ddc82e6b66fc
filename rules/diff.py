"""What changes between two rule sets: each rule var that differs, and the signals it drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules.schema import RuleSet, signal_types

# Which signal each rule var drives (a var prefix names its signal; the others are listed).
_SHARED = {
    "high_value_amount": ("device_anomaly", "account_takeover"),
    "takeover_window_minutes": ("account_takeover",),
    "takeover_payee_history_minutes": ("account_takeover",),
    "takeover_profile_change_window_minutes": ("account_takeover",),
    "geo_min_distance_km": ("geo_impossible",),
    "geo_max_gap_minutes": ("geo_impossible",),
    "geo_location_channels": ("geo_impossible",),
    "card_testing_max_amount": ("cnp_spike",),
    "cnp_drip_min_transactions": ("cnp_spike",),
    "cnp_drip_window_minutes": ("cnp_spike",),
    "cnp_merchant_min_cards": ("cnp_spike",),
    "cnp_merchant_window_minutes": ("cnp_spike",),
    "correlated_min_alert_types": ("correlated_alerts",),
    "correlated_window_minutes": ("correlated_alerts",),
    "login_storm_min_failures": ("login_storm",),
    "login_storm_window_seconds": ("login_storm",),
}


@dataclass(frozen=True)
class Change:
    rule: str
    before: Any
    after: Any
    drives: str


def drives(rule: str) -> str:
    """The signals (or `risk`) a rule var changes."""
    if rule in _SHARED:
        return ", ".join(_SHARED[rule])
    if rule.startswith("risk_"):
        return "risk score, cases"
    for signal in signal_types():
        if rule.startswith(signal + "_"):
            return signal
    return "-"


def diff(before: RuleSet, after: RuleSet) -> list[Change]:
    """Every rule var that differs, weights one per signal (`risk_weights.velocity`)."""
    old, new = before.rules.dbt_vars(), after.rules.dbt_vars()
    changes = []
    for rule, value in old.items():
        if rule == "risk_weights":
            for signal, weight in value.items():
                if new[rule][signal] != weight:
                    changes.append(
                        Change(f"risk_weights.{signal}", weight, new[rule][signal], "risk score")
                    )
        elif new[rule] != value:
            changes.append(Change(rule, value, new[rule], drives(rule)))
    return changes


def _shown(value: Any) -> str:
    """A rule's value in the table: a path's null vars read `off`, lists joined."""
    if value is None:
        return "off"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def render(before: RuleSet, after: RuleSet) -> str:
    changes = diff(before, after)
    head = f"{before.version} -> {after.version}: {after.description}"
    if not changes:
        return f"{head}\nno rule changes"
    width = max(len("rule"), *(len(change.rule) for change in changes))
    lines = [head, f"{'rule'.ljust(width)}  {before.version:>10}  {after.version:>10}  drives"]
    lines += [
        f"{c.rule.ljust(width)}  {_shown(c.before):>10}  {_shown(c.after):>10}  {c.drives}"
        for c in changes
    ]
    return "\n".join(lines)
