"""Runtime: logging that a dependency cannot silence, the stop flag and its signals, timeouts."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from common.kafka import Broker
from common.runtime import StopFlag, stop_on_signals

ROOT = Path(__file__).resolve().parents[2]


def test_a_dependency_configuring_logging_first_does_not_silence_the_service() -> None:
    script = textwrap.dedent(
        """
        import logging, sys
        # What a dependency may do at import: configure the root logger for itself.
        logging.basicConfig(level=logging.WARNING, stream=sys.stdout, format="dep %(message)s")
        from common.runtime import setup_logging
        setup_logging()
        logging.getLogger("alerter").info("summary line")
        logging.getLogger("kafka.conn").error("reconnect noise")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(" INFO summary line")


def test_the_first_failure_is_kept() -> None:
    stop = StopFlag()
    assert not stop.requested
    stop.fail("broker lost")
    stop.fail("worker failed")
    assert stop.requested
    assert stop.failure == "broker lost"
    assert stop.wait(10.0)


def test_a_signal_requests_a_stop_and_the_previous_handlers_come_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(StopFlag(), logging.getLogger("test"), "stopping") as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5.0)
        # A second signal would kill at once.
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert stop.failure is None
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.parametrize(
    ("wait_s", "linger_ms", "request_ms", "delivery_ms", "ack_s"),
    [
        (60.0, 0, 30_000, 60_000, 65.0),
        (2.0, 0, 2_000, 2_000, 7.0),
        (20.0, 500, 20_000, 20_500, 25.5),
    ],
)
def test_client_timeouts_follow_the_broker_wait(
    wait_s: float, linger_ms: int, request_ms: int, delivery_ms: int, ack_s: float
) -> None:
    broker = Broker("a:1,b:2", wait_s, "BROKER_WAIT_S", linger_ms)
    assert broker.bootstrap == ["a:1", "b:2"]
    assert (broker.request_ms, broker.delivery_ms, broker.ack_s) == (request_ms, delivery_ms, ack_s)
