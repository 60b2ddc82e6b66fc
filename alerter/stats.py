"""Counters behind the periodic summary line."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class DestinationCounts:
    received: int = 0  # alerts queued for this destination
    sent: int = 0  # alerts delivered as a message of their own
    digested: int = 0  # alerts delivered inside a digest
    digests: int = 0  # digest messages delivered
    failed: int = 0  # alerts dead-lettered


@dataclass
class StreamCounts:
    consumed: int = 0  # valid case messages read
    filtered: int = 0  # below the policy's severity or outside its categories
    duplicates: int = 0  # every destination had already handled the alert
    invalid: int = 0  # not a valid case message (dead-lettered)


@dataclass
class Stats:
    """Thread-safe tallies; `bump` is the only writer."""

    stream: StreamCounts = field(default_factory=StreamCounts)
    destinations: dict[str, DestinationCounts] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self, counter: str, amount: int = 1, destination: str | None = None) -> None:
        with self._lock:
            if destination is None:
                target: object = self.stream
            else:
                target = self.destinations.setdefault(destination, DestinationCounts())
            setattr(target, counter, getattr(target, counter) + amount)

    def summary(self, held: Mapping[str, int]) -> str:
        """One line: stream totals, then per destination received/sent/held/digested/failed."""
        with self._lock:
            stream = self.stream
            parts = [
                f"consumed={stream.consumed} filtered={stream.filtered}"
                f" duplicates={stream.duplicates} invalid={stream.invalid}"
            ]
            for name in sorted(held):
                counts = self.destinations.get(name, DestinationCounts())
                parts.append(
                    f"{name}: received={counts.received} sent={counts.sent} held={held[name]}"
                    f" digested={counts.digested} in {counts.digests} digests"
                    f" failed={counts.failed}"
                )
        return "summary " + " | ".join(parts)
