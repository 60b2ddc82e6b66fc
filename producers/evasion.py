"""Evasive fraud: variants of every scenario shaped to stay just under its detection rule.

These fraudsters know the rules, so this module holds copies of the dbt vars they stay under
(`RULES`; tests/producers/test_evasion.py keeps them equal to fraud_detection/dbt_project.yml).
They also pick a quiet time: the victim's own traffic leaves the account (or, for logins, the
customer) alone during the instance, so it cannot push the counts over the line by chance.
"""

from __future__ import annotations

from producers.geo import OVERSEAS_CITIES, City, destination, nearest_home_city
from producers.models import Scenario
from producers.scenarios import (
    COMPOUND_ALERTS,
    Builder,
    ScenarioInstance,
    attacker_device,
)

# The dbt vars (fraud_detection/dbt_project.yml) the variants stay under.
RULES: dict[str, int] = {
    "velocity_min_transactions": 5,
    "velocity_window_seconds": 60,
    "cnp_spike_min_transactions": 8,
    "cnp_spike_window_minutes": 5,
    "login_storm_min_failures": 3,
    "login_storm_window_seconds": 60,
    "structuring_band_low_pct": 90,
    "structuring_window_minutes": 60,
    "geo_min_distance_km": 1000,
    "geo_max_gap_minutes": 120,
    "high_value_amount": 1000,
    "correlated_window_minutes": 5,
}
# An instance starts this long after it is drawn, and its quiet time lasts this long after its
# last event: the longest count window (card-not-present spike) stays clear of everyday traffic.
LEAD_SECONDS = RULES["cnp_spike_window_minutes"] * 60.0


def _pace(count: int, window_seconds: float) -> float:
    """The smallest spacing that keeps `count` events out of any window of that length."""
    return window_seconds / (count - 1)


def _keep_quiet(instance: ScenarioInstance, seconds: float, after: float = LEAD_SECONDS) -> None:
    keys = (instance.account.account_id,) if instance.account else ()
    _, end = instance.span
    instance.world.keep_quiet((*keys, instance.customer.customer_id), seconds, end + after)


def velocity_paced(instance: ScenarioInstance, seconds: float) -> None:
    """Four transactions a minute for 5-10 minutes: never five in one velocity window."""
    rng = instance.world.rng
    pace = _pace(RULES["velocity_min_transactions"], RULES["velocity_window_seconds"])
    start = seconds + LEAD_SECONDS
    moment, end = start, start + rng.uniform(300.0, 600.0)
    while moment <= end:
        instance.transaction(moment, amount=rng.uniform(20.0, 400.0), channel="pos")
        moment += pace + rng.uniform(1.0, 4.0)
    _keep_quiet(instance, seconds)


def card_testing_paced(instance: ScenarioInstance, seconds: float) -> None:
    """Seven card tests per 5 minutes: never eight in one card-not-present window."""
    rng = instance.world.rng
    device = attacker_device(instance.world).device_id
    pace = _pace(RULES["cnp_spike_min_transactions"], RULES["cnp_spike_window_minutes"] * 60.0)
    moment = seconds + LEAD_SECONDS
    for _ in range(rng.randint(9, 14)):
        instance.transaction(
            moment,
            amount=rng.uniform(0.5, 5.0),
            channel="ecommerce",
            device=device,
            declined=rng.random() < 0.6,
        )
        moment += pace + rng.uniform(1.0, 5.0)
    _keep_quiet(instance, seconds)


def login_storm_slow(instance: ScenarioInstance, seconds: float) -> None:
    """Password guessing at two attempts per minute: never three failures in one window."""
    rng = instance.world.rng
    device = attacker_device(instance.world)
    pace = _pace(RULES["login_storm_min_failures"], RULES["login_storm_window_seconds"])
    moment = seconds + LEAD_SECONDS
    for _ in range(rng.randint(4, 8)):
        instance.login(moment, device, success=False)
        moment += pace + rng.uniform(1.0, 10.0)
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
        moment += gap + rng.uniform(60.0, 900.0)


def structuring_below_band(instance: ScenarioInstance, seconds: float) -> None:
    """Transfers at 80-89% of the threshold, under the rule's band, 11-25 min apart."""
    low = RULES["structuring_band_low_pct"] / 100
    _structuring_transfers(instance, seconds, share=(low - 0.1, low - 0.01), gap=600.0)


def structuring_spaced(instance: ScenarioInstance, seconds: float) -> None:
    """Transfers inside the band, each more than one structuring window after the last."""
    low = RULES["structuring_band_low_pct"] / 100
    gap = RULES["structuring_window_minutes"] * 60.0
    _structuring_transfers(instance, seconds, share=(low + 0.01, 0.995), gap=gap)


def _at_home(instance: ScenarioInstance, start: float) -> tuple[float, float]:
    rng = instance.world.rng
    instance.transaction(start, amount=rng.uniform(10.0, 150.0), channel="pos")
    home = instance.records[-1]
    return home.latitude, home.longitude  # type: ignore[attr-defined]


def geo_short_hop(instance: ScenarioInstance, seconds: float) -> None:
    """A cloned card used 850-950 km from the last purchase: under the distance of the rule."""
    rng = instance.world.rng
    start = seconds + LEAD_SECONDS
    latitude, longitude = _at_home(instance, start)
    km = RULES["geo_min_distance_km"] * rng.uniform(0.85, 0.95)
    hop_latitude, hop_longitude = destination(latitude, longitude, km, rng.uniform(0.0, 360.0))
    near_city = nearest_home_city(hop_latitude, hop_longitude)
    # The transaction helper jitters a place by up to 0.05 degrees: a few km, still under the rule.
    place = City(near_city.name, near_city.country, hop_latitude, hop_longitude)
    instance.transaction(
        start + rng.uniform(15 * 60.0, 90 * 60.0),
        amount=rng.uniform(50.0, 800.0),
        channel="pos",
        place=place,
    )
    _keep_quiet(instance, seconds)


def geo_waits_out(instance: ScenarioInstance, seconds: float) -> None:
    """Card used overseas only after the rule's time gap, as if a flight had happened."""
    rng = instance.world.rng
    start = seconds + LEAD_SECONDS
    _at_home(instance, start)
    gap = RULES["geo_max_gap_minutes"] * 60.0
    city = OVERSEAS_CITIES[rng.randrange(len(OVERSEAS_CITIES))]
    instance.transaction(
        start + gap + rng.uniform(300.0, 3600.0),
        amount=rng.uniform(50.0, 800.0),
        channel="pos",
        place=city,
    )
    # The victim's next purchase at home must also come after the gap.
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
    """A new device logs in and moves money by transfer: no card-not-present spending at all."""
    rng = instance.world.rng
    device = attacker_device(instance.world)
    start = seconds + LEAD_SECONDS
    instance.login(start, device, success=True)
    for offset in sorted(rng.uniform(120.0, 900.0) for _ in range(rng.randint(2, 4))):
        instance.transaction(
            start + offset,
            amount=rng.uniform(1500.0, 6000.0),
            channel="transfer",
            device=device.device_id,
        )
    _keep_quiet(instance, seconds)


def compound_spread_alerts(instance: ScenarioInstance, seconds: float) -> None:
    """The steps that trip the bank's systems are spread out: one alert type per window."""
    rng = instance.world.rng
    device = instance.customer.devices[0].device_id
    start = seconds + LEAD_SECONDS
    instance.transaction(
        start, amount=rng.uniform(200.0, 900.0), channel="ecommerce", device=device
    )
    alerts = rng.sample(COMPOUND_ALERTS, rng.randint(2, 3))
    window = RULES["correlated_window_minutes"] * 60.0
    moment = start + 5.0
    for alert_type, source_system, text in alerts:
        instance.alert(moment, alert_type, source_system, text)
        moment += window + rng.uniform(20.0, 120.0)
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
# (velocity 7.5 min / 17.5 s, card tests 11.5, login 0, structuring 2.5, geo 2, takeover 3,
# compound 1): with MEAN_FRAUD_TRANSACTIONS it keeps FRAUD_RATE a share of transactions.
MEAN_EVASIVE_TRANSACTIONS = (26 + 2 + 3 + 11.5 + 0 + 2.5 + 1) / len(VARIANTS)
