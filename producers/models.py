"""Event models: the payload contract of every topic.

Ground truth (`is_fraud`, `fraud_scenario`, `scenario_instance_id`, `lookalike_episode_id`) is
readable on an instance but excluded from every payload. No card number (PAN) exists anywhere: a
card is a token plus last four.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from common.contract import CONTRACT


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC)


def rfc3339(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


UtcDatetime = Annotated[
    datetime, AfterValidator(_to_utc), PlainSerializer(rfc3339, return_type=str)
]
Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0)]
CardToken = Annotated[str, Field(pattern=r"^tok_[0-9a-f]{16}$")]
CardLast4 = Annotated[str, Field(pattern=r"^\d{4}$")]

# Channels and scenarios come from the detection contract (common/contract.yml): Literals built
# from it, so the models validate the names; type checkers see plain strings.
if TYPE_CHECKING:
    Channel = str
    Scenario = str
else:
    Channel = Literal[CONTRACT.channels]
    Scenario = Literal[tuple(scenario.name for scenario in CONTRACT.scenarios)]
CARD_NOT_PRESENT_CHANNELS: frozenset[str] = frozenset(CONTRACT.card_not_present_channels)
# Honest behaviour that resembles a fraud pattern (see docs/fraud_patterns.md, "Look-alikes").
LookalikeKind = Literal[
    "remote_merchant",
    "trip_abroad",
    "shopping_spree",
    "split_checkout",
    "subscription_renewals",
    "forgotten_password",
    "cash_business_deposits",
    "new_phone_purchase",
    "household_two_cities",
    "vpn_shopper",
    "bill_run",
    "cash_deposit_day",
]


class Event(BaseModel):
    """Fields every event carries; subclasses name their topic and key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    topic: ClassVar[str]
    key_field: ClassVar[str]

    event_id: str
    event_time: UtcDatetime
    customer_id: str
    is_fraud: bool = Field(False, exclude=True)
    fraud_scenario: Scenario | None = Field(None, exclude=True)
    scenario_instance_id: str | None = Field(None, exclude=True)
    lookalike_episode_id: str | None = Field(None, exclude=True)

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))

    @property
    def timestamp(self) -> datetime:
        """When the record is emitted: also its Kafka message timestamp."""
        return self.event_time

    def payload(self) -> bytes:
        """The Kafka message value: JSON without ground truth."""
        return self.model_dump_json().encode()


class Transaction(Event):
    topic: ClassVar[str] = "transactions"
    key_field: ClassVar[str] = "account_id"

    account_id: str
    card_token: CardToken | None
    card_last4: CardLast4 | None
    amount: Money
    currency: str = "AUD"
    merchant_id: str
    merchant_name: str
    merchant_category: str
    channel: Channel
    device_id: str | None
    latitude: Latitude
    longitude: Longitude
    city: str
    country: str
    status: Literal["approved", "declined"]
    # The other account of a transfer: the payee it pays, or for an incoming deposit the account
    # that paid in. None on card and ATM transactions.
    counterparty_id: str | None = None

    @property
    def is_card_not_present(self) -> bool:
        return self.card_token is not None and self.channel in CARD_NOT_PRESENT_CHANNELS


class Login(Event):
    topic: ClassVar[str] = "logins"
    key_field: ClassVar[str] = "customer_id"

    device_id: str
    ip_address: str
    latitude: Latitude
    longitude: Longitude
    city: str
    country: str
    auth_method: Literal["password", "biometric", "otp"]
    success: bool
    failure_reason: Literal["bad_password", "bad_otp", "locked"] | None
    # A change to the customer's profile made in this session: enrolling this device for
    # payments, or changing the contact details (phone, email) that one-time codes go to.
    profile_change: Literal["device_enrolled", "contact_changed"] | None = None


class CardEvent(Event):
    topic: ClassVar[str] = "card_events"
    key_field: ClassVar[str] = "account_id"

    account_id: str
    card_token: CardToken
    card_last4: CardLast4
    event_type: Literal[
        "issued", "activated", "pin_changed", "limit_changed", "blocked", "unblocked", "replaced"
    ]
    reason: str | None


AlertType = Literal[
    "velocity",
    "geo_anomaly",
    "new_device",
    "card_testing",
    "login_failures",
    "large_transfer",
    "high_value_cnp",
    "merchant_risk",
]


class Alert(Event):
    """An alert raised by one of the bank's own monitoring systems (rules engines, device risk)."""

    topic: ClassVar[str] = "alerts"
    key_field: ClassVar[str] = "customer_id"

    account_id: str | None
    alert_type: AlertType
    severity: Literal["low", "medium", "high"]
    source_system: Literal["card_monitoring", "online_banking", "aml_monitoring", "device_risk"]
    description: str


class KycProfile(Event):
    """A customer's KYC profile as the bank holds it; a new event supersedes the previous one."""

    topic: ClassVar[str] = "kyc_profiles"
    key_field: ClassVar[str] = "customer_id"

    full_name: str
    date_of_birth: date
    email: str
    home_city: str
    home_country: str
    home_latitude: Latitude
    home_longitude: Longitude
    risk_tier: Literal["low", "medium", "high"]
    kyc_status: Literal["verified", "pending_review", "expired"]
    account_ids: list[str]
    registered_device_ids: list[str]
    typical_spend: Money
    customer_since: date


class FraudLabel(BaseModel):
    """Ground truth of one injected scenario instance, published to the labels topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    topic: ClassVar[str] = "fraud_labels"

    instance_id: str
    scenario: Scenario
    customer_id: str
    account_id: str | None
    card_token: CardToken | None
    event_ids: list[str]
    started_at: UtcDatetime
    ended_at: UtcDatetime
    # An evasive instance is shaped to stay under its rule; `variant` names how.
    is_evasive: bool = False
    variant: str | None = None

    @property
    def key(self) -> str:
        return self.customer_id

    @property
    def timestamp(self) -> datetime:
        """Labels are emitted once the scenario is complete."""
        return self.ended_at

    def payload(self) -> bytes:
        return self.model_dump_json().encode()


class LookalikeLabel(BaseModel):
    """Ground truth of one honest look-alike episode, published to its own labels topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    topic: ClassVar[str] = "lookalike_labels"

    episode_id: str
    kind: LookalikeKind
    customer_id: str
    account_id: str | None
    card_token: CardToken | None
    event_ids: list[str]
    started_at: UtcDatetime
    ended_at: UtcDatetime

    @property
    def key(self) -> str:
        return self.customer_id

    @property
    def timestamp(self) -> datetime:
        """Labels are emitted once the episode is complete."""
        return self.ended_at

    def payload(self) -> bytes:
        return self.model_dump_json().encode()


Label = FraudLabel | LookalikeLabel
Record = Event | FraudLabel | LookalikeLabel

EVENT_TYPES: tuple[type[Event], ...] = (Transaction, Login, CardEvent, Alert, KycProfile)
LABEL_TYPES: tuple[type[FraudLabel] | type[LookalikeLabel], ...] = (FraudLabel, LookalikeLabel)
TOPICS: tuple[str, ...] = (
    *(model.topic for model in EVENT_TYPES),
    *(model.topic for model in LABEL_TYPES),
)
