"""Message bodies: a Slack Block Kit message and a flat JSON event for SIEMs.

One alert renders as one message; a digest renders many alerts as one message. Slack limits
(section text 3000 chars, 50 blocks, header 150 chars) are respected by the shapes below together
with `digest_max_alerts` <= 200.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from alerter.cases import FraudCase, severity_rank

SOURCE = "fraud-alerter"
_LINES_PER_SECTION = 10
_HEADER_ICON = {"critical": ":rotating_light:", "high": ":warning:"}
_HEADER_MAX = 150
_CONTEXT_MAX = 3000


def _mrkdwn(text: str) -> str:
    # Slack reads &, < and > as control characters in mrkdwn.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reasons(case: FraudCase) -> str:
    return ", ".join(case.reason_codes) or "none"


def _timestamp(case_time: Any) -> str:
    return case_time.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def siem_event(case: FraudCase) -> dict[str, Any]:
    """The flat JSON event of one alert; `alert_id` lets a receiver drop a repeat."""
    return {
        "event_type": "fraud_case_alert",
        "source": SOURCE,
        "alert_id": case.alert_id,
        "case_id": case.case_id,
        "severity": case.severity,
        "account_id": case.account_id,
        "customer_id": case.customer_id,
        "risk_score": float(case.risk_score),
        "recommended_action": case.recommended_action,
        "reason_codes": ",".join(case.reason_codes),
        "opened_at": _timestamp(case.opened_at),
        "updated_at": _timestamp(case.updated_at),
    }


def siem_body(cases: Sequence[FraudCase]) -> bytes:
    """One flat event, or a digest event wrapping the flat events of several alerts."""
    if len(cases) == 1:
        return json.dumps(siem_event(cases[0])).encode()
    digest = {
        "event_type": "fraud_case_digest",
        "source": SOURCE,
        "alert_count": len(cases),
        "alert_ids": ",".join(case.alert_id for case in cases),
        "alerts": [siem_event(case) for case in cases],
    }
    return json.dumps(digest).encode()


def stdout_lines(cases: Sequence[FraudCase]) -> str:
    """One JSON line per alert, digest or not: stdout is read by log shippers line by line."""
    return "".join(json.dumps(siem_event(case)) + "\n" for case in cases)


def _slack_single(case: FraudCase) -> dict[str, Any]:
    icon = _HEADER_ICON.get(case.severity, ":warning:")
    # Slack refuses a header past 150 characters: the icon counts as its :name:.
    header = f"{icon} {case.severity.capitalize()} fraud case {case.case_id}"[:_HEADER_MAX]
    summary = (
        f"{case.severity.upper()} fraud case {case.case_id}: account {case.account_id},"
        f" customer {case.customer_id}, risk {case.risk_score}, reasons {_reasons(case)}."
        f" Action: {case.recommended_action}"
    )
    fields = [
        ("Account", case.account_id),
        ("Customer", case.customer_id),
        ("Risk score", str(case.risk_score)),
        ("Reasons", _reasons(case)),
    ]
    return {
        "text": _mrkdwn(summary),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": header},
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{name}*\n{_mrkdwn(value)}"[:2000]}
                    for name, value in fields
                ],
            },
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Recommended action*\n{_mrkdwn(case.recommended_action)}"[:3000],
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": (
                            f"Opened {_timestamp(case.opened_at)}"
                            f" · updated {_timestamp(case.updated_at)} · alert {case.alert_id}"
                        )[:_CONTEXT_MAX],
                    }
                ],
            },
        ],
    }


def _digest_line(case: FraudCase) -> str:
    line = (
        f"• *{case.severity}* `{case.case_id}` account {case.account_id}"
        f" customer {case.customer_id} risk {case.risk_score} ({_reasons(case)})"
    )
    return _mrkdwn(line)[:290]  # 10 lines stay under a section's 3000 characters


def _slack_digest(cases: Sequence[FraudCase]) -> dict[str, Any]:
    counts = Counter(case.severity for case in cases)
    tally = ", ".join(
        f"{counts[level]} {level}" for level in sorted(counts, key=severity_rank, reverse=True)
    )
    summary = f"Fraud case digest: {len(cases)} alerts held back by rate limiting ({tally})."
    lines = [_digest_line(case) for case in cases]
    step = _LINES_PER_SECTION
    chunks = [lines[start : start + step] for start in range(0, len(lines), step)]
    sections = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}}
        for chunk in chunks
    ]
    return {
        "text": summary,
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": f":card_index: {len(cases)} fraud alerts"},
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": summary}]},
            *sections,
        ],
    }


def slack_body(cases: Sequence[FraudCase]) -> bytes:
    """A Block Kit message with a `text` fallback (shown in notifications)."""
    message = _slack_single(cases[0]) if len(cases) == 1 else _slack_digest(cases)
    return json.dumps(message).encode()
