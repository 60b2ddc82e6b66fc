"""When a backtest's history ends: a fixed hour of the current UTC day, not the wall clock.

The figures of a replay then depend only on the seed and the settings (the producer draws every
value from the seed, and times are offsets from the start), and its one-day windows (Card
Precision@100 per day) cut the history the same way on every run. The views keep rows newer than
NOW() - retention (at least 24 h), so the history must stay within the last day: it starts at
01:00 UTC today, which a run crossing midnight still keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

HISTORY_START = timedelta(hours=1)


def history_end(span: timedelta, now: datetime) -> datetime:
    """The end of a history of `span` that starts HISTORY_START after today's UTC midnight."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + HISTORY_START + span
