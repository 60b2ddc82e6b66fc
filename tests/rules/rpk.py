"""Records as `rpk topic consume` prints them (its default JSON format): topic, key, the value as
a string, the Kafka timestamp in epoch ms, partition and offset; pretty-printed over several
lines unless `compact`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from producers.models import Record
from producers.publishers.base import timestamp_ms


def rpk_lines(records: Iterable[Record], *, compact: bool = False) -> str:
    offsets: dict[str, int] = {}
    out = []
    for record in records:
        offset = offsets.get(record.topic, 0)
        offsets[record.topic] = offset + 1
        document = {
            "topic": record.topic,
            "key": record.key,
            "value": record.payload().decode(),
            "timestamp": timestamp_ms(record.timestamp),
            "partition": 0,
            "offset": offset,
        }
        out.append(json.dumps(document) if compact else json.dumps(document, indent=2))
    return "\n".join(out) + "\n"


def rpk_from_producer(ndjson: bytes, *, compact: bool = False) -> str:
    """The records of a producer NDJSON file as rpk prints them after they went through Kafka:
    the payload bytes exactly as the producer sent them, the timestamp in epoch ms."""
    out = []
    offsets: dict[str, int] = {}
    for line in ndjson.splitlines():
        head = json.loads(line)
        payload = line[line.index(b'"value":') + len(b'"value":') : -1]
        moment = datetime.fromisoformat(head["timestamp"])
        offset = offsets.get(head["topic"], 0)
        offsets[head["topic"]] = offset + 1
        document = {
            "topic": head["topic"],
            "key": head["key"],
            "value": payload.decode(),
            "timestamp": timestamp_ms(moment),
            "partition": 0,
            "offset": offset,
        }
        out.append(json.dumps(document) if compact else json.dumps(document, indent=2))
    return "\n".join(out) + "\n"
