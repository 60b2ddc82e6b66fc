"""Recorded events as loader messages: NDJSON as the producer writes it (`python -m producers
--sink jsonl`) or as `rpk topic consume` prints it.

Producer lines carry the payload as an object and an RFC 3339 timestamp; rpk records carry it as
a string and the Kafka timestamp in epoch milliseconds (plus key, partition, offset), one per
line or pretty-printed over several lines ("{" ... "}"). Each record may use either form. A record
that cannot become a message is counted by reason, with its line number, never dropped silently;
a payload that is not valid event JSON is loaded and rejected by the views like a live one.
A field of the wrong JSON type (a number where the schema says varchar, say) is loaded as NULL
(offline.convert, strict) so the views reject the row by their own checks; scan() counts such
fields per topic and column.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from offline.convert import wrong_types
from offline.load import Message
from offline.schema import raw_columns

# How many bad records the report quotes by line number (all are counted).
EXAMPLES = 5


class RecordedInputError(ValueError):
    """The file cannot be read at all (missing, unreadable, or without one usable record)."""


@dataclass
class InputStats:
    """What reading a recorded file found."""

    path: str
    records: int = 0
    loaded: int = 0
    bad: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    # "topic.column" -> loaded records whose value there has the wrong JSON type (loaded as NULL).
    wrong_types: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None

    @property
    def span(self) -> timedelta:
        if self.first is None or self.last is None:
            return timedelta(0)
        return self.last - self.first

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "records": self.records,
            "loaded": self.loaded,
            "bad_records": sum(self.bad.values()),
            "bad_by_reason": dict(sorted(self.bad.items())),
            "bad_examples": self.examples,
            "wrong_types": dict(sorted(self.wrong_types.items())),
            "first_timestamp": self.first.isoformat() if self.first else None,
            "last_timestamp": self.last.isoformat() if self.last else None,
        }


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    return None


def _message(text: str) -> Message | str:
    """The message a record's text describes, or why it cannot be one."""
    try:
        document = json.loads(text)
    except ValueError:
        return "not JSON"
    if not isinstance(document, dict):
        return "not a JSON object"
    topic = document.get("topic")
    if not isinstance(topic, str) or not topic:
        return "no topic"
    if topic not in raw_columns():
        return f"unknown topic {topic[:40]!r}"
    if "value" not in document:
        return "no value"
    value = document["value"]
    if isinstance(value, dict):  # the producer's form: the payload itself
        payload: bytes | None = json.dumps(value, separators=(",", ":")).encode()
    elif isinstance(value, str):  # rpk's form: the payload as text
        payload = value.encode()
    elif value is None:  # a tombstone: the loader skips and counts it, as RisingWave does
        payload = None
    else:
        return "value is neither an object nor a string"
    moment = _timestamp(document.get("timestamp"))
    if moment is None:
        return "no valid timestamp (RFC 3339 with offset, or epoch ms)"
    return Message(topic, moment, payload)


def _records(path: Path) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each record: one line, or a pretty-printed "{" .. "}" block."""
    block: list[str] = []
    start = 0
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r\n")
            if block:
                block.append(line)
                if line == "}":
                    yield start, "\n".join(block)
                    block = []
                continue
            if line == "{":
                block, start = [line], number
            elif line.strip():
                yield number, line
    if block:
        yield start, "\n".join(block)


def scan(path: Path) -> InputStats:
    """Read the file once: count records, bad records by reason, and the time range."""
    if not path.is_file():
        raise RecordedInputError(f"INPUT: no such file {str(path)!r}")
    stats = InputStats(str(path))
    for number, text in _records(path):
        stats.records += 1
        result = _message(text)
        if isinstance(result, str):
            stats.bad[result] += 1
            if len(stats.examples) < EXAMPLES:
                stats.examples.append(f"line {number}: {result}")
            continue
        stats.loaded += 1
        for name in wrong_types(result.value, raw_columns()[result.topic]):
            stats.wrong_types[f"{result.topic}.{name}"] += 1
        stats.first = min(stats.first or result.timestamp, result.timestamp)
        stats.last = max(stats.last or result.timestamp, result.timestamp)
    if stats.loaded == 0:
        raise RecordedInputError(
            f"INPUT: no usable record in {str(path)!r} ({stats.records} read, all bad:"
            f" {', '.join(stats.examples) or 'empty file'})"
        )
    return stats


def messages(path: Path) -> Iterator[Message]:
    """The usable records of the file as loader messages, in file order."""
    for _, text in _records(path):
        result = _message(text)
        if not isinstance(result, str):
            yield result


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in sorted(counter.items()))


def summary(stats: InputStats, rejected: Counter[str] | None = None) -> str:
    """The printed report's lines on the file: records, bad records by reason, fields of the
    wrong type, and (`rejected`, "topic: reason" -> rows) what the views rejected by reason."""
    line = f"Input: {stats.path}: {stats.records} records, {stats.loaded} loaded"
    bad = sum(stats.bad.values())
    if not bad:
        line += ", 0 bad"
    else:
        line += f", {bad} bad ({_counts(stats.bad)}; first: {'; '.join(stats.examples)})"
    lines = [line]
    if stats.wrong_types:
        lines.append(
            f"Input: {sum(stats.wrong_types.values())} fields of the wrong type, loaded as NULL"
            f" ({_counts(stats.wrong_types)})"
        )
    if rejected is not None:
        total = sum(rejected.values())
        lines.append(
            f"Input: {total} rows rejected by the views"
            + (f" ({_counts(rejected)})" if total else "")
        )
    return "\n".join(lines)
