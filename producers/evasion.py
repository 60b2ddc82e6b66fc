"""Evasive fraud: careful variants of every scenario, as one tail of what fraudsters do.

Nothing here reads a detection rule. Pace, size and distance are drawn from distributions of
what careful fraudsters do (a thief spending at a shopper's pace, card tests dripped over an
hour, deposits kept well under the reporting threshold, which is a fact of the world): some
instances stay under a rule and some do not, as in a bank. The victim's own traffic leaves the
account (or, for logins, the customer) alone during the instance, so the instance's shape is its
own.
"""

from __future__ import annotations

import math
from random import Random

from producers.geo import OVERSEAS_CITIES, City, destination, nearest_home_city
from producers.models import Scenario
from producers.scenarios import (
    COMPOUND_ALERTS,
    Builder,
    ScenarioInstance,
    attacker_device,
)

# An instance starts this long after it is drawn and the victim's traffic stays away this long
# after its last event: the fraudster's quiet moment (the victim asleep, the card in a drawer).
LEAD_SECONDS = 300.0
# Share of takeovers by transfer that also change the contact details after enrolling the device.
CONTACT_CHANGE_SHARE = 0.5


def _gap(rng: Random, median: float, spread: float = 0.5) -> float:
    """A wait between a fraudster's steps: log-normal around `median` seconds (human pacing)."""
    return median * math.exp(rng.gauss(0.0, spread))


def _keep_quiet(instance: ScenarioInstance, seconds: float, after: float = LEAD_SECONDS) -> None:
    keys = (instance.account.account_id,) if instance.account else ()
    _, end = instance.span
    instance.world.keep_quiet((*keys, instance.customer.customer_id), seconds, end + after)


def velocity_paced(instance: ScenarioInstance, seconds: float) -> None:
    """A thief spends a stolen card at a shopper's pace: a purchase every ~20 s (log-normal) for
    5-10 minutes."""
    rng = instance.world.rng
    start = seconds + LEAD_SECONDS
    moment, end = start, start + rng.uniform(300.0, 600.0)
    while moment <= end:
        instance.transaction(moment, amount=rng.uniform(20.0, 400.0), channel="pos")
        moment += _gap(rng, 20.0)
    _keep_quiet(instance, seconds)


def card_testing_paced(instance: ScenarioInstance, seconds: float) -> None:
    """Card tests dripped out: 9-14 tiny online charges about 45 s apart (log-normal)."""
    rng = instance.world.rng
    device = attacker_device(instance.world).device_id
    moment = seconds + LEAD_SECONDS
    for _ in range(rng.randint(9, 14)):
        instance.transaction(
            moment,
            amount=rng.uniform(0.5, 5.0),
            channel="ecommerce",
            device=device,
            declined=rng.random() < 0.6,
        )
        moment += _gap(rng, 45.0)
    _keep_quiet(instance, seconds)


def login_storm_slow(instance: ScenarioInstance, seconds: float) -> None:
    """Password guessing by hand: 4-8 attempts about 40 s apart (log-normal)."""
    rng = instance.world.rng
    device = attacker_device(instance.world)
    moment = seconds + LEAD_SECONDS
    for _ in range(rng.randint(4, 8)):
        instance.login(moment, device, success=False)
        moment += _gap(rng, 40.0)
    _keep_quiet(instance, seconds)


def _structuring_transfers(
    instance: ScenarioInstance, seconds: float, *, share: tuple[float, float], gap: float
) -> None:
    rng = instance.world.rng
    threshold = float(instance.world.settings.structuring_threshold)
    device = instance.customer.devices[0].device_id
    moment = seconds + LEAD_SECONDS
    for _ in range(rng.randint(2, 3)):
        amount = threshold * rng.uniform(*share)
        instance.transaction(moment, amount=amount, channel="transfer", device=device)
        moment += _gap(rng, gap, 0.7)


def structuring_below_band(instance: ScenarioInstance, seconds: float) -> None:
    """Transfers at a safe margin, 60-90 % of the reporting threshold, ~20 min apart."""
    _structuring_transfers(instance, seconds, share=(0.6, 0.9), gap=1200.0)


def structuring_spaced(instance: ScenarioInstance, seconds: float) -> None:
    """Transfers close to the threshold (85-99.5 %), spread over the day, ~75 min apart."""
    _structuring_transfers(instance, seconds, share=(0.85, 0.995), gap=4500.0)


def _at_home(instance: ScenarioInstance, start: float) -> tuple[float, float]:
    rng = instance.world.rng
    instance.transaction(start, amount=rng.uniform(10.0, 150.0), channel="pos")
    home = instance.records[-1]
    return home.latitude, home.longitude  # type: ignore[attr-defined]


def geo_short_hop(instance: ScenarioInstance, seconds: float) -> None:
    """A cloned card used in another region within the hour or two: 300-1,500 km away."""
    rng = instance.world.rng
    start = seconds + LEAD_SECONDS
    latitude, longitude = _at_home(instance, start)
    km = rng.uniform(300.0, 1500.0)
    hop_latitude, hop_longitude = destination(latitude, longitude, km, rng.uniform(0.0, 360.0))
    near_city = nearest_home_city(hop_latitude, hop_longitude)
    place = City(near_city.name, near_city.country, hop_latitude, hop_longitude)
    instance.transaction(
        start + rng.uniform(15 * 60.0, 90 * 60.0),
        amount=rng.uniform(50.0, 800.0),
        channel="pos",
        place=place,
    )
    _keep_quiet(instance, seconds)


def geo_waits_out(instance: ScenarioInstance, seconds: float) -> None:
    """A cloned card used overseas hours later, as if the card had flown: ~3 h (log-normal)."""
    rng = instance.world.rng
    start = seconds + LEAD_SECONDS
    _at_home(instance, start)
    gap = _gap(rng, 3 * 3600.0)
    city = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    instance.transaction(start + gap, amount=rng.uniform(50.0, 800.0), channel="pos", place=city)
    # The victim's next purchase at home also comes after the overseas one.
    _keep_quiet(instance, seconds, after=gap + LEAD_SECONDS)


def takeover_known_device(instance: ScenarioInstance, seconds: float) -> None:
    """Remote access to the victim's own registered device: its login and spending look known."""
    rng = instance.world.rng
    device = instance.customer.devices[rng.randrange(len(instance.customer.devices))]
    start = seconds + LEAD_SECONDS
    instance.login(start, device, success=True)
    for offset in sorted(rng.uniform(120.0, 900.0) for _ in range(rng.randint(2, 4))):
        instance.transaction(
            start + offset,
            amount=rng.uniform(1500.0, 6000.0),
            channel="ecommerce",
            device=device.device_id,
        )
    _keep_quiet(instance, seconds)


def takeover_transfer_out(instance: ScenarioInstance, seconds: float) -> None:
    """A new device logs in, enrols itself for payments (now and then also changes the contact
    details, so one-time codes go to the attacker) and moves money by transfer to a new payee:
    no card-not-present spending at all."""
    rng = instance.world.rng
    device = attacker_device(instance.world)
    start = seconds + LEAD_SECONDS
    instance.login(start, device, success=True)
    start += rng.uniform(20.0, 180.0)
    instance.login(start, device, success=True, auth_method="otp", profile_change="device_enrolled")
    if rng.random() < CONTACT_CHANGE_SHARE:
        start += rng.uniform(20.0, 300.0)
        instance.login(start, device, success=True, profile_change="contact_changed")
    for offset in sorted(rng.uniform(120.0, 900.0) for _ in range(rng.randint(2, 4))):
        instance.transaction(
            start + offset,
            amount=rng.uniform(1500.0, 6000.0),
            channel="transfer",
            device=device.device_id,
        )
    _keep_quiet(instance, seconds)


def compound_spread_alerts(instance: ScenarioInstance, seconds: float) -> None:
    """The steps that trip the bank's systems come minutes apart: ~6 min (log-normal)."""
    rng = instance.world.rng
    device = instance.customer.devices[0].device_id
    start = seconds + LEAD_SECONDS
    instance.transaction(
        start, amount=rng.uniform(200.0, 900.0), channel="ecommerce", device=device
    )
    alerts = rng.sample(COMPOUND_ALERTS, rng.randint(2, 3))
    moment = start + 5.0
    for alert_type, source_system, text in alerts:
        instance.alert(moment, alert_type, source_system, text)
        moment += _gap(rng, 360.0)
    _keep_quiet(instance, seconds)


# Scenario -> its evasive variants (name, builder); one is drawn per evasive instance.
VARIANTS: dict[Scenario, tuple[tuple[str, Builder], ...]] = {
    "velocity_burst": (("paced_under_velocity", velocity_paced),),
    "geo_impossible_travel": (
        ("short_hop", geo_short_hop),
        ("waits_out_travel_gap", geo_waits_out),
    ),
    "account_takeover": (
        ("known_device", takeover_known_device),
        ("transfer_out", takeover_transfer_out),
    ),
    "card_testing": (("paced_card_tests", card_testing_paced),),
    "login_storm": (("slow_guessing", login_storm_slow),),
    "structuring": (
        ("below_band", structuring_below_band),
        ("spaced_deposits", structuring_spaced),
    ),
    "compound_fraud": (("spread_alerts", compound_spread_alerts),),
}
# Mean transactions of an evasive instance, scenarios equally likely and their variants too
# (velocity 7.5 min at a mean gap of 22.7 s, card tests 11.5, login 0, structuring 2.5, geo 2,
# takeover 3, compound 1): with MEAN_FRAUD_TRANSACTIONS it keeps FRAUD_RATE a share of
# transactions.
MEAN_EVASIVE_TRANSACTIONS = (21 + 2 + 3 + 11.5 + 0 + 2.5 + 1) / len(VARIANTS)
