from datetime import UTC, datetime

import pytest

from producers.generator import generate
from producers.models import Record
from producers.settings import Settings

START = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)


def make_settings(**overrides: object) -> Settings:
    """Settings from defaults and overrides only, whatever the environment or `.env` holds."""
    return Settings(_env_file=None, **overrides)


@pytest.fixture(scope="session")
def mixed_stream() -> list[Record]:
    """One simulated hour at default rates with FRAUD_RATE=0.1."""
    return list(generate(make_settings(fraud_rate=0.1), start=START, duration_s=3600))


@pytest.fixture(scope="session")
def clean_stream() -> list[Record]:
    """Over 100,000 events of normal traffic only (FRAUD_RATE=0)."""
    return list(generate(make_settings(fraud_rate=0.0), start=START, events=120_000))


@pytest.fixture(scope="session", autouse=True)
def _settings_from_defaults_only() -> object:
    """Producer settings in the caller's environment must not change what the tests generate."""
    names = [name.upper() for name in Settings.model_fields]
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.delenv(name, raising=False)
        yield
