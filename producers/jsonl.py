"""The no-broker sink: one NDJSON line per record, each carrying its topic, key and timestamp."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from producers.models import Record, rfc3339


def line(record: Record) -> bytes:
    """`{"topic": ..., "key": ..., "timestamp": ..., "value": {payload}}` plus a newline."""
    head = (
        f'{{"topic":{json.dumps(record.topic)},"key":{json.dumps(record.key)},'
        f'"timestamp":"{rfc3339(record.timestamp)}","value":'
    )
    return head.encode() + record.payload() + b"}\n"


def write(records: Iterable[Record], output: BinaryIO) -> int:
    """Write every record; returns how many were written."""
    count = 0
    for record in records:
        output.write(line(record))
        count += 1
    return count
