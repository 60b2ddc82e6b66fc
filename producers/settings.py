"""The producer's settings: one model, read from the environment and `.env`.

`.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from common.settings import TopicSettings
from producers.activity import PAYMENTS_PER_CUSTOMER_PER_DAY, customers_for_rate

if TYPE_CHECKING:
    from common.kafka import Broker

# Normal traffic spaces an account's transactions at least this far apart, so that no account ever
# shows 5 transactions in 60 s unless fraud is injected. It bounds the total rate a pool can carry.
MIN_SECONDS_BETWEEN_ACCOUNT_TRANSACTIONS = 16.0
CUSTOMERS_PER_TRANSACTION_PER_SECOND = 20
# ACTIVITY=flat with CUSTOMER_POOL_SIZE unset: the seed's 500 customers at 20 tx/s, each paying
# every ~25 s.
FLAT_CUSTOMERS_PER_TRANSACTION_PER_SECOND = 25
# The seed's dense stream: every customer pays every ~25 s, a look-alike episode per customer every
# ten hours. Replays that need fraud within minutes (the committed detection figures, the model's
# training worlds, the case demo) and the throughput benches pin it; the default is realistic.
DENSE_FLAT: dict[str, Any] = {
    "activity": "flat",
    "transaction_rate": 20.0,
    "customer_pool_size": 500,
    "lookalike_rate": 0.1,
}
# The same as environment variables, for a producer or backtest started as a process.
DENSE_FLAT_ENV: dict[str, str] = {name.upper(): str(value) for name, value in DENSE_FLAT.items()}


def default_pool_size(activity: str, transaction_rate: float) -> int:
    """The pool CUSTOMER_POOL_SIZE=0 stands for: sized so that TRANSACTION_RATE is reached."""
    if activity == "cycles":
        return customers_for_rate(transaction_rate)
    return math.ceil(transaction_rate * FLAT_CUSTOMERS_PER_TRANSACTION_PER_SECOND)


class Settings(TopicSettings):
    """Every knob of the producer. Field names are the environment variable names, lower-cased."""

    model_config = SettingsConfigDict(env_ignore_empty=True)
    broker_wait_field: ClassVar[str] = "broker_wait_seconds"

    sink: Literal["kafka", "jsonl"] = Field("kafka", description="Where events go: kafka or jsonl.")
    kafka_client: Literal["kafka-python", "confluent-kafka"] = Field(
        "kafka-python",
        description="Kafka client library: kafka-python, or confluent-kafka (the load extra).",
    )
    seed: int = Field(42, description="Seed of every random choice; same seed, same events.")
    # A realistic prevalence by count (docs/fraud_patterns.md, "Fraud prevalence"): 492 frauds in
    # 284,807 card transactions in the ULB data set is 0.17 %. Measurement replays set their own.
    fraud_rate: float = Field(
        0.002, ge=0.0, le=1.0, description="Approximate share of transactions that are fraud, 0..1."
    )
    # 2.5 a second, the mean over a fortnight, needs 144,000 customers paying at the cited daily
    # rate: a pool that, with the guards' state a day fills, fits the producer's 512m
    # (docs/runbook.md, "Pool size").
    transaction_rate: float = Field(
        2.5, gt=0.0, description="Transactions per second across all customers."
    )
    customer_pool_size: int = Field(
        0,
        ge=0,
        description="Number of synthetic customers; 0 = sized from TRANSACTION_RATE"
        " (TRANSACTION_RATE*86400/1.5 at ACTIVITY=cycles, TRANSACTION_RATE*25 at flat).",
    )
    world: Literal["clean", "realistic"] = Field(
        "realistic",
        description="clean: traffic that never resembles fraud; realistic: adds honest"
        " look-alikes and evasive fraud.",
    )
    activity: Literal["flat", "cycles"] = Field(
        "cycles",
        description="flat: a constant TRANSACTION_RATE; cycles: each customer pays at the cited"
        " daily rate with daily and weekly cycles and paydays, TRANSACTION_RATE the mean"
        " (CUSTOMER_POOL_SIZE must be large enough to reach it).",
    )
    # One episode per customer every ~8 days (0.12 a day beside 1.5 payments), as the robustness
    # worlds (backtest/robustness.yml); the dense flat stream uses 0.1 (DENSE_FLAT).
    lookalike_rate: float = Field(
        0.005,
        ge=0.0,
        le=60.0,
        description="Honest look-alike episodes per customer-hour (realistic world only).",
    )
    evasion_rate: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="Share of injected fraud instances that evade their rule, 0..1 (realistic).",
    )
    structuring_threshold: Decimal = Field(
        Decimal("10000"), gt=0, description="Reporting threshold that structuring stays under."
    )
    drift_after_minutes: float = Field(
        0.0,
        ge=0.0,
        description="Drift injection: after this many simulated minutes everyday spending is"
        " multiplied by DRIFT_SPEND_FACTOR (tests the scorer's drift watch); 0 = never.",
    )
    drift_spend_factor: float = Field(
        3.0, gt=0.0, description="Factor of everyday amounts once the drift injection starts."
    )
    currency: str = Field("AUD", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    start_time: datetime | None = Field(
        None, description="Event time of the first event (RFC 3339); empty means now."
    )
    broker_wait_seconds: float = Field(
        60.0, gt=0.0, description="How long to retry an unreachable broker before giving up."
    )
    log_interval_seconds: float = Field(
        10.0, gt=0.0, description="Seconds between summary log lines."
    )
    linger_ms: int = Field(20, ge=0, description="Producer batching delay in milliseconds.")
    batch_size_bytes: int = Field(262144, gt=0, description="Producer batch size per partition.")
    compression_type: Literal["none", "gzip"] = Field(
        "gzip", description="Compression of produced batches: none or gzip."
    )

    decision_api_url: str = Field(
        "",
        pattern=r"^(https?://[A-Za-z0-9._-]+(:\d{1,5})?/?)?$",
        description="Decision service base URL (http://host:port); empty = never call it.",
    )
    decision_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of transactions sent through the decision service, 0..1.",
    )
    decision_api_key: SecretStr = Field(
        SecretStr(""), description="API key (decide scope) for the decision service."
    )

    @property
    def broker(self) -> Broker:
        return replace(super().broker, linger_ms=self.linger_ms)

    @field_validator("start_time")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a timezone offset, e.g. 2026-01-01T00:00:00Z")
        return value

    @model_validator(mode="after")
    def _client_installed(self) -> Settings:
        if (
            self.sink == "kafka"
            and self.kafka_client == "confluent-kafka"
            and find_spec("confluent_kafka") is None
        ):
            raise ValueError(
                "KAFKA_CLIENT: confluent-kafka is not installed; install the load extra"
                " (pip install -e '.[load]') or set KAFKA_CLIENT=kafka-python"
            )
        return self

    @model_validator(mode="after")
    def _pool_reaches_rate(self) -> Settings:
        if self.customer_pool_size == 0:
            self.customer_pool_size = default_pool_size(self.activity, self.transaction_rate)
        needed = customers_for_rate(self.transaction_rate)
        if self.activity == "cycles" and self.customer_pool_size < needed:
            raise ValueError(
                f"CUSTOMER_POOL_SIZE: ACTIVITY=cycles needs at least {needed} customers for"
                f" TRANSACTION_RATE={self.transaction_rate:g} at {PAYMENTS_PER_CUSTOMER_PER_DAY:g}"
                " payments per customer per day; raise it, set 0 to size it from the rate, or"
                " lower TRANSACTION_RATE"
            )
        return self

    @model_validator(mode="after")
    def _decision_service(self) -> Settings:
        if self.decision_share > 0 and not self.decision_api_url:
            raise ValueError("DECISION_SHARE: needs DECISION_API_URL (the decision service)")
        return self

    @model_validator(mode="after")
    def _rate_fits_pool(self) -> Settings:
        ceiling = self.customer_pool_size / CUSTOMERS_PER_TRANSACTION_PER_SECOND
        if self.transaction_rate > ceiling:
            raise ValueError(
                "TRANSACTION_RATE: at most CUSTOMER_POOL_SIZE/"
                f"{CUSTOMERS_PER_TRANSACTION_PER_SECOND}"
                f" ({ceiling:g} for {self.customer_pool_size} customers), so normal traffic never"
                " looks like a velocity burst; raise CUSTOMER_POOL_SIZE for higher rates"
            )
        return self
