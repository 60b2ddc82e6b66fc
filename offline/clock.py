"""The replay's clock: what NOW() returns to the detection SQL on PostgreSQL.

The views bound their state with NOW() (temporal filters). A replay evaluates them at a moment of
its choosing: a function `now()` in a schema of its own, searched before pg_catalog by the dbt
sessions (PostgreSQL looks in pg_catalog first only when the search path does not name it).
The SQL stays the SQL users run; only what NOW() returns is injected.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from psycopg2.extensions import connection as Connection
from psycopg2.sql import SQL, Identifier, Literal

CLOCK_SCHEMA = "replay_clock"
# libpq options of every session that must see the replay's clock (dbt's, via PGOPTIONS).
SESSION_OPTIONS = f"-c search_path={CLOCK_SCHEMA},pg_catalog,public"


def set_clock(conn: Connection, moment: datetime) -> None:
    """From now on NOW() is `moment` in sessions opened with SESSION_OPTIONS."""
    if moment.tzinfo is None:
        raise ValueError("the replay clock needs a timezone-aware moment")
    with conn.cursor() as cursor:
        cursor.execute(SQL("create schema if not exists {}").format(Identifier(CLOCK_SCHEMA)))
        cursor.execute(
            SQL(
                "create or replace function {}.now() returns timestamptz"
                " language sql stable as $$ select {}::timestamptz $$"
            ).format(Identifier(CLOCK_SCHEMA), Literal(moment.isoformat()))
        )
    conn.commit()


# A report's history starts this long after the current UTC day's midnight (history_end).
HISTORY_START = timedelta(hours=1)


def history_end(span: timedelta, now: datetime) -> datetime:
    """The end of a history of `span` that starts HISTORY_START after today's UTC midnight.

    A report's figures then depend only on the seed and the settings (the producer draws every
    value from the seed, times are offsets from the start, and the views are evaluated at the
    end), and its one-day windows (Card Precision@100 per day) cut the history the same way on
    every run of the day.
    """
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + HISTORY_START + span
