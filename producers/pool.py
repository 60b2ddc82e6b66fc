"""The stable customer pool and merchant catalogue every event is drawn from."""

from __future__ import annotations

import gc
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

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
# Faker draws a sample of names once; each customer then picks from it. A Faker call per
# customer (name, e-mail, IP address) made a pool of 57,600 take 18 s to build.
NAME_SAMPLE = 2_000
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")  # reserved: never a real mailbox


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


@dataclass(frozen=True, slots=True)
class Names:
    """Names drawn from Faker's weighted lists once, and the identity source that picks from
    them. Identities never touch the world's random source: the world does not depend on them."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    rng: random.Random

    @classmethod
    def sample(cls, faker: Faker) -> Names:
        return cls(
            first=tuple(faker.first_name() for _ in range(NAME_SAMPLE)),
            last=tuple(faker.last_name() for _ in range(NAME_SAMPLE)),
            company_suffixes=tuple(faker.company_suffix() for _ in range(NAME_SAMPLE // 20)),
            rng=faker.random,
        )

    def person(self) -> tuple[str, str]:
        """A full name and an e-mail address at a reserved domain."""
        first = self.first[self.rng.randrange(len(self.first))]
        last = self.last[self.rng.randrange(len(self.last))]
        local = _ascii_letters(f"{first[0]}{last}") + str(self.rng.randrange(100))
        return f"{first} {last}", f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def company(self) -> str:
        last = self.last[self.rng.randrange(len(self.last))]
        if self.rng.random() < 0.5:
            return f"{last} {self.company_suffixes[self.rng.randrange(len(self.company_suffixes))]}"
        return f"{last}-{self.last[self.rng.randrange(len(self.last))]}"


def _ascii_letters(text: str) -> str:
    return "".join(char for char in text.lower() if "a" <= char <= "z")


# Values many customers share are made once (a pool of a million holds each only once).
_HOME_CITIES = tuple(city for city, _ in HOME_CITIES)
_HOME_CUM_WEIGHTS = tuple(itertools.accumulate(weight for _, weight in HOME_CITIES))
_RISK_TIERS = ("low", "medium", "high")
_RISK_TIER_CUM_WEIGHTS = (80, 97, 100)
_KYC_STATUSES = ("verified", "pending_review", "expired")
_KYC_STATUS_CUM_WEIGHTS = (92, 97, 100)
_BIRTH_EPOCH = date(1936, 1, 1)
_CUSTOMER_EPOCH = date(2005, 1, 1)


@cache
def _day(epoch: date, days: int) -> date:
    return epoch + timedelta(days=days)


@cache
def _spend(units: int) -> Decimal:
    return Decimal(units).quantize(Decimal("0.01"))


@cache
def _last4(number: int) -> str:
    return f"{number:04d}"


def customer_index(customer_id: str) -> int:
    """The position in the pool of the customer with this id."""
    return int(customer_id[1:]) - 1


def build_customers(size: int, rng: random.Random, faker: Faker) -> tuple[Customer, ...]:
    """`size` customers; the same seed gives the same pool."""
    names = Names.sample(faker)
    customers = []
    account_number = 0
    # The pool only grows while it is built: cycle collection would walk it again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index in range(1, size + 1):
            home = rng.choices(_HOME_CITIES, cum_weights=_HOME_CUM_WEIGHTS)[0]
            latitude, longitude = near(rng, home.latitude, home.longitude, 0.1)
            accounts = []
            for position in range(2 if rng.random() < 0.3 else 1):
                account_number += 1
                has_card = rng.random() < (0.95 if position == 0 else 0.4)
                card = (
                    Card(ids.card_token(rng), _last4(rng.randrange(10_000))) if has_card else None
                )
                accounts.append(Account(f"A{account_number:08d}", card))
            devices = tuple(
                Device(ids.device_id(rng), ids.public_ipv4(names.rng))
                for _ in range(rng.randint(1, 3))
            )
            full_name, email = names.person()
            customers.append(
                Customer(
                    customer_id=f"C{index:06d}",
                    full_name=full_name,
                    # Not faker.date_of_birth: it counts back from today, so output would
                    # change daily.
                    date_of_birth=_day(_BIRTH_EPOCH, rng.randrange(25_500)),
                    email=email,
                    home=home,
                    home_latitude=latitude,
                    home_longitude=longitude,
                    accounts=tuple(accounts),
                    devices=devices,
                    risk_tier=rng.choices(_RISK_TIERS, cum_weights=_RISK_TIER_CUM_WEIGHTS)[0],
                    kyc_status=rng.choices(_KYC_STATUSES, cum_weights=_KYC_STATUS_CUM_WEIGHTS)[0],
                    typical_spend=_spend(rng.randint(20, 250)),
                    customer_since=_day(_CUSTOMER_EPOCH, rng.randrange(7300)),
                )
            )
    finally:
        if collecting:
            gc.enable()
    return tuple(customers)


def build_merchants(customer_count: int, rng: random.Random, faker: Faker) -> tuple[Merchant, ...]:
    count = max(MIN_MERCHANTS, int(customer_count * MERCHANTS_PER_CUSTOMER))
    names = Names.sample(faker)
    return tuple(
        Merchant(f"M{index:05d}", names.company(), rng.choice(MERCHANT_CATEGORIES))
        for index in range(1, count + 1)
    )
