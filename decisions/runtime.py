"""Build the service from its settings: the rule set, the champion model, the pool, Kafka."""

from __future__ import annotations

from decisions.db import Pool
from decisions.publisher import Publisher
from decisions.service import DecisionService
from decisions.settings import DecisionSettings
from rules import store
from scoring.registry import Registry


class StartupError(Exception):
    """The service cannot start: one line naming what to fix."""


def build_service(settings: DecisionSettings) -> DecisionService:
    """Loads everything before the first request; StartupError when something is unusable."""
    from rules.schema import RuleSetError
    from scoring.model import ModelError

    try:
        rule_set = store.load(settings.rules_version or store.active_version())
    except RuleSetError as error:
        raise StartupError(f"rule set: {error}") from None
    try:
        model = Registry(settings.registry_dir).champion()
    except ModelError as error:
        raise StartupError(f"model: {error}") from None
    dsn = settings.database_url.get_secret_value()
    pool = Pool(dsn, settings.db_pool_size, settings.db_retry_s, settings.db_connect_timeout_s)
    publisher = Publisher(settings.kafka_bootstrap_servers) if settings.publish else None
    return DecisionService(settings, rule_set, model, pool, publisher)
