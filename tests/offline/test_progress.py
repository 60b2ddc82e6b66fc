"""Progress lines of long jobs: done/total, elapsed and ETA at most once per interval, and one
closing line with the step's wall time (an injected clock: no test waits)."""

from __future__ import annotations

import io

from offline.progress import Progress, tracked


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_step_reports_its_share_elapsed_time_and_eta() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress("dbt build", total=200, unit="nodes", stream=out, clock=clock)
    clock.now += 10
    progress.update(50)
    clock.now += 2  # within the interval: no line
    progress.update(60)
    clock.now += 8
    progress.update(100)
    clock.now += 20
    progress.update(200)
    assert progress.finish() == 40
    assert out.getvalue().splitlines() == [
        "dbt build: started (200 nodes)",
        "dbt build: 50/200 nodes (25%), 10 s elapsed, ETA 30 s",
        "dbt build: 100/200 nodes (50%), 20 s elapsed, ETA 20 s",
        "dbt build: 200 nodes (estimate 200), 40 s elapsed",
        "dbt build: done in 40 s (200 nodes)",
    ]


def test_no_eta_from_the_first_units_nor_past_an_estimate() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress("load", total=1000, unit="events", stream=out, clock=clock)
    clock.now += 30
    progress.update(10)  # 1 %: start-up, not a rate to extrapolate
    clock.now += 30
    progress.update(1200)  # the total was an estimate
    lines = out.getvalue().splitlines()
    assert lines[1] == "load: 10/1000 events (1%), 30 s elapsed"
    assert lines[2] == "load: 1200 events (estimate 1000), 1 min 00 s elapsed"


def test_tracked_counts_what_is_drawn() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress("score", unit="rows", stream=out, clock=clock, interval_s=0)
    assert list(tracked(iter("abc"), progress)) == ["a", "b", "c"]
    assert progress.done == 3
    assert out.getvalue().splitlines()[-1] == "score: 3 rows, 0 s elapsed"
