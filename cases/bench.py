"""`python -m cases.bench`: how fast the analyst page answers on the demo's replayed hour.

Renders the queue (every open case on one page, triage order, and sorted by risk) and the case
pages of the first cases in triage order, in this process through the app (HTTP framework,
store, SQL, templates; no network), and prints median, 95th percentile and worst times. The
database is the kept one of `make demo` (replayed first when missing).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable

from cases import demo
from cases.security import hash_token

QUEUE_SIZE = 500
BUDGET_MS = 300.0
TOKEN = "cst_bench-token"


def _timed(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _line(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    verdict = "within" if p95 < BUDGET_MS else "OVER"
    return (
        f"{name:<34} n={len(times):<3} median {statistics.median(times):6.0f} ms"
        f"  p95 {p95:6.0f} ms  worst {max(times):6.0f} ms  ({verdict} {BUDGET_MS:.0f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    command = demo.parser("python -m cases.bench")
    command.add_argument("--cases", type=int, default=30, help="case pages to render")
    command.add_argument("--repeat", type=int, default=10, help="renders of the queue")
    args = demo.parse(command, argv)
    from fastapi.testclient import TestClient

    from cases.app import create_app
    from cases.settings import CaseServiceSettings

    with demo.kept_database(args) as dsn:
        settings = CaseServiceSettings(
            _env_file=None,
            database_url=dsn,
            tokens=f"bench:viewer:{hash_token(TOKEN)}",
            page_size=QUEUE_SIZE,
            max_page_size=QUEUE_SIZE,
        )
        with TestClient(create_app(settings)) as client:
            client.headers["Authorization"] = f"Bearer {TOKEN}"

            def get(url: str) -> str:
                response = client.get(url)
                response.raise_for_status()
                return response.text

            page = get("/ui/cases")  # warm-up: connections, template compilation
            case_ids = re.findall(r'data-case-id="([^"]+)"', page)
            print(f"queue: {len(case_ids)} open cases on one page", file=sys.stderr)
            lines = [
                _line("queue, triage order", _timed(lambda: get("/ui/cases"), args.repeat)),
                _line(
                    "queue, sorted by risk",
                    _timed(lambda: get("/ui/cases?sort=risk&dir=desc"), args.repeat),
                ),
            ]
            picked = case_ids[: args.cases]
            pages = iter(picked)
            lines.append(
                _line("case page", _timed(lambda: get(f"/ui/cases/{next(pages)}"), len(picked)))
            )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
