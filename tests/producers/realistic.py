"""What the realistic-world tests share: each label's own events, and the rule each imitates."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from common.contract import CONTRACT
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
    "household_two_cities": "geo_impossible",
    "vpn_shopper": "geo_impossible",
    "bill_run": "velocity",
    "cash_deposit_day": "structuring",
}
# Kinds whose every episode shows the imitated shape (far purchases always look impossible), and
# kinds none of whose episodes does: many deposits well under the threshold that sum past it in a
# day are a shape the oracle's (v1, v2) structuring rule does not look for.
ALWAYS_FIRES = frozenset({"remote_merchant", "trip_abroad", "vpn_shopper"})
NEVER_FIRES = frozenset({"cash_deposit_day"})
# Scenario -> the signal types its rule raises (the detection contract): an evasive variant
# stays under all of them.
EVADES: dict[str, tuple[str, ...]] = {
    scenario.name: scenario.signal_types for scenario in CONTRACT.scenarios
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
