"""The stop flag shared by the consumer loop and the destination threads."""

from __future__ import annotations

import threading


class ServiceFailed(Exception):
    """The run ended on a failure (the reason is one line); the process exits 1."""


class Shutdown:
    """Set by a signal (clean stop) or by a lost broker (`fail`, which keeps the first reason)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.failure: str | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        self._event.set()

    def fail(self, reason: str) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = reason
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as a stop is requested."""
        return self._event.wait(seconds)
