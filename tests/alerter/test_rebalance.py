"""A rebalance mid-stream (a second member joins the alerter's group, then leaves): the
alerter commits what settled before its partitions move, keeps running, and alerts each case
once. kafka-python calls rebalance listeners on its IO thread, where a blocking commit fails."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from kafka import KafkaConsumer

from alerter.settings import AlerterSettings
from tests.alerter.conftest import InProcessAlerter, Topics, wait_until
from tests.alerter.factory import alert_id, case_message
from tests.alerter.webhook import WebhookServer, delivered_ids

pytestmark = pytest.mark.integration
RunAlerter = Callable[[AlerterSettings], InProcessAlerter]
CASES = 150


def test_a_rebalance_mid_stream_commits_settled_offsets_and_alerts_once(
    topics: Topics, webhooks: WebhookServer, run_alerter: RunAlerter
) -> None:
    topics.publish([case_message(number) for number in range(CASES)])
    # A paced destination: alerts settle one by one while the group rebalances.
    settings = topics.settings(
        slack_webhook_url=webhooks.url("/slack"),
        slack_rate_per_s=40.0,
        slack_burst=1,
        queue_bound=1000,
    )
    alerter = run_alerter(settings)
    wait_until(lambda: len(webhooks.requests("/slack")) >= 20, "the first alerts")
    joiner = KafkaConsumer(
        bootstrap_servers=topics.bootstrap_servers,
        group_id=topics.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        joiner.subscribe([topics.cases])
        wait_until(lambda: bool(joiner.poll(timeout_ms=200) or joiner.assignment()), "a share")
        taken = set(joiner.assignment())
    finally:
        joiner.close(autocommit=False)  # leaves the group: the alerter takes everything back
    expected = {alert_id(number) for number in range(CASES)}
    wait_until(lambda: set(delivered_ids(webhooks, "/slack")) == expected, "every alert")
    wait_until(lambda: topics.committed_lag() == 0, "every offset committed")
    alerter.stop()  # raises what the alerter's thread raised, if anything

    assert taken, "the joining member took no partition: no rebalance happened"
    assert max(Counter(delivered_ids(webhooks, "/slack")).values()) == 1
    assert topics.read(topics.dlq) == []
