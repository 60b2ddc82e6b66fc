"""Every setting a service's model reads (and `.env.example` documents) reaches its container.

Each compose service with a pydantic-settings model reads `.env` through `env_file` (optional, so
`make up` works without one), which carries every setting under the name the model reads. Its
`environment:` holds only what compose decides (the in-network addresses, the wall clock), which
win over `.env`; with no `.env` the container runs the model's defaults apart from those.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from alerter.settings import AlerterSettings
from cases.settings import CaseServiceSettings
from common.settings import ServiceSettings
from decisions.settings import DecisionSettings
from producers.settings import Settings
from scoring.settings import ScoringSettings
from tests.stack.stack_files import ROOT, compose, documented_variables

# service -> its settings model
SERVICE_SETTINGS: dict[str, type[ServiceSettings]] = {
    "producer": Settings,
    "alerter": AlerterSettings,
    "case-service": CaseServiceSettings,
    "scoring": ScoringSettings,
    "decision-service": DecisionSettings,
}
# What compose sets, over `.env`: inside the compose network the broker is always redpanda:9092.
WIRED = {
    # A live stack runs on the wall clock, whatever `.env` says (replays set START_TIME).
    "producer": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092", "SINK": "kafka", "START_TIME": ""},
    "alerter": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092"},
    # The service reaches RisingWave on the compose network and listens on every interface of its
    # container (the host port is bound to 127.0.0.1).
    "case-service": {
        "CASES_DATABASE_URL": "postgresql://${CASE_SERVICE_DB_USER:-case_service}:"
        "${CASE_SERVICE_DB_PASSWORD:?set CASE_SERVICE_DB_PASSWORD in .env}@risingwave:4566/dev",
        "CASES_HOST": "0.0.0.0",
        "CASES_PORT": "8000",
        # The container's path of the journal's named volume.
        "CASES_JOURNAL_PATH": "/var/lib/cases/journal.sqlite",
    },
    "scoring": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092", "SCORING_REGISTRY_DIR": "/app/models"},
    "decision-service": {
        "KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092",
        "DECISIONS_DATABASE_URL": "postgresql://${DECISION_SERVICE_DB_USER:-decision_service}:"
        "${DECISION_SERVICE_DB_PASSWORD:?set DECISION_SERVICE_DB_PASSWORD in .env}"
        "@risingwave:4566/dev",
        "DECISIONS_HOST": "0.0.0.0",
        "DECISIONS_PORT": "8001",
        "DECISIONS_REGISTRY_DIR": "/app/models",
    },
}
ENV_FILE = [{"path": ".env", "required": False}]


def env_names(model: type[ServiceSettings]) -> dict[str, str]:
    """Field -> the environment variable the model reads it from."""
    return {field: model.env_name(field) for field in model.model_fields}


def _environment(service: str) -> dict[str, str]:
    environment = compose()["services"][service].get("environment", {})
    assert isinstance(environment, dict), f"{service}: environment must be a mapping"
    return {key: str(value) for key, value in environment.items()}


def _settings_models() -> set[type[BaseSettings]]:
    """Every settings model defined in a top-level package's settings module."""
    models: set[type[BaseSettings]] = set()
    for module_file in sorted(ROOT.glob("*/settings.py")):
        if not (module_file.parent / "__init__.py").exists() or module_file.parent.name == "common":
            continue  # common/ holds the bases the services' models build on
        module = importlib.import_module(f"{module_file.parent.name}.settings")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseSettings)
                and value is not BaseSettings
                and value.__module__ == module.__name__
            ):
                models.add(value)
    return models


def test_every_settings_model_belongs_to_a_compose_service() -> None:
    assert _settings_models() <= set(SERVICE_SETTINGS.values()), "map each model to its service"
    assert set(SERVICE_SETTINGS) <= set(compose()["services"])


def unwired(service: str, environment: dict[str, str]) -> set[str]:
    """What `environment` sets that compose should leave to `.env`."""
    return set(environment) - set(WIRED[service])


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_the_service_reads_env_and_compose_sets_only_what_it_decides(service: str) -> None:
    spec = compose()["services"][service]
    assert spec.get("env_file") == ENV_FILE, f"{service}: env_file must be the optional .env"
    environment = _environment(service)
    assert not unwired(service, environment), f"{service}: leave these to .env"
    assert environment == WIRED[service], service
    unknown = set(environment) - set(env_names(SERVICE_SETTINGS[service]).values())
    assert not unknown, f"{service}: not settings of its model: {sorted(unknown)}"


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_every_setting_of_the_model_is_documented_in_env_example(service: str) -> None:
    missing = set(env_names(SERVICE_SETTINGS[service]).values()) - documented_variables()
    assert not missing, f"{service}: document in .env.example: {sorted(missing)}"


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_without_env_the_container_runs_the_models_defaults(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wired values are valid settings, and they are all that differs from the defaults."""
    model = SERVICE_SETTINGS[service]
    names = env_names(model)
    for name in [name for name in os.environ if name in names.values()]:
        monkeypatch.delenv(name)
    defaults: Any = model(_env_file=None)
    for name, value in _environment(service).items():
        monkeypatch.setenv(name, value)
    running: Any = model(_env_file=None)
    wired = {field for field, name in names.items() if name in WIRED[service]}
    for field in set(names) - wired:
        assert getattr(running, field) == getattr(defaults, field), f"{service}: {names[field]}"


def test_a_setting_compose_should_leave_to_env_is_caught() -> None:
    """The check is not vacuous: an alerter environment that sets a setting of its own shows it."""
    environment = {
        **_environment("alerter"),
        "ALERTER_MIN_SEVERITY": "${ALERTER_MIN_SEVERITY:-high}",
    }
    assert unwired("alerter", environment) == {"ALERTER_MIN_SEVERITY"}
