"""What every confluent-kafka (librdkafka) producer of the pipeline sets the same way: acks from
all replicas with idempotence (a retry never duplicates or reorders a key's records), Java's
partitioner (a key lands on the same partition whichever client wrote it: the producer's
kafka-python or confluent-kafka, or the decision service), and librdkafka's own lines through
logging (without a logger it writes to file descriptor 2 itself). Imports no Kafka client."""

from __future__ import annotations

import logging
from typing import Any

from common.runtime import CLIENT_LOGGERS


def producer_config(servers: str, client_id: str, **options: Any) -> dict[str, Any]:
    """The shared settings for `servers` as `client_id`, with the producer's own `options`."""
    return {
        "bootstrap.servers": servers,
        "client.id": client_id,
        "acks": "all",
        "enable.idempotence": True,
        "partitioner": "murmur2_random",
        "logger": logging.getLogger(CLIENT_LOGGERS[1]),
        **options,
    }
