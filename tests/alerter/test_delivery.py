"""The alerter end to end: real Kafka broker, real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable

import pytest

from alerter.settings import AlerterSettings
from tests.alerter.conftest import InProcessAlerter, Topics, wait_until
from tests.alerter.factory import alert_id, case_message
from tests.alerter.webhook import (
    Received,
    Reply,
    WebhookServer,
    delivered_exactly,
    delivered_ids,
)
from tests.support.kafka_broker import KafkaBroker

pytestmark = pytest.mark.integration
RunAlerter = Callable[[AlerterSettings], InProcessAlerter]


def _urls(webhooks: WebhookServer) -> dict[str, str]:
    return {"slack_webhook_url": webhooks.url("/slack"), "siem_webhook_url": webhooks.url("/siem")}


def _assert_within_bucket(requests: list[Received], rate: float, burst: int) -> None:
    """No stretch of the receiver's log holds more requests than the bucket allows.

    The 50 ms of slack covers the way from the client's token to the server's clock on a busy
    machine; it is a twentieth of a Slack token, so a real excess still fails.
    """
    times = sorted(record.at for record in requests)
    for first in range(len(times)):
        for last in range(first + 1, len(times)):
            allowed = burst + rate * (times[last] - times[first] + 0.05)
            assert last - first + 1 <= allowed, (first, last, times[last] - times[first])


def test_measured_send_rates_stay_within_each_bucket(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter
) -> None:
    count = 30
    topics.publish([case_message(number) for number in range(count)])
    settings = topics.settings(
        **_urls(webhooks),
        slack_rate_per_s=8.0,
        slack_burst=2,
        siem_rate_per_s=20.0,
        siem_burst=4,
        queue_bound=1000,  # no digests: every alert is a request of its own
    )
    alerter = run_alerter(settings)
    wait_until(
        lambda: (
            len(webhooks.requests("/slack")) == count and len(webhooks.requests("/siem")) == count
        ),
        "every alert at both webhooks",
    )
    _assert_within_bucket(webhooks.requests("/slack"), rate=8.0, burst=2)
    _assert_within_bucket(webhooks.requests("/siem"), rate=20.0, burst=4)
    # The bucket paces rather than blocks: the last Slack request comes no sooner than it allows.
    slack_times = sorted(record.at for record in webhooks.requests("/slack"))
    assert slack_times[-1] - slack_times[0] >= (count - 2) / 8.0 - 0.05
    alerter.stop()
    assert sorted(alerter.stdout_ids()) == sorted(alert_id(number) for number in range(count))


def test_a_burst_of_200_is_delivered_completely_and_once(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter, kafka_broker: object
) -> None:
    cases = [case_message(number) for number in range(200)]
    repeats = [case_message(number, updated_s=60) for number in range(0, 200, 5)]
    escalations = [case_message(number, severity="critical") for number in range(10)]
    # Cases opened at critical whose risk then falls back to high: the fall is no news.
    opened_critical = [case_message(number, severity="critical") for number in range(200, 205)]
    falling_back = [case_message(number, updated_s=300) for number in range(200, 205)]
    below_policy = [case_message(number, severity="medium") for number in range(205, 215)]
    topics.publish(cases + repeats + escalations + opened_critical + falling_back + below_policy)
    expected = {alert_id(number) for number in range(200)} | {
        alert_id(number, "critical") for number in [*range(10), *range(200, 205)]
    }

    alerter = run_alerter(topics.settings(**_urls(webhooks), queue_bound=10))
    for path in ("/slack", "/siem"):
        wait_until(delivered_exactly(webhooks, path, expected), path)
    wait_until(lambda: topics.committed_lag() == 0, "every offset committed")
    alerter.stop()
    # It joined its group once: a rejoin right after the first join is where kafka-python 3.0
    # was seen to stop heartbeating (alerter/service.py).
    if isinstance(kafka_broker, KafkaBroker):
        assert kafka_broker.rejoins(topics.group) == []

    for path in ("/slack", "/siem"):
        counts = Counter(delivered_ids(webhooks, path))
        assert set(counts) == expected
        assert max(counts.values()) == 1, f"{path} alerted a case twice"
    assert Counter(alerter.stdout_ids()) == Counter(expected)
    # Slack's default bucket is 1 request per second: the burst went out mostly as digests.
    slack = webhooks.requests("/slack")
    assert len(slack) < 20
    assert any(
        record.body["blocks"][0]["text"]["text"].startswith(":card_index:") for record in slack
    )
    _assert_within_bucket(slack, rate=1.0, burst=1)
    assert topics.read(topics.dlq) == []


def test_retry_after_is_honoured(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter
) -> None:
    webhooks.script("/siem", Reply(429, {"Retry-After": "1"}))
    topics.publish([case_message(1)])
    alerter = run_alerter(topics.settings(siem_webhook_url=webhooks.url("/siem"), stdout=False))
    wait_until(lambda: len(webhooks.requests("/siem")) == 2, "the retry")
    refused, accepted = webhooks.requests("/siem")
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 1.0
    assert delivered_ids(webhooks, "/siem") == [alert_id(1)]
    assert all(record.signed for record in webhooks.requests("/siem")), "every attempt is signed"
    alerter.stop()


def test_permanent_failures_land_in_the_dead_letter_topic(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter
) -> None:
    webhooks.always("/slack", Reply(404))
    webhooks.always("/siem", Reply(500))
    topics.publish([case_message(number) for number in range(3)] + [b'{"case_id": "broken"}'])
    settings = topics.settings(
        **_urls(webhooks),
        stdout=False,
        queue_bound=1000,
        retry_max_attempts=3,
        retry_backoff_base_s=0.05,
        siem_rate_per_s=100.0,
    )
    alerter = run_alerter(settings)
    wait_until(lambda: len(topics.read(topics.dlq)) == 7, "7 dead letters")
    wait_until(lambda: topics.committed_lag() == 0, "every offset committed")
    alerter.stop()

    letters = [value for _, value in topics.read(topics.dlq)]
    failed = sorted(
        (letter["destination"], letter["alert"]["alert_id"], letter["reason"], letter["attempts"])
        for letter in letters
        if letter["kind"] == "delivery_failed"
    )
    exhausted = "retries exhausted after 3 attempts, last: HTTP 500"
    assert failed == sorted(
        [("siem", alert_id(number), exhausted, 3) for number in range(3)]
        + [("slack", alert_id(number), "HTTP 404", 1) for number in range(3)]
    )
    [invalid] = [letter for letter in letters if letter["kind"] == "invalid_case"]
    assert invalid["source_topic"] == topics.cases
    assert invalid["reason"].startswith("account_id: Field required")
    assert len(webhooks.requests("/slack")) == 3
    assert len(webhooks.requests("/siem")) == 9

    # Dead-lettered alerts are settled: a restart sends nothing again.
    webhooks.always("/slack", Reply(200))
    webhooks.always("/siem", Reply(200))
    topics.publish([case_message(number) for number in range(3)])
    again = run_alerter(settings)
    wait_until(lambda: topics.committed_lag() == 0, "the repeats committed")
    again.stop()
    assert len(webhooks.requests("/slack")) == 3
    assert len(webhooks.requests("/siem")) == 9


def test_categories_and_minimum_severity_filter_before_dispatch(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter
) -> None:
    topics.publish(
        [
            case_message(1, severity="critical", reason_codes="structuring"),
            case_message(2, severity="high", reason_codes="structuring"),
            case_message(3, severity="critical", reason_codes="velocity"),
            case_message(4, severity="critical", reason_codes="velocity,login_storm"),
        ]
    )
    settings = topics.settings(
        siem_webhook_url=webhooks.url("/siem"),
        min_severity="critical",
        categories="structuring,login_storm",
    )
    alerter = run_alerter(settings)
    wait_until(lambda: topics.committed_lag() == 0, "every offset committed")
    alerter.stop()
    assert sorted(delivered_ids(webhooks, "/siem")) == [
        alert_id(1, "critical"),
        alert_id(4, "critical"),
    ]


def test_a_blocked_destination_pauses_consuming_instead_of_filling_memory(
    topics: Topics,
    webhooks: WebhookServer,
    run_alerter: RunAlerter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="alerter.service")
    webhooks.script("/siem", Reply(503, {"Retry-After": "3"}))
    topics.publish([case_message(number) for number in range(100)])
    settings = topics.settings(
        siem_webhook_url=webhooks.url("/siem"),
        stdout=False,
        max_pending=10,
        queue_bound=1000,
        siem_rate_per_s=1000.0,
        siem_burst=100,
    )
    alerter = run_alerter(settings)
    wait_until(lambda: len(webhooks.requests("/siem")) == 1, "the refused first request")
    # While the destination waits out Retry-After, the loop keeps polling and logging summaries.
    wait_until(lambda: len(_consumed_counts(caplog)) >= 2, "two summaries while blocked")
    assert len(webhooks.requests("/siem")) == 1
    # Held back: 10 pending, plus at most one poll batch of 10 before the pause bites.
    assert max(_consumed_counts(caplog)) <= 10 + 10 + 1
    wait_until(lambda: len(set(delivered_ids(webhooks, "/siem"))) == 100, "every alert after it")
    alerter.stop()
    assert Counter(delivered_ids(webhooks, "/siem")) == Counter(
        alert_id(number) for number in range(100)
    )


def _consumed_counts(caplog: pytest.LogCaptureFixture) -> list[int]:
    return [
        int(match[1])
        for record in caplog.records
        if (match := re.search(r"summary consumed=(\d+)", record.getMessage()))
    ]
