"""The settings base: variable names (prefixed or shared), one-line errors, secrets never echoed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

from common.settings import KafkaSettings, TopicSettings


class DemoSettings(TopicSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")

    size: int = Field(1, ge=1)
    token: SecretStr = SecretStr("")
    note: str = ""
    broker_wait_s: float = Field(60.0, gt=0.0)

    @field_validator("note")
    @classmethod
    def _two_lines(cls, value: str) -> str:
        if value == "bad":
            raise ValueError("first line\nsecond line")
        return value


@pytest.fixture(autouse=True)
def _no_demo_settings_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "TOPIC_PARTITIONS", "TOPIC_REPLICATION_FACTOR"):
        monkeypatch.delenv(name, raising=False)


def _error(**values: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        DemoSettings(_env_file=None, **values)
    return DemoSettings.describe_error(caught.value)


def test_prefixed_and_shared_fields_have_their_variable_names() -> None:
    assert DemoSettings.env_name("size") == "DEMO_SIZE"
    assert DemoSettings.env_name("kafka_bootstrap_servers") == "KAFKA_BOOTSTRAP_SERVERS"
    assert DemoSettings.env_name("topic_partitions") == "TOPIC_PARTITIONS"


def test_shared_fields_are_read_without_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOPIC_PARTITIONS", "7")
    monkeypatch.setenv("DEMO_TOPIC_PARTITIONS", "9")  # not a name the model reads
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", " a:1 , b:2 ")
    settings = DemoSettings(_env_file=None)
    assert settings.topic_partitions == 7
    assert settings.kafka_bootstrap_servers == "a:1,b:2"
    assert settings.topic_sizes() == "TOPIC_PARTITIONS=7, TOPIC_REPLICATION_FACTOR=1"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"size": 0}, "DEMO_SIZE: Input should be greater than or equal to 1 (got 0)"),
        ({"kafka_bootstrap_servers": "broker"}, "KAFKA_BOOTSTRAP_SERVERS: must be a comma"),
        ({"kafka_bootstrap_servers": "a:1,b:70000"}, "KAFKA_BOOTSTRAP_SERVERS: ports must be"),
        ({"topic_partitions": 0}, "TOPIC_PARTITIONS: Input should be greater than 0 (got 0)"),
        ({"note": "bad"}, "DEMO_NOTE: first line second line (got 'bad')"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(values: dict[str, Any], expected: str) -> None:
    message = _error(**values)
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_secret_is_never_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        DemoSettings(_env_file=None, token=["s3cret"])
    message = DemoSettings.describe_error(caught.value)
    assert message.startswith("DEMO_TOKEN: ")
    assert "s3cret" not in message


def test_a_variable_set_in_the_environment_is_named_as_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "no-port")
    with pytest.raises(ValidationError) as caught:
        DemoSettings(_env_file=None)
    assert DemoSettings.describe_error(caught.value).startswith(
        "KAFKA_BOOTSTRAP_SERVERS: must be a comma-separated list of host:port (got 'no-port')"
    )


def test_the_broker_names_the_wait_setting_of_each_service() -> None:
    class Other(KafkaSettings):
        model_config = SettingsConfigDict(env_prefix="OTHER_")
        broker_wait_field = "wait_seconds"
        wait_seconds: float = 2.5

    broker = Other(_env_file=None).broker
    assert (broker.wait_s, broker.wait_setting) == (2.5, "OTHER_WAIT_SECONDS")
    assert DemoSettings(_env_file=None).broker.wait_setting == "DEMO_BROKER_WAIT_S"
