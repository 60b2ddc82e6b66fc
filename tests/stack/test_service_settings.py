"""Every setting a service's model reads (and `.env.example` documents) reaches its container.

For each compose service with a pydantic-settings model, the service's `environment:` must pass
every field under the name the model reads (env prefix and aliases included), as
`${NAME:-default}` with the model's own default, so a value set in `.env` arrives and an unset one
changes nothing. Only a few values are wired on purpose (the in-compose broker address).
"""

from __future__ import annotations

import importlib
import os
import re
from typing import Any

import pytest
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from alerter.settings import AlerterSettings
from cases.settings import CaseServiceSettings
from producers.settings import Settings
from scoring.settings import ScoringSettings
from tests.stack.stack_files import ROOT, compose, documented_variables

# service -> (settings model, fields the service leaves out on purpose, and why)
SERVICE_SETTINGS: dict[str, tuple[type[BaseSettings], dict[str, str]]] = {
    "producer": (Settings, {"START_TIME": "a live stack runs on the wall clock"}),
    "alerter": (AlerterSettings, {}),
    "case-service": (CaseServiceSettings, {}),
    "scoring": (ScoringSettings, {}),
}
# Values compose fixes: inside the compose network the broker is always redpanda:9092.
WIRED = {
    "producer": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092", "SINK": "kafka"},
    "alerter": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092"},
    # The service reaches RisingWave on the compose network and listens on every interface of its
    # container (the host port is bound to 127.0.0.1).
    "case-service": {
        "CASES_DATABASE_URL": "postgresql://${CASE_SERVICE_DB_USER:-case_service}:"
        "${CASE_SERVICE_DB_PASSWORD:?set CASE_SERVICE_DB_PASSWORD in .env}@risingwave:4566/dev",
        "CASES_HOST": "0.0.0.0",
        "CASES_PORT": "8000",
    },
    "scoring": {"KAFKA_BOOTSTRAP_SERVERS": "redpanda:9092", "SCORING_REGISTRY_DIR": "/app/models"},
}
_DEFAULTED = re.compile(r"^\$\{(?P<name>[A-Z_][A-Z0-9_]*):-(?P<default>[^}]*)\}$")


def env_names(model: type[BaseSettings]) -> dict[str, str]:
    """Field -> the environment variable the model reads it from (upper case)."""
    prefix = model.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for field, info in model.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[field] = str(alias.choices[0]).upper()
        elif isinstance(alias, str):
            names[field] = alias.upper()
        else:
            names[field] = (prefix + field).upper()
    return names


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
    mapped = {model for model, _ in SERVICE_SETTINGS.values()}
    assert _settings_models() <= mapped, "map each settings model to its service above"
    assert set(SERVICE_SETTINGS) <= set(compose()["services"])


def missing_settings(service: str, passed: set[str]) -> set[str]:
    """The variables `service`'s model reads that an environment of `passed` names lacks."""
    model, left_out = SERVICE_SETTINGS[service]
    return set(env_names(model).values()) - passed - set(left_out)


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_every_setting_reaches_the_container(service: str) -> None:
    model, left_out = SERVICE_SETTINGS[service]
    passed = set(_environment(service))

    missing = missing_settings(service, passed)
    assert not missing, f"{service}: add to docker-compose.yml environment: {sorted(missing)}"
    unknown = passed - set(env_names(model).values())
    assert not unknown, f"{service}: not settings of {model.__name__}: {sorted(unknown)}"
    assert not set(left_out) & passed, f"{service}: passes what it says it leaves out"


@pytest.mark.parametrize("service", sorted(SERVICE_SETTINGS))
def test_each_setting_comes_from_its_own_variable_with_the_models_default(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no `.env`, the container runs the model's defaults (wired values apart)."""
    model, _ = SERVICE_SETTINGS[service]
    wired = WIRED.get(service, {})
    resolved: dict[str, str] = {}
    for name, value in _environment(service).items():
        if name in wired:
            assert value == wired[name], f"{service}: {name}"
            resolved[name] = value
            continue
        match = _DEFAULTED.match(value)
        assert match, f"{service}: {name} must be ${{{name}:-default}}, is {value!r}"
        assert match["name"] == name, f"{service}: {name} reads ${{{match['name']}}}"
        resolved[name] = match["default"]

    documented = documented_variables()
    assert set(resolved) - set(wired) <= documented, "document them in .env.example"

    names = env_names(model)
    for name in [name for name in os.environ if name in names.values()]:
        monkeypatch.delenv(name)
    expected: Any = model(  # type: ignore[call-arg]
        _env_file=None, **{field: wired[names[field]] for field in names if names[field] in wired}
    )
    for name, value in resolved.items():
        monkeypatch.setenv(name, value)
    running: Any = model(_env_file=None)  # type: ignore[call-arg]
    for field in names:
        assert getattr(running, field) == getattr(expected, field), f"{service}: {names[field]}"


def test_a_setting_missing_from_compose_is_caught() -> None:
    """The check is not vacuous: an alerter environment without one variable shows it."""
    passed = {name for name in _environment("alerter") if name != "ALERTER_MIN_SEVERITY"}
    assert missing_settings("alerter", passed) == {"ALERTER_MIN_SEVERITY"}
