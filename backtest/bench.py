"""`python -m backtest.bench`: replay throughput of the SQL layer at 100k and 1M events.

Generation is excluded (it is the producer's cost, see `make bench`); the figure is loading plus
`dbt build`. The SQL layer must scale about linearly: 10x the events in at most 12x the time.
"""

from __future__ import annotations

import argparse
import sys

from backtest.replay import ReplayResult, run
from producers.settings import DENSE_FLAT, Settings

SIZES = (100_000, 1_000_000)
MAX_TIME_RATIO = 12.0


def _line(result: ReplayResult) -> str:
    detections = sum(row["detections"] for row in result.report.signals)
    return (
        f"{result.events:>9} events  {detections:>6} detections"
        f"  load {result.load_s:7.1f} s  dbt {result.dbt_s:7.1f} s"
        f"  total {result.elapsed_s:7.1f} s  {result.events_per_s:9.0f} events/s"
        f"  (generation {result.generate_s:.1f} s, not counted)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backtest.bench", description=__doc__)
    parser.add_argument("--seed", type=int, default=42, help="SEED of the generated history")
    args = parser.parse_args(argv)
    settings = Settings(_env_file=None, **DENSE_FLAT, sink="jsonl", seed=args.seed, fraud_rate=0.1)
    results = []
    for size in SIZES:
        result = run(settings, events=size)
        print(_line(result), flush=True)
        results.append(result)
    small, large = results
    ratio = large.elapsed_s / small.elapsed_s
    verdict = "ok" if ratio <= MAX_TIME_RATIO else "NOT linear"
    print(f"time ratio {large.events // small.events}x events: {ratio:.1f}x ({verdict})")
    return 0 if ratio <= MAX_TIME_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
