"""Idempotency by event_id: the first decision of an event is the answer to every retry.

A retry that arrives while the first request is still being decided waits for that decision
instead of making a second one, so two identical requests give one decision and one message.
The same event_id with a different transaction is refused (409). The ledger is in memory and
bounded (oldest decisions forgotten first); see docs/decisions.md for what a restart means.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


class IdempotencyConflict(Exception):
    """The event_id was decided for another transaction."""


@dataclass
class _Entry:
    fingerprint: str
    decision: asyncio.Future[dict[str, Any]]


def fingerprint(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


class Ledger:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def begin(self, event_id: str, print_: str) -> tuple[asyncio.Future[dict[str, Any]], bool]:
        """The future holding the event's decision, and whether this caller must make it."""
        entry = self._entries.get(event_id)
        if entry is not None:
            if entry.fingerprint != print_:
                raise IdempotencyConflict(
                    f"event_id {event_id!r} was already decided for a different transaction"
                )
            return entry.decision, False
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._entries[event_id] = _Entry(print_, future)
        while len(self._entries) > self._capacity:
            oldest, first = next(iter(self._entries.items()))
            if not first.decision.done():
                break  # never forget a decision still being made
            del self._entries[oldest]
        return future, True

    def abandon(self, event_id: str, error: BaseException) -> None:
        """The maker failed: waiting retries get the error, later ones decide afresh."""
        entry = self._entries.pop(event_id, None)
        if entry is not None and not entry.decision.done():
            entry.decision.set_exception(error)
            # Nobody may be waiting: do not let asyncio warn about an unretrieved exception.
            entry.decision.exception()

    def get(self, event_id: str) -> dict[str, Any] | None:
        entry = self._entries.get(event_id)
        if entry is None or not entry.decision.done() or entry.decision.exception():
            return None
        return entry.decision.result()
