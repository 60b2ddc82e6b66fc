"""What each Kafka client writes honours the settings: read back from the broker's own log files."""

from __future__ import annotations

import pytest
from kafka.record.default_records import DefaultRecordBatch

from producers.generator import generate
from producers.runner import run_kafka
from tests.integration.helpers import START, broker_settings, stored_batches
from tests.support.clock import FakeClock
from tests.support.kafka_broker import ExternalBroker, KafkaBroker

pytestmark = pytest.mark.integration

# Small enough that 1500 records sent at once must split into many batches per partition.
BATCH_SIZE_BYTES = 4096
# The codec ids of Kafka's record batch attributes.
CODEC = {"none": 0, "gzip": 1}


def _records_in(batch: DefaultRecordBatch) -> int:
    # From the header: iterating a compressed batch consumes it.
    return batch.last_offset_delta + 1


@pytest.mark.parametrize("compression", sorted(CODEC))
def test_batches_carry_the_compression_batch_size_and_idempotence(
    kafka_broker: KafkaBroker | ExternalBroker,
    topic_suffix: str,
    kafka_client: str,
    compression: str,
) -> None:
    if isinstance(kafka_broker, ExternalBroker):
        pytest.skip("KAFKA_BOOTSTRAP_SERVERS names a broker whose log files are not readable here")
    settings = broker_settings(
        kafka_broker.bootstrap_servers,
        kafka_client=kafka_client,
        compression_type=compression,
        batch_size_bytes=BATCH_SIZE_BYTES,
        linger_ms=200,
    )
    records = list(generate(settings, start=START, events=1500))

    assert run_kafka(settings, records, FakeClock(START), topic_suffix=topic_suffix) == 0

    batches = stored_batches(kafka_broker.data_dir, topic_suffix)
    assert sum(_records_in(batch) for batch in batches) == len(records)
    assert {batch.compression_type for batch in batches} == {CODEC[compression]}
    # An idempotent producer stamps every batch with its id and a sequence number.
    assert all(batch.producer_id >= 0 and batch.base_sequence >= 0 for batch in batches)
    # Batched (records sent within LINGER_MS share a batch), but never beyond BATCH_SIZE_BYTES.
    assert max(_records_in(batch) for batch in batches) > 1
    assert all(
        batch.size_in_bytes <= BATCH_SIZE_BYTES or _records_in(batch) == 1 for batch in batches
    )
