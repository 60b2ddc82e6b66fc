"""The stable customer pool and merchant catalogue every event is drawn from."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker

from producers import ids
from producers.geo import HOME_CITIES, City, near

MERCHANT_CATEGORIES: tuple[str, ...] = (
    "grocery",
    "restaurants",
    "fuel",
    "retail",
    "electronics",
    "travel",
    "utilities",
    "health",
    "entertainment",
    "online_services",
)
MERCHANTS_PER_CUSTOMER = 0.5
MIN_MERCHANTS = 50


@dataclass(frozen=True, slots=True)
class Card:
    token: str
    last4: str


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    card: Card | None


@dataclass(frozen=True, slots=True)
class Device:
    device_id: str
    ip_address: str


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str
    full_name: str
    date_of_birth: date
    email: str
    home: City
    home_latitude: float
    home_longitude: float
    accounts: tuple[Account, ...]
    devices: tuple[Device, ...]
    risk_tier: str
    kyc_status: str
    typical_spend: Decimal
    customer_since: date

    @property
    def card_accounts(self) -> tuple[Account, ...]:
        return tuple(account for account in self.accounts if account.card is not None)


@dataclass(frozen=True, slots=True)
class Merchant:
    merchant_id: str
    name: str
    category: str


def build_customers(size: int, rng: random.Random, faker: Faker) -> tuple[Customer, ...]:
    """`size` customers; the same seed gives the same pool."""
    cities = [city for city, _ in HOME_CITIES]
    weights = [weight for _, weight in HOME_CITIES]
    customers = []
    account_number = 0
    for index in range(1, size + 1):
        home = rng.choices(cities, weights)[0]
        latitude, longitude = near(rng, home.latitude, home.longitude, 0.1)
        accounts = []
        for position in range(2 if rng.random() < 0.3 else 1):
            account_number += 1
            has_card = rng.random() < (0.95 if position == 0 else 0.4)
            card = Card(ids.card_token(rng), f"{rng.randrange(10_000):04d}") if has_card else None
            accounts.append(Account(f"A{account_number:08d}", card))
        devices = tuple(
            Device(ids.device_id(rng), faker.ipv4_public()) for _ in range(rng.randint(1, 3))
        )
        customers.append(
            Customer(
                customer_id=f"C{index:06d}",
                full_name=faker.name(),
                # Not faker.date_of_birth: it counts back from today, so output would change daily.
                date_of_birth=date(1936, 1, 1) + timedelta(days=rng.randrange(25_500)),
                email=faker.email(),
                home=home,
                home_latitude=latitude,
                home_longitude=longitude,
                accounts=tuple(accounts),
                devices=devices,
                risk_tier=rng.choices(("low", "medium", "high"), (80, 17, 3))[0],
                kyc_status=rng.choices(("verified", "pending_review", "expired"), (92, 5, 3))[0],
                typical_spend=Decimal(rng.randint(20, 250)).quantize(Decimal("0.01")),
                customer_since=date(2005, 1, 1) + timedelta(days=rng.randrange(7300)),
            )
        )
    return tuple(customers)


def build_merchants(customer_count: int, rng: random.Random, faker: Faker) -> tuple[Merchant, ...]:
    count = max(MIN_MERCHANTS, int(customer_count * MERCHANTS_PER_CUSTOMER))
    return tuple(
        Merchant(f"M{index:05d}", faker.company(), rng.choice(MERCHANT_CATEGORIES))
        for index in range(1, count + 1)
    )
