"""Progress of long jobs on stderr: done/total, rate and ETA, at most one line per interval, and
one closing line with the step's wall time. Plain lines (no terminal control): logs and tests
read them as they are."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

Item = TypeVar("Item")

# Seconds between two progress lines of a step; PROGRESS_INTERVAL_S=0 prints every update.
INTERVAL_S = float(os.environ.get("PROGRESS_INTERVAL_S", "5"))
ETA_AFTER_SHARE = 0.05


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


class Progress:
    """One step (generation and load, dbt, scoring, training): call advance() as work is done."""

    def __init__(
        self,
        step: str,
        *,
        total: int | None = None,
        unit: str = "",
        stream: TextIO | None = None,
        interval_s: float = INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.step = step
        self.total = total
        self.unit = unit
        self.done = 0
        self._stream = stream
        self._interval_s = interval_s
        self._clock = clock
        self._started = clock()
        self._shown = self._started
        self._write(f"{step}: started" + (f" ({total} {unit})".rstrip() if total else ""))

    def _write(self, line: str) -> None:
        stream = self._stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._started

    def advance(self, count: int = 1, *, total: int | None = None) -> None:
        self.update(self.done + count, total=total)

    def update(self, done: int, *, total: int | None = None) -> None:
        """`done` units so far (of `total`, when it becomes known)."""
        self.done = done
        if total is not None:
            self.total = total
        now = self._clock()
        if now - self._shown >= self._interval_s:
            self._shown = now
            self._write(self.line())

    def line(self) -> str:
        elapsed = self.elapsed_s
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.step}: {self.done}"
        if self.total and self.done >= self.total:
            # The total was an estimate (a history's size from its rates): past it, no ETA.
            text += f" {self.unit} (estimate {self.total}), {_duration(elapsed)} elapsed"
        elif self.total:
            share = self.done / self.total
            text += f"/{self.total} {self.unit} ({share:.0%})".replace("  ", " ")
            text += f", {_duration(elapsed)} elapsed"
            # The first units often cost more than the rest (start-up): no ETA from them.
            if share >= ETA_AFTER_SHARE:
                eta = (self.total - self.done) / rate if rate > 0 else 0.0
                text += f", ETA {_duration(eta)}"
        else:
            text += f" {self.unit}, {_duration(elapsed)} elapsed".replace("  ", " ")
        return text

    def finish(self, detail: str = "") -> float:
        """The closing line; returns the step's wall time in seconds."""
        elapsed = self.elapsed_s
        count = f"{self.done} {self.unit}".strip() if self.done else ""
        parts = ", ".join(part for part in (count, detail) if part)
        self._write(f"{self.step}: done in {_duration(elapsed)}" + (f" ({parts})" if parts else ""))
        return elapsed


def tracked(items: Iterable[Item], progress: Progress) -> Iterator[Item]:
    """`items`, advancing `progress` by one per item drawn."""
    for item in items:
        progress.advance()
        yield item
