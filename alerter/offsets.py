"""Which consumed offsets may be committed: only those whose alerts are all settled.

Alerts finish out of order (destinations run in parallel, digests settle many at once), so a
partition's commit position only advances over a contiguous run of settled offsets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from kafka.structs import OffsetAndMetadata, TopicPartition

Settle = Callable[[], None]


class OffsetTracker:
    """Thread-safe: the consumer thread adds offsets, destination threads settle them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Per partition, offsets in consumption order -> alerts still unsettled.
        self._open: dict[TopicPartition, dict[int, int]] = {}
        self._committed: dict[TopicPartition, int] = {}

    def seen(self, partition: TopicPartition, offset: int) -> bool:
        """True for an offset already tracked or committed (a re-fetch after a rebalance)."""
        with self._lock:
            return offset in self._open.get(partition, {}) or offset < self._committed.get(
                partition, -1
            )

    def add(self, partition: TopicPartition, offset: int, parts: int) -> list[Settle]:
        """Track an offset with `parts` alerts to settle; returns one settle callback per part."""
        with self._lock:
            self._open.setdefault(partition, {})[offset] = parts
        return [self._settler(partition, offset) for _ in range(parts)]

    def _settler(self, partition: TopicPartition, offset: int) -> Settle:
        def settle() -> None:
            with self._lock:
                offsets = self._open.get(partition)
                if offsets is not None and offset in offsets:
                    offsets[offset] -= 1

        return settle

    def committable(self) -> dict[TopicPartition, OffsetAndMetadata]:
        """The next position of every partition that advanced since the last call."""
        positions: dict[TopicPartition, OffsetAndMetadata] = {}
        with self._lock:
            for partition, offsets in self._open.items():
                settled = None
                for offset, remaining in offsets.items():
                    if remaining > 0:
                        break
                    settled = offset
                if settled is None:
                    continue
                for offset in [offset for offset in offsets if offset <= settled]:
                    del offsets[offset]
                self._committed[partition] = settled + 1
                positions[partition] = OffsetAndMetadata(settled + 1, "", -1)
        return positions

    def pending(self) -> int:
        """Offsets consumed but not yet committable."""
        with self._lock:
            return sum(len(offsets) for offsets in self._open.values())

    def retain(self, partitions: Iterable[TopicPartition]) -> None:
        """Drop every partition but these (the consumer's assignment after a rebalance)."""
        kept = set(partitions)
        with self._lock:
            for partition in set(self._open) - kept:
                del self._open[partition]
            for partition in set(self._committed) - kept:
                del self._committed[partition]
