"""The HTTP transport and the retry loop against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from alerter.retry import RetryPolicy, send_with_retries
from alerter.transport import HttpTransport, parse_retry_after
from tests.alerter.webhook import SIGNING_SECRET, Reply, WebhookServer

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, backoff_base_s=0.5, backoff_max_s=1.5)


@pytest.fixture
def server() -> Iterator[WebhookServer]:
    with WebhookServer() as running:
        yield running


class Recorder:
    """Stands in for the sleeps and the token bucket: records what was asked, never sleeps."""

    def __init__(self, stop_after_waits: int | None = None) -> None:
        self.waits: list[float] = []
        self.tokens = 0
        self._stop_after = stop_after_waits

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return self._stop_after is not None and len(self.waits) >= self._stop_after

    def acquire(self) -> bool:
        self.tokens += 1
        return True


def _transport(server: WebhookServer, path: str, timeout_s: float = 2.0) -> HttpTransport:
    return HttpTransport(server.url(path), timeout_s, lambda: NOW, {"Authorization": "Bearer t"})


def test_a_2xx_is_delivered_with_the_body_and_headers(server: WebhookServer) -> None:
    attempt = _transport(server, "/ok").send(b'{"a": 1}')
    assert attempt.delivered
    [received] = server.requests("/ok")
    assert received.body == {"a": 1}
    assert received.headers["Authorization"] == "Bearer t"
    assert received.headers["Content-Type"] == "application/json"


def test_a_signed_request_verifies_at_the_receiver_and_a_tampered_one_does_not(
    server: WebhookServer,
) -> None:
    import time

    from alerter.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

    now = datetime.now(UTC)
    signed = HttpTransport(
        server.url("/siem"), 2.0, lambda: now, signing_secret=SIGNING_SECRET.encode()
    )
    assert signed.send(b'{"alert_id": "a1"}').delivered
    assert HttpTransport(server.url("/siem"), 2.0, lambda: now).send(b"{}").delivered
    first, unsigned = server.requests("/siem")
    assert (first.signed, unsigned.signed) == (True, False)
    assert first.headers[TIMESTAMP_HEADER] == str(int(now.timestamp()))
    headers = {name: first.headers[name] for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)}
    body = b'{"alert_id": "a1"}'
    assert verify(SIGNING_SECRET.encode(), headers, body, time.time())
    assert not verify(SIGNING_SECRET.encode(), headers, b'{"alert_id": "a2"}', time.time())
    assert not verify(b"another secret" * 3, headers, body, time.time())
    assert not verify(SIGNING_SECRET.encode(), headers, body, time.time() + 3600), "replayed"


def test_the_documented_verification_accepts_a_signed_request() -> None:
    import re
    import time
    from pathlib import Path

    from alerter.signing import signed_headers

    doc = (Path(__file__).resolve().parents[2] / "docs" / "alerting.md").read_text()
    section = doc[doc.index("### Verifying a SIEM request") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert snippet
    namespace: dict[str, object] = {}
    exec(snippet.group(1), namespace)
    verified = namespace["verified"]
    body, now = b'{"alert_id": "a1"}', time.time()
    headers = signed_headers(SIGNING_SECRET.encode(), int(now), body)
    assert verified(SIGNING_SECRET.encode(), headers, body, now)  # type: ignore[operator]
    assert not verified(SIGNING_SECRET.encode(), headers, body + b" ", now)  # type: ignore[operator]
    assert not verified(SIGNING_SECRET.encode(), headers, body, now + 600)  # type: ignore[operator]


def test_retry_after_is_honoured_then_backoff_doubles(server: WebhookServer) -> None:
    server.script("/flaky", Reply(429, {"Retry-After": "7"}), Reply(503), Reply(502), Reply(200))
    recorder = Recorder()
    transport = _transport(server, "/flaky")
    outcome = send_with_retries(
        lambda: transport.send(b"{}"), POLICY, recorder.acquire, recorder.wait
    )
    assert outcome is not None and outcome.attempt.delivered
    assert outcome.attempts == 4
    assert recorder.waits == [7.0, 1.0, 1.5]  # Retry-After, then 0.5 x 2^1, capped at 1.5
    assert recorder.tokens == 3  # every retry waits for a token too
    assert [record.status for record in server.requests("/flaky")] == [429, 503, 502, 200]


def test_a_4xx_other_than_429_is_not_retried(server: WebhookServer) -> None:
    server.always("/gone", Reply(404))
    recorder = Recorder()
    transport = _transport(server, "/gone")
    outcome = send_with_retries(
        lambda: transport.send(b"{}"), POLICY, recorder.acquire, recorder.wait
    )
    assert outcome is not None and not outcome.attempt.delivered
    assert outcome.attempt.reason == "HTTP 404"
    assert outcome.attempts == 1
    assert len(server.requests("/gone")) == 1


def test_exhausted_retries_fail_with_the_last_reason(server: WebhookServer) -> None:
    server.always("/down", Reply(500))
    recorder = Recorder()
    transport = _transport(server, "/down")
    outcome = send_with_retries(
        lambda: transport.send(b"{}"), POLICY, recorder.acquire, recorder.wait
    )
    assert outcome is not None and not outcome.attempt.delivered
    assert outcome.attempt.reason == "retries exhausted after 4 attempts, last: HTTP 500"
    assert len(server.requests("/down")) == 4


def test_a_timeout_is_retried(server: WebhookServer) -> None:
    server.script("/slow", Reply(200, delay_s=1.0))
    recorder = Recorder()
    transport = _transport(server, "/slow", timeout_s=0.2)
    outcome = send_with_retries(
        lambda: transport.send(b"{}"), POLICY, recorder.acquire, recorder.wait
    )
    assert outcome is not None and outcome.attempt.delivered
    assert outcome.attempts == 2
    assert recorder.waits == [0.5]


def test_a_refused_connection_is_retried_without_naming_the_url() -> None:
    with WebhookServer() as gone:
        url = gone.url("/secret-token")
    attempt = HttpTransport(url, 1.0, lambda: NOW).send(b"{}")
    assert attempt.retryable and not attempt.delivered
    assert "secret-token" not in attempt.reason


def test_a_redirect_is_not_followed(server: WebhookServer) -> None:
    server.always("/moved", Reply(302, {"Location": server.url("/elsewhere")}))
    attempt = _transport(server, "/moved").send(b"{}")
    assert (attempt.delivered, attempt.retryable, attempt.reason) == (False, False, "HTTP 302")
    assert server.requests("/elsewhere") == []


def test_stopping_interrupts_a_retry_wait(server: WebhookServer) -> None:
    server.always("/down", Reply(503))
    recorder = Recorder(stop_after_waits=1)
    transport = _transport(server, "/down")
    outcome = send_with_retries(
        lambda: transport.send(b"{}"), POLICY, recorder.acquire, recorder.wait
    )
    assert outcome is None
    assert len(server.requests("/down")) == 1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("12", 12.0),
        ("Sun, 22 Nov 2026 10:00:30 GMT", 30.0),
        ("Sun, 22 Nov 2026 09:00:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header, NOW) == seconds
