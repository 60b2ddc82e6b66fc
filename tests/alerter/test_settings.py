"""Settings: validation messages, `.env.example` parity, and exit 2 from the real entry point."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from alerter.settings import AlerterSettings
from tests.support.env_example import env_value, section

ROOT = Path(__file__).resolve().parents[2]


def make_settings(**overrides: Any) -> AlerterSettings:
    return AlerterSettings(_env_file=None, **overrides)


def test_env_example_mirrors_the_settings_model() -> None:
    documented = section("Alerter")
    own = {
        AlerterSettings.env_name(name): env_value(field.default)
        for name, field in AlerterSettings.model_fields.items()
        if name != "kafka_bootstrap_servers"  # shared: documented in the producer's section
    }
    assert documented == own


def test_defaults_are_valid_and_print_to_stdout_only() -> None:
    settings = make_settings()
    assert (settings.slack_enabled, settings.siem_enabled, settings.stdout) == (False, False, True)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"min_severity": "medium"}, "ALERTER_MIN_SEVERITY: Input should be 'high' or 'critical'"),
        ({"categories": "velocity,teleport"}, "ALERTER_CATEGORIES: unknown signal type teleport;"),
        ({"slack_webhook_url": "ftp://hooks.slack.com/x"}, "ALERTER_SLACK_WEBHOOK_URL: must be an"),
        ({"siem_webhook_url": "http://siem.example.com/in"}, "ALERTER_SIEM_WEBHOOK_URL: must use"),
        ({"slack_webhook_url": "https://"}, "ALERTER_SLACK_WEBHOOK_URL: must be an https:// URL"),
        ({"slack_rate_per_s": 0}, "ALERTER_SLACK_RATE_PER_S: Input should be greater than 0"),
        ({"queue_bound": 0}, "ALERTER_QUEUE_BOUND: Input should be greater than or equal to 1"),
        ({"kafka_bootstrap_servers": "broker"}, "KAFKA_BOOTSTRAP_SERVERS: must be a comma"),
        ({"stdout": False}, "ALERTER_SLACK_WEBHOOK_URL, ALERTER_SIEM_WEBHOOK_URL, ALERTER_STDOUT"),
        ({"retry_backoff_max_s": 0.1}, "ALERTER_RETRY_BACKOFF_MAX_S: must be at least"),
        ({"dlq_topic": "bad topic"}, "ALERTER_DLQ_TOPIC: String should match pattern"),
        (
            {"slack_webhook_url": "https://hooks.slack.com/services/T0/B0/x y"},
            "ALERTER_SLACK_WEBHOOK_URL: must not contain spaces or control characters",
        ),
        (
            {"siem_webhook_url": "https://siem.example.com/in", "siem_signing_secret": ""},
            "ALERTER_SIEM_SIGNING_SECRET: at least 32 characters when ALERTER_SIEM_WEBHOOK_URL",
        ),
        (
            {"siem_webhook_url": "https://siem.example.com/in", "siem_signing_secret": "short"},
            "ALERTER_SIEM_SIGNING_SECRET: at least 32 characters",
        ),
    ],
)
def test_invalid_settings_name_the_setting_and_what_is_allowed(
    overrides: dict[str, object], expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(**overrides)
    message = AlerterSettings.describe_error(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_bad_webhook_url_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        make_settings(slack_webhook_url="http://hooks.slack.com/services/T0/B0/SECRET")
    assert "SECRET" not in AlerterSettings.describe_error(caught.value)


def test_https_and_loopback_http_urls_are_accepted() -> None:
    settings = make_settings(
        slack_webhook_url="https://hooks.slack.com/services/T0/B0/x",
        siem_webhook_url="http://127.0.0.1:8088/services/collector",
        siem_signing_secret="s" * 32,
        categories=" velocity , structuring ",
        stdout=False,
    )
    assert (settings.slack_enabled, settings.siem_enabled) == (True, True)
    assert settings.categories == frozenset({"velocity", "structuring"})


def _run_alerter(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("ALERTER_")}
    return subprocess.run(
        [sys.executable, "-m", "alerter"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT / "tests" / "alerter",  # away from any developer .env in the repo root
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"ALERTER_MIN_SEVERITY": "low"}, "ALERTER_MIN_SEVERITY"),
        ({"ALERTER_SIEM_WEBHOOK_URL": "not a url"}, "ALERTER_SIEM_WEBHOOK_URL"),
        ({"ALERTER_SLACK_BURST": "many"}, "ALERTER_SLACK_BURST"),
        (
            {"ALERTER_STDOUT": "false"},
            "ALERTER_SLACK_WEBHOOK_URL, ALERTER_SIEM_WEBHOOK_URL, ALERTER_STDOUT:",
        ),
    ],
)
def test_invalid_settings_exit_2_with_one_line(env: dict[str, str], names: str) -> None:
    result = _run_alerter(env)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"alerter: invalid setting: {names}")


def _unused_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_broker_ends_with_one_plain_line_and_exit_1() -> None:
    port = _unused_port()
    result = _run_alerter(
        {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}", "ALERTER_BROKER_WAIT_S": "1"}
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"alerter: Kafka unavailable: no Kafka broker reachable at 127.0.0.1:{port}"
        " within 1 s (KafkaTimeoutError)"
    )
