"""Raw tables in PostgreSQL and bulk loading into them with COPY."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from psycopg2.extensions import connection as Connection
from psycopg2.sql import SQL, Identifier

from offline.convert import Value, decode
from offline.schema import INGESTED_AT, RAW_SCHEMA, raw_columns
from producers.models import Record

# Rows are sent to COPY in chunks so memory stays flat for million-event replays.
COPY_CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class Message:
    """One consumed message: its topic, broker timestamp and raw value bytes.

    Topics use LogAppendTime, so the timestamp is when the message reached the broker (the
    views' ingested_at), whatever the producer stamped.
    """

    topic: str
    timestamp: datetime
    value: bytes | None


@dataclass
class LoadStats:
    loaded: dict[str, int] = field(default_factory=dict)
    # Messages RisingWave would skip (not a JSON object), per topic.
    skipped: dict[str, int] = field(default_factory=dict)


def create_raw_tables(conn: Connection) -> None:
    """(Re)create raw.<topic> for every topic: payload columns plus ingested_at."""
    with conn.cursor() as cursor:
        cursor.execute(SQL("create schema if not exists {}").format(Identifier(RAW_SCHEMA)))
        for topic, columns in raw_columns().items():
            table = Identifier(RAW_SCHEMA, topic)
            definitions = [
                SQL("{} {}").format(Identifier(column.name), SQL(column.data_type))
                for column in columns
            ]
            definitions.append(SQL("{} timestamptz not null").format(Identifier(INGESTED_AT)))
            cursor.execute(SQL("drop table if exists {} cascade").format(table))
            cursor.execute(SQL("create table {} ({})").format(table, SQL(", ").join(definitions)))
    conn.commit()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _array_literal(items: list[str]) -> str:
    quoted = ('"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"' for item in items)
    return "{" + ",".join(quoted) + "}"


def _copy_field(value: Value) -> str:
    """A value in COPY text format (NULL is \\N)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return _escape(_array_literal(value))
    if isinstance(value, Decimal | float):
        return str(value)
    return _escape(value)


def _copy(conn: Connection, topic: str, lines: list[str]) -> None:
    columns = [*(column.name for column in raw_columns()[topic]), INGESTED_AT]
    statement = SQL("copy {} ({}) from stdin").format(
        Identifier(RAW_SCHEMA, topic), SQL(", ").join(map(Identifier, columns))
    )
    with conn.cursor() as cursor:
        cursor.copy_expert(statement.as_string(conn), io.StringIO("".join(lines)))


def load_messages(
    conn: Connection, messages: Iterable[Message], *, strict: bool = False
) -> LoadStats:
    """Decode every message leniently (as RisingWave does; `strict`: a varchar only from a JSON
    string, offline.convert) and COPY it into its raw table."""
    stats = LoadStats()
    columns_by_topic = raw_columns()
    pending: dict[str, list[str]] = {topic: [] for topic in columns_by_topic}
    for message in messages:
        columns = columns_by_topic.get(message.topic)
        if columns is None:
            continue
        row = decode(message.value, columns, strict=strict)
        if row is None:
            stats.skipped[message.topic] = stats.skipped.get(message.topic, 0) + 1
            continue
        fields = [*map(_copy_field, row), message.timestamp.isoformat()]
        lines = pending[message.topic]
        lines.append("\t".join(fields) + "\n")
        stats.loaded[message.topic] = stats.loaded.get(message.topic, 0) + 1
        if len(lines) >= COPY_CHUNK_ROWS:
            _copy(conn, message.topic, lines)
            lines.clear()
    for topic, lines in pending.items():
        if lines:
            _copy(conn, topic, lines)
    conn.commit()
    return stats


def records_as_messages(records: Iterable[Record]) -> Iterator[Message]:
    """Producer records as the messages the broker would deliver (value = payload bytes).

    Each arrives when the producer sends it, and the producer sends a record when its clock
    reaches the record's timestamp (producers.runner), so that is the broker's append time.
    """
    for record in records:
        yield Message(record.topic, record.timestamp, record.payload())
