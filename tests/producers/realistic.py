"""What the realistic-world tests share: each label's own events, and the rule each imitates."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from offline.schema import DBT_PROJECT_DIR
from producers.models import FraudLabel, KycProfile, LookalikeLabel, Record
from tests.support import shapes

THRESHOLD = Decimal("10000")


def dbt_vars() -> dict[str, Any]:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


# Look-alike kind -> the signal type it imitates.
IMITATES: dict[str, str] = {
    "remote_merchant": "geo_impossible",
    "trip_abroad": "geo_impossible",
    "shopping_spree": "velocity",
    "split_checkout": "velocity",
    "subscription_renewals": "cnp_spike",
    "forgotten_password": "login_storm",
    "cash_business_deposits": "structuring",
    "new_phone_purchase": "device_anomaly",
}
# Scenario -> the signal types its rule raises (seeds/scenario_signals.csv): an evasive variant
# stays under all of them.
EVADES: dict[str, tuple[str, ...]] = {
    "velocity_burst": ("velocity",),
    "geo_impossible_travel": ("geo_impossible",),
    "account_takeover": ("account_takeover", "device_anomaly"),
    "card_testing": ("cnp_spike",),
    "login_storm": ("login_storm",),
    "structuring": ("structuring",),
    "compound_fraud": ("correlated_alerts",),
}


@dataclass
class Truth:
    """A stream indexed by event id, to cut out each label's own events."""

    stream: list[Record]
    events: dict[str, Record] = field(init=False)
    profiles: list[Record] = field(init=False)

    def __post_init__(self) -> None:
        self.events = {
            r.event_id: r for r in self.stream if not isinstance(r, FraudLabel | LookalikeLabel)
        }
        # The stream opens with every customer's profile; later KYC reviews repeat them.
        self.profiles = list(itertools.takewhile(lambda r: isinstance(r, KycProfile), self.stream))

    def own_events(self, label: FraudLabel | LookalikeLabel) -> list[Record]:
        """The label's events alone in event-time order, after every KYC profile (the rules
        join them)."""
        own = sorted((self.events[event_id] for event_id in label.event_ids), key=_event_time)
        return self.profiles + own


def _event_time(record: Record) -> datetime:
    return record.timestamp


def signal_types(records: list[Record]) -> set[str]:
    """Every signal type the oracle sees anywhere in `records`."""
    found = shapes.signal_types_by_account(records, THRESHOLD)
    return set().union(*found.values()) if found else set()


def lookalikes(stream: list[Record], kind: str) -> list[LookalikeLabel]:
    return [r for r in stream if isinstance(r, LookalikeLabel) and r.kind == kind]


def evasive(stream: list[Record], variant: str) -> list[FraudLabel]:
    return [r for r in stream if isinstance(r, FraudLabel) and r.variant == variant]
