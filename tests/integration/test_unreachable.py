"""No broker at the address: retried for BROKER_WAIT_SECONDS, then one plain line."""

from __future__ import annotations

import re
import time

import pytest

from common.kafka import BrokerLost
from producers.publishers.factory import open_publisher
from producers.runner import run_kafka
from producers.stats import PublishStats
from tests.integration.helpers import START, broker_settings
from tests.support.clock import FakeClock
from tests.support.kafka_broker import free_port

WAIT_S = 2.0
# One connection attempt may finish after the deadline it was given.
SLACK_S = 5.0


def test_the_runner_gives_up_after_the_wait_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = broker_settings(address, broker_wait_seconds=WAIT_S)

    began = time.monotonic()
    code = run_kafka(settings, [], FakeClock(START))
    elapsed = time.monotonic() - began

    assert code == 1
    assert WAIT_S <= elapsed < WAIT_S + SLACK_S
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 1
    assert errors[0].startswith(
        f"error: Kafka broker {address} unreachable after 2s (BROKER_WAIT_SECONDS): "
    )


def test_the_publisher_raises_broker_unavailable_within_the_wait(
    kafka_client: str, capfd: pytest.CaptureFixture[str]
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = broker_settings(address, broker_wait_seconds=WAIT_S, kafka_client=kafka_client)

    began = time.monotonic()
    with pytest.raises(BrokerLost) as caught:
        open_publisher(settings, PublishStats())
    elapsed = time.monotonic() - began

    assert WAIT_S <= elapsed < WAIT_S + SLACK_S
    message = str(caught.value)
    assert "\n" not in message
    assert re.fullmatch(
        rf"Kafka broker {address} unreachable after 2s \(BROKER_WAIT_SECONDS\): \w+: .+", message
    )
    # librdkafka writes to file descriptor 2 unless told otherwise: nothing may reach it.
    assert capfd.readouterr().err == ""
