import json

import pytest

from alerter.payloads import siem_body, slack_body, stdout_lines
from tests.alerter.factory import alert_id, case
from tests.alerter.webhook import siem_alert_ids, slack_alert_ids


def test_the_siem_event_is_flat_json() -> None:
    event = json.loads(siem_body([case(3, severity="critical", risk_score=0.97)]))
    assert event == {
        "event_type": "fraud_case_alert",
        "source": "fraud-alerter",
        "alert_id": alert_id(3, "critical"),
        "case_id": "case-A00000003-1",
        "severity": "critical",
        "account_id": "A00000003",
        "customer_id": "C000003",
        "risk_score": 0.97,
        "recommended_action": "block card and call the customer",
        "reason_codes": "velocity,cnp_spike",
        "opened_at": "2026-11-22T10:00:00.000Z",
        "updated_at": "2026-11-22T10:00:00.000Z",
    }
    assert not any(isinstance(value, dict | list) for value in event.values())


def test_a_siem_digest_wraps_every_flat_event() -> None:
    digest = json.loads(siem_body([case(number) for number in range(1, 6)]))
    assert digest["event_type"] == "fraud_case_digest"
    assert digest["alert_count"] == 5
    assert siem_alert_ids(digest) == [alert_id(number) for number in range(1, 6)]
    assert digest["alert_ids"] == ",".join(siem_alert_ids(digest))


def test_a_slack_alert_has_a_fallback_text_and_blocks() -> None:
    message = json.loads(slack_body([case(4, severity="critical")]))
    assert message["text"].startswith("CRITICAL fraud case case-A00000004-1: account A00000004")
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    assert len(message["blocks"][0]["text"]["text"]) <= 150
    assert slack_alert_ids(message) == [alert_id(4, "critical")]


def test_a_long_case_id_keeps_a_slack_alert_within_slack_limits() -> None:
    long_case = case(5, severity="critical").model_copy(update={"case_id": "case-" + "9" * 400})
    message = json.loads(slack_body([long_case]))
    header, fields, action, context = message["blocks"]
    assert len(header["text"]["text"]) == 150
    assert header["text"]["text"].startswith(":rotating_light: Critical fraud case case-999")
    assert all(len(field["text"]) <= 2000 for field in fields["fields"])
    assert len(action["text"]["text"]) <= 3000
    assert all(len(element["text"]) <= 3000 for element in context["elements"])


def test_slack_text_is_escaped() -> None:
    message = json.loads(slack_body([case(1, reason_codes="a<b>&c")]))
    assert "a&lt;b&gt;&amp;c" in message["text"]
    assert "<b>" not in json.dumps(message)


@pytest.mark.parametrize("count", [2, 10, 11, 50, 200])
def test_a_slack_digest_lists_every_alert_within_slack_limits(count: int) -> None:
    cases = [case(number, severity="critical" if number % 3 else "high") for number in range(count)]
    message = json.loads(slack_body(cases))
    assert slack_alert_ids(message) == [item.alert_id for item in cases]
    assert len(message["blocks"]) <= 50
    sections = [block for block in message["blocks"] if block["type"] == "section"]
    assert all(len(block["text"]["text"]) <= 3000 for block in sections)
    critical = sum(1 for item in cases if item.severity == "critical")
    assert f"({critical} critical, {count - critical} high)" in message["text"]


def test_stdout_writes_one_json_line_per_alert() -> None:
    lines = stdout_lines([case(1), case(2)]).splitlines()
    assert [json.loads(line)["alert_id"] for line in lines] == [alert_id(1), alert_id(2)]
