"""Honest look-alikes: everyday behaviour of honest customers that resembles a fraud pattern.

Each episode is drawn from how customers behave (their home, their typical spend, their devices,
how shops and billers work), never from a detection rule: nothing here reads a dbt var or a rule
threshold. The reporting threshold (`STRUCTURING_THRESHOLD`) is a fact of the world that honest
cash businesses know too. Each episode is published with its ground truth on `lookalike_labels`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from producers import ids
from producers.geo import HOME_CITIES, OVERSEAS_CITIES
from producers.models import LookalikeKind, LookalikeLabel
from producers.pool import Device, Merchant
from producers.scenarios import VICTIM_TRIES, EventBuilder
from producers.world import World

# One honest customer lives through at most one episode a day, so look-alikes do not pile up on
# one account (a trip and a new phone in the same day would look like far more than either).
EPISODE_COOLDOWN_SECONDS = 24 * 3600.0
SUBSCRIPTION_CATEGORIES = ("online_services", "entertainment", "utilities")


@dataclass(slots=True, kw_only=True)
class LookalikeEpisode(EventBuilder):
    """One honest episode: its events (not yet ordered) and its ground truth."""

    kind: LookalikeKind
    episode_id: str

    def _truth(self) -> dict[str, object]:
        return {
            "event_id": self.world.event_id(),
            "customer_id": self.customer.customer_id,
            "lookalike_episode_id": self.episode_id,
        }

    def spend(self, low: float, high: float) -> float:
        """An amount this customer would spend, scaled from their typical spend."""
        return float(self.customer.typical_spend) * self.world.rng.uniform(low, high)

    def label(self) -> LookalikeLabel:
        times = [record.timestamp for record in self.records]
        card = self.account.card if self.account else None
        return LookalikeLabel(
            episode_id=self.episode_id,
            kind=self.kind,
            customer_id=self.customer.customer_id,
            account_id=self.account.account_id if self.account else None,
            card_token=card.token if card else None,
            event_ids=[record.event_id for record in self.records],
            started_at=min(times),
            ended_at=max(times),
        )


def _own_device(episode: LookalikeEpisode) -> str:
    devices = episode.customer.devices
    return devices[episode.world.rng.randrange(len(devices))].device_id


def remote_merchant(episode: LookalikeEpisode, start: float) -> None:
    """A purchase at home, then an online order whose payment is geolocated at the merchant's
    overseas processor, sometimes followed by another purchase at home."""
    rng = episode.world.rng
    episode.transaction(start, amount=episode.spend(0.2, 1.0), channel="pos")
    moment = start + rng.uniform(120.0, 1800.0)
    processor = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    episode.transaction(
        moment,
        amount=episode.spend(0.3, 3.0),
        channel="ecommerce",
        place=processor,
        device=_own_device(episode),
    )
    if rng.random() < 0.5:
        episode.transaction(
            moment + rng.uniform(300.0, 3600.0), amount=episode.spend(0.2, 1.0), channel="pos"
        )


def trip_abroad(episode: LookalikeEpisode, start: float) -> None:
    """The customer shops abroad while a family member keeps using the shared card at home."""
    rng = episode.world.rng
    city = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    abroad = [True, False] + [rng.random() < 0.6 for _ in range(rng.randint(1, 4))]
    rng.shuffle(abroad)
    moment = start
    for is_abroad in abroad:
        place = city if is_abroad else None
        episode.transaction(moment, amount=episode.spend(0.3, 2.0), channel="pos", place=place)
        moment += rng.uniform(240.0, 1500.0)


def shopping_spree(episode: LookalikeEpisode, start: float) -> None:
    """Quick taps at a market or a food court: small card-present purchases seconds apart."""
    rng = episode.world.rng
    moment = start
    for _ in range(rng.randint(4, 9)):
        episode.transaction(moment, amount=episode.spend(0.1, 0.8), channel="pos")
        moment += 5.0 + rng.expovariate(1 / 15.0)


def split_checkout(episode: LookalikeEpisode, start: float) -> None:
    """A purchase declined in full (a daily limit), retried, then paid in parts at one shop."""
    rng = episode.world.rng
    merchant = episode.world.merchants[rng.randrange(len(episode.world.merchants))]
    total = episode.spend(3.0, 10.0)
    moment = start
    for _ in range(rng.randint(1, 2)):
        episode.transaction(moment, amount=total, channel="pos", declined=True, merchant=merchant)
        moment += rng.uniform(6.0, 25.0)
    parts = rng.randint(2, 4)
    for _ in range(parts):
        episode.transaction(moment, amount=total / parts, channel="pos", merchant=merchant)
        moment += rng.uniform(6.0, 25.0)


def _subscription_merchants(world: World) -> list[Merchant]:
    merchants = [m for m in world.merchants if m.category in SUBSCRIPTION_CATEGORIES]
    return merchants or list(world.merchants)


def subscription_renewals(episode: LookalikeEpisode, start: float) -> None:
    """A biller's nightly run renews the customer's subscriptions one after another: merchant-
    initiated card-not-present charges, no device."""
    rng = episode.world.rng
    merchants = _subscription_merchants(episode.world)
    moment = start
    for merchant in rng.sample(merchants, min(len(merchants), rng.randint(5, 12))):
        episode.transaction(
            moment, amount=rng.uniform(5.0, 30.0), channel="ecommerce", merchant=merchant
        )
        moment += rng.uniform(20.0, 60.0)


def forgotten_password(episode: LookalikeEpisode, start: float) -> None:
    """Wrong passwords typed in a row on the customer's own phone, then a reset by one-time code."""
    rng = episode.world.rng
    device = episode.customer.devices[rng.randrange(len(episode.customer.devices))]
    moment = start
    for _ in range(rng.randint(2, 5)):
        episode.login(moment, device, success=False)
        moment += rng.uniform(4.0, 30.0)
    episode.login(moment + rng.uniform(30.0, 120.0), device, success=True, auth_method="otp")


def cash_business_deposits(episode: LookalikeEpisode, start: float) -> None:
    """A cash business banks each till at the branch; the owner empties a till before its takings
    reach the reporting threshold, so every deposit is a large share of it."""
    rng = episode.world.rng
    threshold = float(episode.world.settings.structuring_threshold)
    moment = start
    for _ in range(rng.randint(2, 3)):
        episode.transaction(moment, amount=threshold * rng.uniform(0.75, 0.995), channel="transfer")
        moment += rng.uniform(120.0, 1200.0)


def new_phone_purchase(episode: LookalikeEpisode, start: float) -> None:
    """A new phone: a big online purchase from it in a shop's app, then the customer's first
    online-banking login on it with a one-time code, which enrols it, before the bank's records
    (KYC) know the phone."""
    rng = episode.world.rng
    phone = Device(ids.device_id(rng), episode.customer.devices[0].ip_address)
    moment = start
    for _ in range(rng.randint(1, 2)):
        episode.transaction(
            moment, amount=episode.spend(4.0, 30.0), channel="ecommerce", device=phone.device_id
        )
        moment += rng.uniform(60.0, 900.0)
    episode.login(
        moment + rng.uniform(300.0, 1800.0),
        phone,
        success=True,
        auth_method="otp",
        profile_change="device_enrolled",
    )


def household_two_cities(episode: LookalikeEpisode, start: float) -> None:
    """A household shares one card across two cities (a partner working away, a student child):
    both use it in shops on the same day, each in their own city, 5 to 45 minutes apart."""
    rng = episode.world.rng
    home = episode.customer.home
    cities = [city for city, _ in HOME_CITIES if city != home]
    away = rng.choices(cities, weights=[weight for city, weight in HOME_CITIES if city != home])[0]
    places = [None, away] + [rng.choice((None, away)) for _ in range(rng.randint(0, 2))]
    rng.shuffle(places)
    moment = start
    for place in places:
        episode.transaction(moment, amount=episode.spend(0.2, 1.5), channel="pos", place=place)
        moment += rng.uniform(300.0, 2700.0)


def vpn_shopper(episode: LookalikeEpisode, start: float) -> None:
    """A customer at home shops online through a VPN: the payments are geolocated at the VPN's
    exit abroad, from the customer's own device, between purchases in shops at home."""
    rng = episode.world.rng
    episode.transaction(start, amount=episode.spend(0.2, 1.0), channel="pos")
    exit_city = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    device = _own_device(episode)
    moment = start + rng.uniform(300.0, 3000.0)
    for _ in range(rng.randint(1, 3)):
        episode.transaction(
            moment,
            amount=episode.spend(0.2, 2.0),
            channel="ecommerce",
            place=exit_city,
            device=device,
        )
        moment += rng.uniform(60.0, 1200.0)


def bill_run(episode: LookalikeEpisode, start: float) -> None:
    """Payday: the customer logs in on their own device and pays the fortnight's bills (rent,
    utilities, phone, family) by transfer in one sitting, seconds apart."""
    rng = episode.world.rng
    device = episode.customer.devices[rng.randrange(len(episode.customer.devices))]
    episode.login(start, device, success=True)
    moment = start + rng.uniform(20.0, 90.0)
    for _ in range(rng.randint(3, 7)):
        episode.transaction(
            moment, amount=episode.spend(0.5, 8.0), channel="transfer", device=device.device_id
        )
        moment += rng.uniform(5.0, 25.0)


def cash_deposit_day(episode: LookalikeEpisode, start: float) -> None:
    """A cash business's staff bank the takings as they come: several deposits of a few thousand
    each, minutes apart (around 12 min, a long tail), that together pass the reporting threshold."""
    rng = episode.world.rng
    threshold = float(episode.world.settings.structuring_threshold)
    moment = start
    for _ in range(rng.randint(4, 6)):
        episode.transaction(moment, amount=threshold * rng.uniform(0.1, 0.4), channel="transfer")
        moment += 720.0 * math.exp(rng.gauss(0.0, 0.5))


Builder = Callable[[LookalikeEpisode, float], None]
# Kind -> (builder, whether it needs an account with a card, or any account, or none).
KINDS: dict[LookalikeKind, tuple[Builder, str]] = {
    "remote_merchant": (remote_merchant, "card"),
    "trip_abroad": (trip_abroad, "card"),
    "shopping_spree": (shopping_spree, "card"),
    "split_checkout": (split_checkout, "card"),
    "subscription_renewals": (subscription_renewals, "card"),
    "forgotten_password": (forgotten_password, "none"),
    "cash_business_deposits": (cash_business_deposits, "any"),
    "new_phone_purchase": (new_phone_purchase, "card"),
    "household_two_cities": (household_two_cities, "card"),
    "vpn_shopper": (vpn_shopper, "card"),
    "bill_run": (bill_run, "any"),
    "cash_deposit_day": (cash_deposit_day, "any"),
}


def start_episode(
    world: World, seconds: float, episode_free_at: dict[int, float]
) -> LookalikeEpisode | None:
    """Pick a kind and a free customer (no fraud under way, no episode in the last day) and build
    the episode from `seconds` on."""
    rng = world.rng
    kind: LookalikeKind = rng.choice(tuple(KINDS))
    builder, needs = KINDS[kind]
    for _ in range(VICTIM_TRIES):
        index = rng.randrange(len(world.customers))
        customer = world.customers[index]
        if world.is_busy(index, seconds) or episode_free_at.get(index, 0.0) > seconds:
            continue
        accounts = {"card": customer.card_accounts, "any": customer.accounts, "none": ()}[needs]
        if needs != "none" and not accounts:
            continue
        account = accounts[rng.randrange(len(accounts))] if accounts else None
        episode = LookalikeEpisode(
            kind=kind, episode_id=world.event_id(), customer=customer, account=account, world=world
        )
        builder(episode, seconds)
        episode_free_at[index] = seconds + EPISODE_COOLDOWN_SECONDS
        return episode
    return None
