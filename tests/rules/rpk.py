"""Records as `rpk topic consume` prints them (its default JSON format): topic, key, the value as
a string, the Kafka timestamp in epoch ms, partition and offset; pretty-printed over several
lines unless `compact`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from producers.models import Record
from producers.publisher import timestamp_ms


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
