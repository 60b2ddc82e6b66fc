"""Hand-made events for tests that replay a few crafted records instead of a generated world.

Each builder takes what a test varies as keywords and gives every other field an ordinary value:
customer `C` owns account `A-C`, lives in Sydney, spends about 300 a payment.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from producers.models import KycProfile, Login, Transaction

SYDNEY = (-33.87, 151.21)
MELBOURNE = (-37.81, 144.96)
_CITIES = {SYDNEY: "Sydney", MELBOURNE: "Melbourne"}


def account_of(customer: str) -> str:
    return f"A-{customer}"


def kyc_profile(
    event_id: str,
    customer: str,
    event_time: datetime,
    devices: list[str],
    home: tuple[float, float] = SYDNEY,
    typical_spend: str = "300.00",
    risk_tier: Literal["low", "medium", "high"] = "low",
) -> KycProfile:
    return KycProfile(
        event_id=event_id,
        event_time=event_time,
        customer_id=customer,
        full_name=f"Customer {customer}",
        date_of_birth=date(1980, 1, 1),
        email=f"{customer.lower()}@example.test",
        home_city=_CITIES[home],
        home_country="AU",
        home_latitude=home[0],
        home_longitude=home[1],
        risk_tier=risk_tier,
        kyc_status="verified",
        account_ids=[account_of(customer)],
        registered_device_ids=devices,
        typical_spend=Decimal(typical_spend),
        customer_since=date(2020, 1, 1),
    )


def purchase(
    event_id: str,
    customer: str,
    event_time: datetime,
    amount: str,
    device: str,
    place: tuple[float, float] = SYDNEY,
) -> Transaction:
    """An online purchase of electronics by card."""
    return Transaction(
        event_id=event_id,
        event_time=event_time,
        customer_id=customer,
        account_id=account_of(customer),
        card_token="tok_00000000000000c1",
        card_last4="1234",
        amount=Decimal(amount),
        merchant_id="m_shop",
        merchant_name="Shop",
        merchant_category="electronics",
        channel="ecommerce",
        device_id=device,
        latitude=place[0],
        longitude=place[1],
        city=_CITIES[place],
        country="AU",
        status="approved",
    )


def transfer(
    event_id: str, customer: str, event_time: datetime, amount: str, payee: str, device: str
) -> Transaction:
    return Transaction(
        event_id=event_id,
        event_time=event_time,
        customer_id=customer,
        account_id=account_of(customer),
        card_token=None,
        card_last4=None,
        amount=Decimal(amount),
        merchant_id="bank_transfer",
        merchant_name="Transfer",
        merchant_category="transfer",
        channel="transfer",
        device_id=device,
        latitude=SYDNEY[0],
        longitude=SYDNEY[1],
        city="Sydney",
        country="AU",
        status="approved",
        counterparty_id=payee,
    )


def login(
    event_id: str,
    customer: str,
    event_time: datetime,
    device: str,
    profile_change: Literal["device_enrolled", "contact_changed"] | None = None,
) -> Login:
    """A successful sign-in from Sydney; a profile change asks for a one-time code."""
    return Login(
        event_id=event_id,
        event_time=event_time,
        customer_id=customer,
        device_id=device,
        ip_address="10.0.0.1",
        latitude=SYDNEY[0],
        longitude=SYDNEY[1],
        city="Sydney",
        country="AU",
        auth_method="otp" if profile_change else "password",
        success=True,
        failure_reason=None,
        profile_change=profile_change,
    )
