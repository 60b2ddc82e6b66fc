from datetime import UTC, datetime
from typing import Any

import pytest

from producers.generator import generate
from producers.models import Record
from producers.settings import DENSE_FLAT, Settings

START = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def make_settings(**overrides: Any) -> Settings:
    """Settings of the dense flat stream the producer's tests were written for (500 customers
    each paying every ~25 s) and overrides only, whatever the environment or `.env` holds."""
    return Settings(_env_file=None, **{**DENSE_FLAT, **overrides})


@pytest.fixture(scope="session")
def mixed_stream() -> list[Record]:
    """One simulated hour of the clean world at default rates with FRAUD_RATE=0.1."""
    settings = make_settings(world="clean", fraud_rate=0.1)
    return list(generate(settings, start=START, duration_s=3600))


@pytest.fixture(scope="session")
def clean_stream() -> list[Record]:
    """Over 100,000 events of the clean world's normal traffic only (FRAUD_RATE=0)."""
    return list(generate(make_settings(world="clean", fraud_rate=0.0), start=START, events=120_000))


# The realistic world with every look-alike kind and every evasive variant often enough to test:
# a small pool, many episodes, half the fraud evasive, three hours (the longest variant waits out
# the two-hour travel gap).
REALISTIC_HOURS = 3


def realistic_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "world": "realistic",
        "fraud_rate": 0.1,
        "evasion_rate": 0.5,
        "lookalike_rate": 1.0,
        "customer_pool_size": 300,
        "transaction_rate": 10.0,
        **overrides,
    }
    return make_settings(**values)


@pytest.fixture(scope="session")
def realistic_stream() -> list[Record]:
    return list(generate(realistic_settings(), start=START, duration_s=REALISTIC_HOURS * 3600))


@pytest.fixture(scope="session")
def realistic_honest_stream() -> list[Record]:
    """70 simulated minutes of the realistic world at default rates with FRAUD_RATE=0 and many
    look-alikes: honest traffic only, look-alikes included."""
    settings = make_settings(world="realistic", fraud_rate=0.0, lookalike_rate=1.0)
    return list(generate(settings, start=START, duration_s=70 * 60))


@pytest.fixture(scope="session", autouse=True)
def _settings_from_defaults_only() -> object:
    """Producer settings in the caller's environment must not change what the tests generate."""
    names = [name.upper() for name in Settings.model_fields]
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.delenv(name, raising=False)
        yield
