import ipaddress
import random

from faker import Faker

from producers.geo import haversine_km
from producers.pool import build_customers, build_merchants


def _pool(size: int, seed: int = 7):
    faker = Faker("en_AU")
    faker.seed_instance(seed)
    return build_customers(size, random.Random(seed), faker)


def test_pool_has_the_requested_size_with_unique_ids() -> None:
    customers = _pool(500)
    assert len(customers) == 500
    accounts = [account.account_id for c in customers for account in c.accounts]
    cards = [a.card.token for c in customers for a in c.accounts if a.card]
    devices = [device.device_id for c in customers for device in c.devices]
    assert len({c.customer_id for c in customers}) == 500
    assert len(set(accounts)) == len(accounts) >= 500
    assert len(set(cards)) == len(cards) > 0
    assert len(set(devices)) == len(devices) >= 500


def test_every_customer_lives_near_a_home_city_with_valid_coordinates() -> None:
    for customer in _pool(300):
        assert -90 <= customer.home_latitude <= 90
        assert -180 <= customer.home_longitude <= 180
        home = customer.home
        distance = haversine_km(
            home.latitude, home.longitude, customer.home_latitude, customer.home_longitude
        )
        assert distance < 25


def test_every_customer_has_an_account_a_device_and_a_plausible_profile() -> None:
    for customer in _pool(300):
        assert customer.accounts
        assert 1 <= len(customer.devices) <= 3
        assert customer.risk_tier in {"low", "medium", "high"}
        assert 20 <= customer.typical_spend <= 250
        assert customer.full_name


def test_same_seed_same_pool_other_seed_other_pool() -> None:
    assert _pool(50, seed=3) == _pool(50, seed=3)
    assert _pool(50, seed=3) != _pool(50, seed=4)


def test_merchant_catalogue_scales_with_the_pool() -> None:
    faker = Faker("en_AU")
    faker.seed_instance(1)
    merchants = build_merchants(1000, random.Random(1), faker)
    assert len(merchants) == 500
    assert len({merchant.merchant_id for merchant in merchants}) == 500


def test_identities_are_plausible_and_never_real_addresses() -> None:
    customers = _pool(300)
    for customer in customers:
        first, _, last = customer.full_name.partition(" ")
        assert first and last
        local, _, domain = customer.email.partition("@")
        assert local.isascii() and local.isalnum()
        assert domain in {"example.com", "example.net", "example.org"}
        for device in customer.devices:
            assert ipaddress.IPv4Address(device.ip_address).is_global, device.ip_address
    assert len({customer.full_name for customer in customers}) > 250
