"""The alerter's settings: one model, read from the environment and `.env`.

Every field is `ALERTER_<NAME>` except the broker list, which the whole pipeline shares as
`KAFKA_BOOTSTRAP_SERVERS`. `.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from alerter.cases import MinimumSeverity
from common.contract import CONTRACT
from common.settings import KafkaSettings

ENV_PREFIX = "ALERTER_"
# The categories a case can carry: the detection contract's signal types.
SIGNAL_TYPES: frozenset[str] = frozenset(CONTRACT.signal_types)
# Plain http leaks the webhook secret on the wire: allowed only to this machine (tests, demos).
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TOPIC = r"^[A-Za-z0-9._-]{1,249}$"


class AlerterSettings(KafkaSettings):
    """Every knob of the alerter. The environment variable is `ALERTER_` + the field name."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)

    topic: str = Field(
        CONTRACT.sink_topics["fraud_cases"], pattern=_TOPIC, description="Topic of case changes."
    )
    consumer_group: str = Field(
        "fraud-alerter", min_length=1, description="Kafka consumer group of the alerter."
    )
    min_severity: MinimumSeverity = Field(
        "high", description="Lowest case severity that alerts: high or critical."
    )
    categories: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(),
        description="Comma-separated signal types a case must carry one of; empty means all.",
    )
    slack_webhook_url: SecretStr = Field(
        SecretStr(""), description="Slack incoming-webhook URL; empty disables Slack."
    )
    siem_webhook_url: SecretStr = Field(
        SecretStr(""), description="Generic JSON webhook URL of the SIEM; empty disables it."
    )
    siem_authorization: SecretStr = Field(
        SecretStr(""), description="Authorization header value sent to the SIEM; empty sends none."
    )
    siem_signing_secret: SecretStr = Field(
        SecretStr(""),
        description="Key of the HMAC-SHA256 signature on every SIEM request (docs/alerting.md);"
        " required with a SIEM URL, at least 32 characters.",
    )
    stdout: bool = Field(True, description="Also print every alert as a JSON line on stdout.")
    slack_rate_per_s: float = Field(1.0, gt=0.0, description="Slack requests per second.")
    slack_burst: int = Field(1, ge=1, description="Slack requests allowed back to back.")
    siem_rate_per_s: float = Field(10.0, gt=0.0, description="SIEM requests per second.")
    siem_burst: int = Field(10, ge=1, description="SIEM requests allowed back to back.")
    queue_bound: int = Field(
        10, ge=1, description="Alerts a destination holds back before sending them as one digest."
    )
    digest_max_alerts: int = Field(
        50, ge=2, le=200, description="Most alerts in one digest message (Slack block limits)."
    )
    max_pending: int = Field(
        1000, ge=1, description="Alerts held by one destination before consuming pauses."
    )
    retry_max_attempts: int = Field(5, ge=1, description="Attempts per message, first included.")
    retry_backoff_base_s: float = Field(
        0.5, gt=0.0, description="First retry delay; doubles on every further attempt."
    )
    retry_backoff_max_s: float = Field(30.0, gt=0.0, description="Longest retry delay.")
    request_timeout_s: float = Field(5.0, gt=0.0, description="Timeout of one HTTP request.")
    dlq_topic: str = Field(
        "fraud_cases.dlq", pattern=_TOPIC, description="Dead-letter topic of failed alerts."
    )
    delivered_topic: str = Field(
        "fraud_cases.delivered",
        pattern=_TOPIC,
        description="Compacted topic of delivered alert keys, read back at start.",
    )
    topic_replication_factor: int = Field(
        1, ge=1, description="Replication factor of the dead-letter and delivered topics."
    )
    broker_wait_s: float = Field(
        60.0, gt=0.0, description="How long to retry an unreachable broker before giving up."
    )
    log_interval_s: float = Field(10.0, gt=0.0, description="Seconds between summary log lines.")

    @field_validator("categories", mode="before")
    @classmethod
    def _split_categories(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - SIGNAL_TYPES)
        if unknown:
            allowed = ", ".join(sorted(SIGNAL_TYPES))
            raise ValueError(f"unknown signal type {', '.join(unknown)}; allowed: {allowed}")
        return value

    @field_validator("slack_webhook_url", "siem_webhook_url")
    @classmethod
    def _webhook_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if url:
            _check_url(url)
        return value

    @model_validator(mode="after")
    def _has_destination(self) -> AlerterSettings:
        if not (self.slack_enabled or self.siem_enabled or self.stdout):
            raise ValueError(
                "ALERTER_SLACK_WEBHOOK_URL, ALERTER_SIEM_WEBHOOK_URL, ALERTER_STDOUT:"
                " enable at least one destination"
            )
        if self.siem_enabled and len(self.siem_signing_secret.get_secret_value()) < 32:
            raise ValueError(
                "ALERTER_SIEM_SIGNING_SECRET: at least 32 characters when ALERTER_SIEM_WEBHOOK_URL"
                " is set (every SIEM request is signed)"
            )
        if self.retry_backoff_max_s < self.retry_backoff_base_s:
            raise ValueError(
                "ALERTER_RETRY_BACKOFF_MAX_S: must be at least ALERTER_RETRY_BACKOFF_BASE_S"
            )
        return self

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_webhook_url.get_secret_value())

    @property
    def siem_enabled(self) -> bool:
        return bool(self.siem_webhook_url.get_secret_value())


def _check_url(url: str) -> None:
    """Raise ValueError unless `url` is https (or http to this machine) with a host."""
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an https:// URL with a host")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValueError("must use https:// (plain http only to localhost/127.0.0.1)")
