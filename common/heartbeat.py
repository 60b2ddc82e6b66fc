"""Liveness of a service's loop: the loop touches a file, the container's healthcheck checks its
age (`python -m common.heartbeat MAX_AGE_S`). The file is HEARTBEAT_FILE, which the images set
under a tmpfs (their root file system is read-only); unset, there is no heartbeat."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

HEARTBEAT_ENV = "HEARTBEAT_FILE"
# The loop touches the file at most this often; a healthcheck's max age must exceed it.
INTERVAL_S = 5.0

log = logging.getLogger(__name__)


class Heartbeat:
    """`beat()` from the loop on every turn; the file is touched at most every `interval_s`."""

    def __init__(
        self,
        path: Path | None,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self._interval_s = interval_s
        self._clock = clock
        self._last: float | None = None

    @classmethod
    def from_env(cls) -> Heartbeat:
        value = os.environ.get(HEARTBEAT_ENV, "")
        return cls(Path(value) if value else None)

    def beat(self) -> None:
        if self.path is None:
            return
        now = self._clock()
        if self._last is not None and now - self._last < self._interval_s:
            return
        self._last = now
        try:
            self.path.touch()
        except OSError as error:  # the healthcheck then reports it; the work goes on
            log.warning("cannot touch the heartbeat file %s: %s", self.path, error)


def age_s(path: Path, now: float | None = None) -> float | None:
    """Seconds since the file was last touched; None when it does not exist."""
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - touched


def main(argv: list[str]) -> int:
    """Exit 0 when HEARTBEAT_FILE was touched within MAX_AGE_S seconds, else 1 with one line."""
    if len(argv) != 1:
        print("usage: python -m common.heartbeat MAX_AGE_S", file=sys.stderr)
        return 2
    max_age_s = float(argv[0])
    value = os.environ.get(HEARTBEAT_ENV, "")
    if not value:
        print(f"{HEARTBEAT_ENV} is not set", file=sys.stderr)
        return 1
    age = age_s(Path(value))
    if age is None:
        print(f"no heartbeat yet at {value}", file=sys.stderr)
        return 1
    if age > max_age_s:
        print(f"loop stalled: last beat {age:.0f} s ago (max {max_age_s:g} s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
