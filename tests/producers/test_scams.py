"""The authorised push-payment scam: the victim's own device, then transfers to one new payee."""

from __future__ import annotations

import random
from collections import Counter

from faker import Faker

from common.contract import CONTRACT
from producers import scams
from producers.generator import FAKER_LOCALE, generate
from producers.models import FraudLabel, Login, Transaction
from producers.pool import build_customers, build_merchants
from producers.scenarios import ScenarioInstance
from producers.world import World
from tests.producers.conftest import START, make_settings


def _instances(count: int) -> list[ScenarioInstance]:
    settings = make_settings(world="realistic")
    rng = random.Random(settings.seed)
    faker = Faker(FAKER_LOCALE)
    faker.seed_instance(settings.seed)
    customers = build_customers(50, rng, faker)
    world = World(settings, rng, customers, build_merchants(50, rng, faker), START)
    made = []
    for index in range(count):
        customer = customers[index % len(customers)]
        instance = ScenarioInstance(
            scenario="authorised_push_payment",
            instance_id=world.event_id(),
            customer=customer,
            account=customer.accounts[0],
            world=world,
        )
        scams.authorised_push_payment(instance, index * 86_400.0)
        made.append(instance)
    return made


def test_a_scam_is_the_victims_own_session_paying_one_new_payee() -> None:
    amounts = []
    known = {merchant.merchant_id for merchant in _instances(1)[0].world.merchants}
    for instance in _instances(200):
        login, *transfers = instance.records
        assert isinstance(login, Login) and login.success
        assert login.device_id in {device.device_id for device in instance.customer.devices}
        assert 1 <= len(transfers) <= 3
        assert all(isinstance(t, Transaction) and t.channel == "transfer" for t in transfers)
        payees = {t.merchant_id for t in transfers if isinstance(t, Transaction)}
        assert len(payees) == 1 and not payees & known
        assert {t.device_id for t in transfers if isinstance(t, Transaction)} == {login.device_id}
        amounts += [float(t.amount) for t in transfers if isinstance(t, Transaction)]
    amounts.sort()
    # Log-normal sizes: a median near 2,500 and a long tail.
    assert 1800 < amounts[len(amounts) // 2] < 3400
    assert amounts[-1] > 4 * amounts[len(amounts) // 2]


def test_no_signal_is_meant_to_catch_a_scam() -> None:
    (scenario,) = [s for s in CONTRACT.scenarios if s.name == "authorised_push_payment"]
    assert scenario.primary is None and scenario.signal_types == ()


def test_scams_are_in_the_realistic_world_only() -> None:
    def scenarios(world: str) -> Counter[str]:
        settings = make_settings(world=world, fraud_rate=0.1)
        records = generate(settings, start=START, duration_s=30 * 60)
        return Counter(r.scenario for r in records if isinstance(r, FraudLabel))

    assert scenarios("realistic")["authorised_push_payment"] > 0
    assert scenarios("clean")["authorised_push_payment"] == 0
