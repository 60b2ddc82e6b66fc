import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from producers.activity import customers_for_rate
from producers.settings import Settings
from tests.producers.conftest import make_settings
from tests.support.env_example import env_value, section

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_mirrors_the_settings_model() -> None:
    documented = section("Producer")
    defaults = Settings.model_fields
    assert set(documented) == {name.upper() for name in defaults}
    for name, field in defaults.items():
        assert documented[name.upper()] == env_value(field.default), name


def test_the_default_world_pays_at_daily_rates_with_a_pool_sized_for_the_rate() -> None:
    default = Settings(_env_file=None)
    assert default.activity == "cycles"
    assert default.customer_pool_size == customers_for_rate(default.transaction_rate) == 144_000
    assert Settings(_env_file=None, transaction_rate=20).customer_pool_size == 1_152_000
    # ACTIVITY=flat alone sizes the seed's dense pool; an explicit size is kept.
    assert Settings(_env_file=None, activity="flat", transaction_rate=20).customer_pool_size == 500
    assert Settings(_env_file=None, customer_pool_size=300_000).customer_pool_size == 300_000


def test_env_example_documents_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("# "), line


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"fraud_rate": 1.5}, "FRAUD_RATE: Input should be less than or equal to 1"),
        ({"fraud_rate": -0.1}, "FRAUD_RATE: Input should be greater than or equal to 0"),
        ({"transaction_rate": 0}, "TRANSACTION_RATE: Input should be greater than 0"),
        (
            {"customer_pool_size": -1},
            "CUSTOMER_POOL_SIZE: Input should be greater than or equal to 0",
        ),
        ({"sink": "s3"}, "SINK: Input should be 'kafka' or 'jsonl'"),
        (
            {"kafka_client": "librdkafka"},
            "KAFKA_CLIENT: Input should be 'kafka-python' or 'confluent-kafka'",
        ),
        ({"kafka_bootstrap_servers": "broker"}, "KAFKA_BOOTSTRAP_SERVERS: must be a comma"),
        ({"kafka_bootstrap_servers": "a:1,b:99999"}, "KAFKA_BOOTSTRAP_SERVERS: ports must be"),
        ({"transaction_rate": 26}, "TRANSACTION_RATE: at most CUSTOMER_POOL_SIZE/20 (25 for 500"),
        ({"start_time": "2026-01-01T00:00:00"}, "START_TIME: must carry a timezone offset"),
        ({"world": "fantasy"}, "WORLD: Input should be 'clean' or 'realistic'"),
        ({"lookalike_rate": -1}, "LOOKALIKE_RATE: Input should be greater than or equal to 0"),
        ({"lookalike_rate": 61}, "LOOKALIKE_RATE: Input should be less than or equal to 60"),
        ({"evasion_rate": 1.5}, "EVASION_RATE: Input should be less than or equal to 1"),
        ({"evasion_rate": -0.5}, "EVASION_RATE: Input should be greater than or equal to 0"),
    ],
)
def test_invalid_settings_name_the_setting_and_what_is_allowed(
    overrides: dict[str, object], expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(**overrides)
    message = Settings.describe_error(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_valid_settings_are_normalised() -> None:
    settings = make_settings(kafka_bootstrap_servers="a:9092, b:9093")
    assert settings.kafka_bootstrap_servers == "a:9092,b:9093"


def test_invalid_setting_stops_the_cli_with_exit_2_and_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "producers", "--sink", "jsonl", "--events", "5"],
        env={"FRAUD_RATE": "7", "PATH": ""},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "invalid setting: FRAUD_RATE: Input should be less than or equal to 1 (got '7')"
    ]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("WORLD", "fantasy", "WORLD: Input should be 'clean' or 'realistic' (got 'fantasy')"),
        ("EVASION_RATE", "2", "EVASION_RATE: Input should be less than or equal to 1 (got '2')"),
        ("LOOKALIKE_RATE", "lots", "LOOKALIKE_RATE: Input should be a valid number"),
    ],
)
def test_invalid_world_settings_stop_the_cli_with_exit_2_and_one_line(
    name: str, value: str, expected: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "producers", "--sink", "jsonl", "--events", "5"],
        env={name: value, "PATH": ""},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"invalid setting: {expected}")


# Run as the CLI, with confluent-kafka made unimportable (as where the load extra is missing).
_WITHOUT_CONFLUENT = (
    "import sys; sys.modules['confluent_kafka'] = None; "
    "from producers.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def test_confluent_kafka_without_its_package_names_the_setting_and_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "confluent_kafka", None)

    with pytest.raises(ValidationError) as caught:
        make_settings(kafka_client="confluent-kafka")

    message = Settings.describe_error(caught.value)
    assert message.startswith("KAFKA_CLIENT: confluent-kafka is not installed")
    assert "'.[load]'" in message
    # Writing NDJSON needs no Kafka client at all.
    assert make_settings(kafka_client="confluent-kafka", sink="jsonl").sink == "jsonl"


def test_confluent_kafka_without_its_package_stops_the_cli_with_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_CONFLUENT, "--events", "5"],
        env={"KAFKA_CLIENT": "confluent-kafka", "PATH": ""},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "invalid setting: KAFKA_CLIENT: confluent-kafka is not installed; install the load extra"
        " (pip install -e '.[load]') or set KAFKA_CLIENT=kafka-python"
    ]
