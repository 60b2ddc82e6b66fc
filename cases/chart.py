"""The case page's timeline chart: the account's events and the signals on one time axis, as SVG.

Rendered on the server (no script, no chart library): one lane per kind of event and one per
signal type; every mark carries a <title>, which the browser shows on hover.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

from cases import labels

Row = dict[str, Any]

WIDTH = 1000
LABEL_W = 170
LANE_H = 26
AXIS_H = 24
PAD = 10
TICKS = 6
FLAGGED = "#b3261e"
NORMAL = "#6b7587"
SIGNAL = "#d9730d"


def _x(at: datetime, start: datetime, span: float) -> float:
    share = (at - start).total_seconds() / span if span > 0 else 0.5
    return LABEL_W + PAD + share * (WIDTH - LABEL_W - 2 * PAD)


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def timeline_svg(
    transactions: list[Row],
    flagged: dict[str, list[str]],
    logins: list[Row],
    alerts: list[Row],
    signals: list[Row],
) -> Markup:
    """The chart; `flagged` maps a transaction's event id to the signal types it is behind."""
    moments = [row["event_time"] for row in (*transactions, *logins, *alerts)]
    moments += [row["detected_at"] for row in signals]
    moments += [row["first_event_at"] for row in signals if row.get("first_event_at")]
    if not moments:
        return Markup("")
    start, end = min(moments), max(moments)
    if end - start < timedelta(minutes=1):
        start, end = start - timedelta(seconds=30), end + timedelta(seconds=30)
    span = (end - start).total_seconds()
    signal_types = sorted({row["signal_type"] for row in signals}, key=labels.signal)
    lanes = ["Transactions", "Logins", "Alerts", *(labels.signal(code) for code in signal_types)]
    height = AXIS_H + LANE_H * len(lanes) + PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline-chart" role="img"'
        f' viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' aria-label="Timeline of the account\'s events and signals">'
    ]
    for index, lane in enumerate(lanes):
        top = AXIS_H + index * LANE_H
        fill = "#f3f4f7" if index % 2 else "#ffffff"
        parts.append(f'<rect x="0" y="{top}" width="{WIDTH}" height="{LANE_H}" fill="{fill}"/>')
        parts.append(
            f'<text x="6" y="{top + LANE_H * 0.65:.0f}" font-size="12" fill="#1d2330">'
            f"{escape(lane)}</text>"
        )
    for tick in range(TICKS + 1):
        at = start + timedelta(seconds=span * tick / TICKS)
        x = _x(at, start, span)
        anchor = "end" if tick == TICKS else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{AXIS_H - 4}" x2="{x:.1f}" y2="{height - PAD}"'
            ' stroke="#d5d9e0" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{AXIS_H - 8}" font-size="11" text-anchor="{anchor}"'
            f' fill="#4a5263">{at.strftime("%H:%M:%S")}</text>'
        )

    def lane_y(index: int) -> float:
        return AXIS_H + index * LANE_H + LANE_H / 2

    largest = max((float(row["amount"]) for row in transactions), default=1.0) or 1.0
    for row in transactions:
        types = flagged.get(row["event_id"], [])
        radius = 2.5 + 5 * math.sqrt(max(float(row["amount"]), 0) / largest)
        colour = FLAGGED if types else NORMAL
        why = f" (behind {', '.join(labels.signal(code) for code in types)})" if types else ""
        text = (
            f"{labels.clock(row['event_time'])} {labels.money(row['amount'], row['currency'])}"
            f" {labels.channel(row['channel'])} at {row['merchant_name']}{why}"
        )
        parts.append(
            f'<circle cx="{_x(row["event_time"], start, span):.1f}" cy="{lane_y(0):.1f}"'
            f' r="{radius:.1f}" fill="{colour}" fill-opacity="0.75">{_title(text)}</circle>'
        )
    for row in logins:
        x = _x(row["event_time"], start, span)
        ok = row["success"]
        text = (
            f"{labels.clock(row['event_time'])} sign-in {'succeeded' if ok else 'failed'}"
            f" from {row['city']}{' on a new device' if row['is_new_device'] else ''}"
        )
        colour = NORMAL if ok else FLAGGED
        y = lane_y(1)
        parts.append(
            f'<rect x="{x - 1.5:.1f}" y="{y - 7:.1f}" width="3" height="14" fill="{colour}">'
            f"{_title(text)}</rect>"
        )
    for row in alerts:
        x, y = _x(row["event_time"], start, span), lane_y(2)
        text = f"{labels.clock(row['event_time'])} alert {row['alert_type']} ({row['severity']})"
        parts.append(
            f'<path d="M{x:.1f} {y - 7:.1f} L{x + 6:.1f} {y + 5:.1f} L{x - 6:.1f} {y + 5:.1f} Z"'
            f' fill="{SIGNAL}">{_title(text)}</path>'
        )
    for row in signals:
        y = lane_y(3 + signal_types.index(row["signal_type"]))
        x = _x(row["detected_at"], start, span)
        first = row.get("first_event_at") or row["detected_at"]
        text = f"{labels.clock(row['detected_at'])} {labels.signal(row['signal_type'])}: "
        text += row["reason"] or ""
        parts.append(
            f'<line x1="{_x(first, start, span):.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{y:.1f}"'
            f' stroke="{FLAGGED}" stroke-width="3" stroke-opacity="0.45"/>'
            f'<path class="signal-mark" d="M{x:.1f} {y - 7:.1f} L{x + 7:.1f} {y:.1f}'
            f' L{x:.1f} {y + 7:.1f} L{x - 7:.1f} {y:.1f} Z" fill="{FLAGGED}">'
            f"{_title(text)}</path>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
