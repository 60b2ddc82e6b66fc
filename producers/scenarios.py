"""Injected fraud scenarios. Each builds every event of one instance up front, plus its label.

The shapes match the detection rules (see `docs/fraud_patterns.md`) with a margin, so that every
instance is caught by the signal meant for it. In the realistic world a share of instances
(`EVASION_RATE`) takes an evasive variant instead (`producers/evasion.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from producers import ids
from producers.geo import LOCAL_JITTER_DEGREES, OVERSEAS_CITIES, City, near
from producers.models import Alert, Event, FraudLabel, Login, Scenario, Transaction
from producers.payees import honest_payee, mule_payee
from producers.pool import Account, Customer, Device, Merchant
from producers.world import World

# A victim hosts no other scenario for this long after one ends, so labels do not overlap
# within the 5-minute windows of the rules.
COOLDOWN_SECONDS = 300.0
# How many customers are tried before a start is given up (the pool has no free victim).
VICTIM_TRIES = 32


@dataclass(slots=True, kw_only=True)
class EventBuilder:
    """Builds the events of one customer's episode; subclasses say what truth they carry."""

    customer: Customer
    account: Account | None
    world: World
    records: list[Event] = field(default_factory=list)

    def _truth(self) -> dict[str, object]:
        raise NotImplementedError

    def _payee(self, account_id: str, event_id: str) -> str:
        return honest_payee(account_id, event_id)

    def transaction(
        self,
        seconds: float,
        *,
        amount: float,
        channel: str,
        place: City | None = None,
        device: str | None = None,
        declined: bool = False,
        merchant: Merchant | None = None,
    ) -> None:
        world, account = self.world, self.account
        assert account is not None  # transaction scenarios always pick an account
        card = account.card if channel != "transfer" else None
        if place is None:
            latitude, longitude = near(
                world.rng,
                self.customer.home_latitude,
                self.customer.home_longitude,
                LOCAL_JITTER_DEGREES,
            )
            place = self.customer.home
        else:
            latitude, longitude = near(world.rng, place.latitude, place.longitude, 0.05)
        if merchant is None:
            merchant = world.merchants[world.rng.randrange(len(world.merchants))]
        truth = self._truth()
        payee = self._payee(account.account_id, str(truth["event_id"]))
        self.records.append(
            Transaction(
                **truth,
                event_time=world.at(seconds),
                account_id=account.account_id,
                card_token=card.token if card else None,
                card_last4=card.last4 if card else None,
                amount=world.money(amount),
                currency=world.settings.currency,
                merchant_id=merchant.merchant_id,
                merchant_name=merchant.name,
                merchant_category=merchant.category,
                channel=channel,
                device_id=device,
                latitude=latitude,
                longitude=longitude,
                city=place.name,
                country=place.country,
                status="declined" if declined else "approved",
                counterparty_id=payee if channel == "transfer" else None,
            )
        )

    def login(
        self,
        seconds: float,
        device: Device,
        *,
        success: bool,
        auth_method: str = "password",
        profile_change: str | None = None,
    ) -> None:
        latitude, longitude = near(
            self.world.rng,
            self.customer.home_latitude,
            self.customer.home_longitude,
            LOCAL_JITTER_DEGREES,
        )
        self.records.append(
            Login(
                **self._truth(),
                event_time=self.world.at(seconds),
                device_id=device.device_id,
                ip_address=device.ip_address,
                latitude=latitude,
                longitude=longitude,
                city=self.customer.home.name,
                country=self.customer.home.country,
                auth_method=auth_method,
                success=success,
                failure_reason=None if success else "bad_password",
                profile_change=profile_change,
            )
        )

    def alert(self, seconds: float, alert_type: str, source_system: str, text: str) -> None:
        self.records.append(
            Alert(
                **self._truth(),
                event_time=self.world.at(seconds),
                account_id=self.account.account_id if self.account else None,
                alert_type=alert_type,
                severity="high",
                source_system=source_system,
                description=text,
            )
        )

    @property
    def span(self) -> tuple[float, float]:
        """Simulated seconds of the first and the last event."""
        times = [(record.timestamp - self.world.start).total_seconds() for record in self.records]
        return min(times), max(times)


@dataclass(slots=True, kw_only=True)
class ScenarioInstance(EventBuilder):
    """One injected instance: its events (not yet ordered) and its ground truth."""

    scenario: Scenario
    instance_id: str
    variant: str | None = None

    def _truth(self) -> dict[str, object]:
        return {
            "event_id": self.world.event_id(),
            "customer_id": self.customer.customer_id,
            "is_fraud": True,
            "fraud_scenario": self.scenario,
            "scenario_instance_id": self.instance_id,
        }

    def _payee(self, account_id: str, event_id: str) -> str:
        return mule_payee(self.instance_id)

    def label(self) -> FraudLabel:
        times = [record.timestamp for record in self.records]
        card = self.account.card if self.account else None
        return FraudLabel(
            instance_id=self.instance_id,
            scenario=self.scenario,
            customer_id=self.customer.customer_id,
            account_id=self.account.account_id if self.account else None,
            card_token=card.token if card else None,
            event_ids=[record.event_id for record in self.records],
            started_at=min(times),
            ended_at=max(times),
            is_evasive=self.variant is not None,
            variant=self.variant,
        )


def attacker_device(world: World) -> Device:
    rng = world.rng
    return Device(
        ids.device_id(rng), f"185.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    )


def _offsets(world: World, count: int, span: float) -> list[float]:
    """`count` sorted offsets in [0, span], the first at 0 and the last at `span`."""
    inner = sorted(world.rng.uniform(0.0, span) for _ in range(count - 2))
    return [0.0, *inner, span]


def velocity_burst(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    offsets = _offsets(instance.world, rng.randint(6, 8), rng.uniform(30.0, 50.0))
    for offset in offsets:
        instance.transaction(start + offset, amount=rng.uniform(20.0, 400.0), channel="pos")
    instance.alert(
        start + offsets[-1] + rng.uniform(5.0, 30.0),
        "velocity",
        "card_monitoring",
        "Unusual number of card transactions in a short time",
    )


def geo_impossible_travel(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    instance.transaction(start, amount=rng.uniform(10.0, 150.0), channel="pos")
    away = start + rng.uniform(15 * 60.0, 90 * 60.0)
    city = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    instance.transaction(away, amount=rng.uniform(50.0, 800.0), channel="pos", place=city)
    instance.alert(
        away + rng.uniform(10.0, 60.0),
        "geo_anomaly",
        "card_monitoring",
        f"Card used in {city.name} shortly after a purchase at home",
    )


def account_takeover(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    device = attacker_device(instance.world)
    instance.login(start, device, success=True)
    spends = sorted(rng.uniform(120.0, 900.0) for _ in range(rng.randint(2, 4)))
    for offset in spends:
        instance.transaction(
            start + offset,
            amount=rng.uniform(1500.0, 6000.0),
            channel="ecommerce",
            device=device.device_id,
        )
    instance.alert(
        start + spends[-1] + rng.uniform(10.0, 60.0),
        "new_device",
        "device_risk",
        "High-value online spending from a device never seen before",
    )


def card_testing(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    device = attacker_device(instance.world).device_id
    offsets = _offsets(instance.world, rng.randint(9, 14), rng.uniform(120.0, 240.0))
    for offset in offsets:
        instance.transaction(
            start + offset,
            amount=rng.uniform(0.5, 5.0),
            channel="ecommerce",
            device=device,
            declined=rng.random() < 0.6,
        )
    instance.alert(
        start + offsets[-1] + rng.uniform(5.0, 30.0),
        "card_testing",
        "card_monitoring",
        "Many small online authorisations on one card",
    )


def login_storm(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    device = attacker_device(instance.world)
    offsets = _offsets(instance.world, rng.randint(4, 8), rng.uniform(20.0, 50.0))
    for offset in offsets:
        instance.login(start + offset, device, success=False)
    instance.alert(
        start + offsets[-1] + rng.uniform(5.0, 30.0),
        "login_failures",
        "online_banking",
        "Repeated failed logins from an unknown device",
    )


def structuring(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    threshold = float(instance.world.settings.structuring_threshold)
    device = instance.customer.devices[0].device_id
    offsets = _offsets(instance.world, rng.randint(2, 4), rng.uniform(600.0, 3000.0))
    for offset in offsets:
        amount = rng.uniform(0.91 * threshold, 0.995 * threshold)
        instance.transaction(start + offset, amount=amount, channel="transfer", device=device)


COMPOUND_ALERTS: tuple[tuple[str, str, str], ...] = (
    ("new_device", "device_risk", "Login from a new device"),
    ("high_value_cnp", "card_monitoring", "Online purchase far above usual spend"),
    ("merchant_risk", "card_monitoring", "Purchase at a high-risk merchant"),
    ("geo_anomaly", "card_monitoring", "Login location differs from home"),
)


def compound_fraud(instance: ScenarioInstance, start: float) -> None:
    rng = instance.world.rng
    device = instance.customer.devices[0].device_id
    instance.transaction(
        start, amount=rng.uniform(200.0, 900.0), channel="ecommerce", device=device
    )
    alerts = rng.sample(COMPOUND_ALERTS, rng.randint(2, 3))
    offsets = _offsets(instance.world, len(alerts), rng.uniform(60.0, 240.0))
    for offset, (alert_type, source_system, text) in zip(offsets, alerts, strict=True):
        instance.alert(start + 5.0 + offset, alert_type, source_system, text)


Builder = Callable[[ScenarioInstance, float], None]
# Scenario -> (builder, whether it needs an account with a card, or any account, or none).
SCENARIOS: dict[Scenario, tuple[Builder, str]] = {
    "velocity_burst": (velocity_burst, "card"),
    "geo_impossible_travel": (geo_impossible_travel, "card"),
    "account_takeover": (account_takeover, "card"),
    "card_testing": (card_testing, "card"),
    "login_storm": (login_storm, "none"),
    "structuring": (structuring, "any"),
    "compound_fraud": (compound_fraud, "card"),
}
# Mean fraudulent transactions per instance (midpoints of the ranges above, scenarios equally
# likely): it turns FRAUD_RATE, a share of transactions, into a chance of starting a scenario.
MEAN_FRAUD_TRANSACTIONS = (7 + 2 + 3 + 11.5 + 0 + 3 + 1) / len(SCENARIOS)


def start_instance(
    world: World,
    seconds: float,
    variants: Mapping[Scenario, tuple[tuple[str, Builder], ...]] | None = None,
    extra: Mapping[Scenario, tuple[Builder, str]] | None = None,
) -> ScenarioInstance | None:
    """Pick a scenario and a free victim, build the instance, and mark the victim busy.

    With `variants` (the realistic world), an `EVASION_RATE` share of instances takes one of
    the scenario's evasive variants instead, and `extra` scenarios (scams) join the draw.
    """
    rng = world.rng
    scenarios = {**SCENARIOS, **extra} if extra else SCENARIOS
    scenario: Scenario = rng.choice(tuple(scenarios))
    builder, needs = scenarios[scenario]
    for _ in range(VICTIM_TRIES):
        index = rng.randrange(len(world.customers))
        customer = world.customers[index]
        if world.is_busy(index, seconds):
            continue
        accounts = {"card": customer.card_accounts, "any": customer.accounts, "none": ()}[needs]
        if needs != "none" and not accounts:
            continue
        account = accounts[rng.randrange(len(accounts))] if accounts else None
        instance = ScenarioInstance(
            scenario=scenario,
            instance_id=world.event_id(),
            customer=customer,
            account=account,
            world=world,
        )
        evasion_rate = world.settings.evasion_rate
        evades = variants is not None and scenario in variants
        if variants is not None and evades and evasion_rate > 0 and rng.random() < evasion_rate:
            instance.variant, builder = rng.choice(variants[scenario])
        builder(instance, seconds)
        end = max(record.timestamp for record in instance.records) - world.start
        world.busy_until[index] = end.total_seconds() + COOLDOWN_SECONDS
        return instance
    return None
