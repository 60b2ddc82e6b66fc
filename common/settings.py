"""The settings base every service's model builds on: `.env` and the environment, the shared
broker list, environment variable names, and invalid settings told in one line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import AfterValidator, AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from common.kafka import Broker

_BROKER = re.compile(r"^[A-Za-z0-9._-]+:\d{1,5}$")


def _broker_list(value: str) -> str:
    brokers = [part.strip() for part in value.split(",")]
    if not all(_BROKER.match(broker) for broker in brokers):
        raise ValueError("must be a comma-separated list of host:port")
    if not all(0 < int(broker.rsplit(":", 1)[1]) < 65536 for broker in brokers):
        raise ValueError("ports must be between 1 and 65535")
    return ",".join(brokers)


# KAFKA_BOOTSTRAP_SERVERS as every service reads it.
BootstrapServers = Annotated[str, AfterValidator(_broker_list)]


def _postgres_url(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
        raise ValueError("must be a postgresql:// URL")
    return value


# A database URL of the PostgreSQL protocol (RisingWave or PostgreSQL); it may hold a password.
PostgresUrl = Annotated[SecretStr, AfterValidator(_postgres_url)]


def shared(env: str, default: object, description: str, **constraints: Any) -> Any:
    """A field read under one variable name by every service, whatever the service's prefix."""
    return Field(
        default,
        validation_alias=AliasChoices(env, env.lower()),
        description=description,
        **constraints,
    )


class ServiceSettings(BaseSettings):
    """Read from the environment and `.env`; unknown variables are someone else's."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Fields whose value an error line never echoes beyond SecretStr ones (lists of hashed
    # credentials: a secret pasted there by mistake would reach the logs).
    secret_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable that sets `field`."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        if isinstance(alias, str):
            return alias
        return (cls.model_config.get("env_prefix", "") + field).upper()

    @classmethod
    def describe_error(cls, error: ValidationError) -> str:
        """One line naming the first bad setting and what is allowed, never echoing a secret."""
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # model-level checks name their own settings
            line = message
        else:
            field = str(first["loc"][0])
            if field not in cls.model_fields:  # read through an alias: already the variable
                line = f"{field.upper()}: {message} (got {first.get('input')!r})"
            elif cls.model_fields[field].annotation is SecretStr or field in cls.secret_fields:
                line = f"{cls.env_name(field)}: {message}"
            else:
                line = f"{cls.env_name(field)}: {message} (got {first.get('input')!r})"
        return " ".join(line.splitlines())


class KafkaSettings(ServiceSettings):
    """A service of the pipeline's Kafka: the broker list, and the wait of an unreachable one."""

    # The field holding how long an unreachable broker is retried (named in its error line).
    broker_wait_field: ClassVar[str] = "broker_wait_s"

    kafka_bootstrap_servers: BootstrapServers = shared(
        "KAFKA_BOOTSTRAP_SERVERS",
        "localhost:19092",
        "Comma-separated host:port list of Kafka/Redpanda brokers (shared setting).",
    )

    @property
    def broker(self) -> Broker:
        # Imported here: reading settings (and --help) must not load the Kafka client.
        from common.kafka import Broker

        return Broker(
            self.kafka_bootstrap_servers,
            float(getattr(self, self.broker_wait_field)),
            self.env_name(self.broker_wait_field),
        )


class TopicSettings(KafkaSettings):
    """A service that creates pipeline topics: their sizes, shared by every such service."""

    topic_partitions: int = shared(
        "TOPIC_PARTITIONS", 3, "Partitions of each topic created at start.", gt=0
    )
    topic_replication_factor: int = shared(
        "TOPIC_REPLICATION_FACTOR", 1, "Replication factor of new topics.", gt=0
    )

    def topic_sizes(self) -> str:
        """The settings that size new topics, as `NAME=value` (for error lines)."""
        return ", ".join(
            f"{self.env_name(field)}={getattr(self, field)}"
            for field in ("topic_partitions", "topic_replication_factor")
        )
