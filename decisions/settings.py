"""The decision service's settings: one model, read from the environment and `.env`.

Every field is `DECISIONS_<NAME>` except the broker list, which the whole pipeline shares as
`KAFKA_BOOTSTRAP_SERVERS`. `.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from common.settings import BootstrapServers, PostgresUrl, ServiceSettings, shared
from decisions.security import KeyEntry, parse_entries

_TOPIC = r"^[A-Za-z0-9._-]{1,249}$"


class DecisionSettings(ServiceSettings):
    """Every knob of the decision service. The variable is `DECISIONS_` + the field name."""

    model_config = SettingsConfigDict(env_prefix="DECISIONS_")
    secret_fields = frozenset({"api_keys"})

    database_url: PostgresUrl = Field(
        SecretStr("postgresql://root@localhost:4566/dev"),
        description="PostgreSQL-protocol URL of RisingWave (or the backtest's PostgreSQL).",
    )
    api_keys: Annotated[tuple[KeyEntry, ...], NoDecode] = Field(
        (), description="Comma-separated client:scopes:sha256(key) entries; scopes decide, read."
    )
    host: str = Field("127.0.0.1", min_length=1, description="Address the HTTP server binds.")
    port: int = Field(8001, ge=1, le=65535, description="Port the HTTP server listens on.")
    kafka_bootstrap_servers: BootstrapServers = shared(
        "KAFKA_BOOTSTRAP_SERVERS",
        "localhost:19092",
        "Comma-separated host:port list of Kafka/Redpanda brokers (shared setting).",
    )
    publish: bool = Field(
        True, description="Publish each decided transaction and its decision to Kafka."
    )
    transactions_topic: str = Field(
        "transactions", pattern=_TOPIC, description="Topic the decided transaction goes to."
    )
    decisions_topic: str = Field(
        "decisions", pattern=_TOPIC, description="Topic every decision goes to."
    )
    publish_timeout_ms: float = Field(
        250.0,
        gt=0,
        le=60_000,
        description="Longest wait for the broker's acknowledgement before answering anyway.",
    )
    registry_dir: Path = Field(
        Path("models"), description="Model registry folder; the service scores with its champion."
    )
    rules_version: str = Field(
        "",
        pattern=r"^([a-z0-9][a-z0-9_.-]{0,39})?$",
        description="Rule set whose thresholds decide; empty = the active one (rules/active).",
    )
    lookup_budget_ms: float = Field(
        20.0, gt=0, le=10_000, description="Time the account-state lookups may take in all."
    )
    fallback: Literal["open", "closed"] = Field(
        "open",
        description="Past the budget or without a database: open decides on the request and the"
        " model alone; closed declines. Either way the decision is marked degraded.",
    )
    db_pool_size: int = Field(
        8, ge=1, le=256, description="Most database connections the service holds."
    )
    db_retry_s: float = Field(
        1.0, gt=0, le=300, description="After a failed connection, seconds before trying again."
    )
    db_connect_timeout_s: float = Field(
        5.0,
        gt=0,
        le=300,
        description="Longest a new database connection may take (opened outside any request).",
    )
    max_in_flight: int = Field(
        64, ge=1, le=10_000, description="Requests decided at once; beyond it the answer is 429."
    )
    header_timeout_s: float = Field(
        5.0,
        gt=0,
        le=300,
        description="Seconds a request's headers may take to arrive (then the connection closes).",
    )
    body_timeout_s: float = Field(
        5.0, gt=0, le=300, description="Seconds a request body may take to arrive (408 after)."
    )
    retry_after_s: int = Field(1, ge=1, le=3600, description="Retry-After of a 429 answer.")
    idempotency_entries: int = Field(
        100_000, ge=1, description="Decisions remembered by event_id (a retry gets the first)."
    )
    recent_signals: int = Field(
        5, ge=0, le=100, description="Newest signals of the account returned with a decision."
    )
    log_interval_s: float = Field(10.0, gt=0, description="Seconds between summary log lines.")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_entries(value)
        return value

    @model_validator(mode="after")
    def _distinct_topics(self) -> DecisionSettings:
        if self.transactions_topic == self.decisions_topic:
            raise ValueError(
                "DECISIONS_DECISIONS_TOPIC: must differ from DECISIONS_TRANSACTIONS_TOPIC"
            )
        return self
