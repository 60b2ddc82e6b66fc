"""`python -m scoring.bench`: scorer throughput (records/s on one core) and scoring latency per
batch (p50/p99), without a broker.

The records are real mv_transaction_features rows: a short seeded realistic replay through the
shared SQL, on which a model is trained first (as `make train` does). Each batch goes through
what the service does between poll and publish: JSON decoding, scoring (XGBoost + Isolation
Forest, top feature of high scores), drift windows, and JSON encoding of every score.
"""

from __future__ import annotations

import os

# One core: the libraries' thread pools are sized before they are imported.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import NamedTuple  # noqa: E402

import numpy as np  # noqa: E402
from kafka.structs import TopicPartition  # noqa: E402

from scoring.dataset import replay_dataset  # noqa: E402
from scoring.offline import replay_end, world  # noqa: E402
from scoring.service import ScorerLoop  # noqa: E402
from scoring.settings import ScoringSettings  # noqa: E402
from scoring.train import TrainingRun, train  # noqa: E402

TARGET_RECORDS_PER_SECOND = 20_000


def _encoded(records: list[dict]) -> list[bytes]:
    def plain(value: object) -> object:
        return value.isoformat() if isinstance(value, datetime) else value

    return [json.dumps({k: plain(v) for k, v in record.items()}).encode() for record in records]


_PARTITION = TopicPartition("transaction_features", 0)


class _Message(NamedTuple):
    value: bytes
    offset: int


class _Sink:
    """Stands in for the producer and consumer: counts what would be published."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, topic: str, key: bytes, value: bytes) -> _Sink:
        self.sent += 1
        return self

    def get(self, timeout: float) -> None:
        return None

    def commit(self, positions: object) -> None:
        return None

    def assignment(self) -> set[TopicPartition]:
        return {_PARTITION}

    def highwater(self, partition: TopicPartition) -> None:
        return None  # never caught up: the records keep coming


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scoring.bench", description=__doc__)
    parser.add_argument("--records", type=int, default=200_000, help="records to score")
    parser.add_argument("--minutes", type=float, default=5.0, help="replay the records come from")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    settings = world(seed=42, fraud_rate=0.1, rate=10.0, pool=300)
    with (
        tempfile.TemporaryDirectory(prefix="scoring-bench-") as work,
        replay_dataset(
            settings, minutes=args.minutes, end=replay_end(args.minutes), work_dir=Path(work)
        ) as dataset,
    ):
        model = train("bench", dataset, TrainingRun(42, args.minutes, "realistic", 0.1, 0.7, 0.5))
        messages = _encoded(dataset.records)
    model.booster.set_param({"nthread": 1})
    scoring = ScoringSettings(_env_file=None)
    sink = _Sink()
    loop = ScorerLoop(sink, sink, model, scoring, stopping=None)  # type: ignore[arg-type]
    batch = scoring.batch_max_records
    latencies = []
    done = 0
    started = time.perf_counter()
    while done < args.records:
        offset = done % len(messages)
        chunk = messages[offset : offset + batch]
        began = time.perf_counter()
        loop.handle({_PARTITION: [_Message(value, offset + i) for i, value in enumerate(chunk)]})
        latencies.append(time.perf_counter() - began)
        done += len(chunk)
    elapsed = time.perf_counter() - started
    rate = done / elapsed
    p50, p99 = (float(np.percentile(latencies, q)) * 1000 for q in (50, 99))
    verdict = "meets" if rate >= TARGET_RECORDS_PER_SECOND else "MISSES"
    print(
        f"score: {done} records in {elapsed:.2f} s = {rate:,.0f} records/s on one core"
        f" ({verdict} the {TARGET_RECORDS_PER_SECOND:,}/s target); batches of {batch}:"
        f" p50 {p50:.1f} ms, p99 {p99:.1f} ms; {len(messages)} distinct replayed records,"
        f" {sink.sent} messages"
    )


if __name__ == "__main__":
    main()
