"""`python -m rules`: validate, compare, backtest, shadow, promote and roll back rule sets.

Rule sets are rules/<version>.yml; rules/active names the live one (docs/rules.md).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg2
from pydantic import ValidationError

from common import cli
from offline import recorded
from offline.database import open_database
from offline.dbt import DbtError
from offline.history_settings import load_settings, settings_line
from offline.load import records_as_messages
from offline.replay import history, history_span
from producers.settings import Settings
from rules import compare, deploy, diff, store
from rules import history as rule_history
from rules.schema import RuleSetError

EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = cli.parser("python -m rules", __doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check every rule set file and rules/active")
    show = commands.add_parser("vars", help="a rule set as dbt --vars JSON (default: active)")
    show.add_argument("version", nargs="?")
    between = commands.add_parser("diff", help="the rules that differ between two versions")
    between.add_argument("a")
    between.add_argument("b")

    backtest = commands.add_parser("backtest", help="active rules vs a candidate, same history")
    backtest.add_argument("candidate")
    backtest.add_argument("--active", help="compare against this version instead of the active")
    source = backtest.add_mutually_exclusive_group()
    source.add_argument("--minutes", type=float, help="minutes of generated history (default 60)")
    source.add_argument("--input", type=Path, help="recorded NDJSON (producer or rpk format)")
    backtest.add_argument("--fraud-rate", type=float, help="FRAUD_RATE of generated history")
    backtest.add_argument("--seed", type=int, help="SEED of generated history")
    backtest.add_argument("--world", help="WORLD of generated history: clean or realistic")
    backtest.add_argument("--activity", help="ACTIVITY of generated history: flat or cycles")
    backtest.add_argument(
        "--transaction-rate", type=float, help="TRANSACTION_RATE of generated history"
    )
    backtest.add_argument(
        "--customer-pool-size", type=int, help="CUSTOMER_POOL_SIZE (0 = from the rate)"
    )
    backtest.add_argument("--lookalike-rate", type=float, help="LOOKALIKE_RATE of history")
    backtest.add_argument("--report", type=Path, help="write the JSON comparison to this file")

    for name, text in (
        ("shadow", "deploy a candidate's signal views beside the live ones"),
        ("promote", "make a version live: rebuild the views it changes, record the change"),
        ("rollback", "return to the version before the latest promote, record the change"),
        ("history", "print the rule history"),
    ):
        command = commands.add_parser(name, help=text)
        if name in {"shadow", "promote"}:
            command.add_argument("version")
        if name in {"promote", "rollback"}:
            command.add_argument("--why", required=True, help="the reason, kept in the history")
            command.add_argument("--by", help="who (default: the login name)")
    return parser


def _backtest(args: argparse.Namespace) -> int:
    started = time.monotonic()
    active = store.load(args.active or store.active_version())
    candidate = store.load(args.candidate)
    with tempfile.TemporaryDirectory(prefix="rules-backtest-") as scratch:
        work_dir = Path(scratch)
        with open_database(work_dir / "pgdata", os.environ.get("DATABASE_URL")) as database:
            if args.input is not None:
                stats = recorded.scan(args.input)
                assert stats.last is not None
                threshold = Decimal(str(store.dbt_vars(active)["structuring_threshold"]))
                result = compare.compare(
                    database,
                    recorded.messages(args.input),
                    active=active,
                    candidate=candidate,
                    span=stats.span,
                    clock=stats.last,
                    structuring_threshold=threshold,
                    work_dir=work_dir,
                    strict=True,
                )
            else:
                settings = load_settings(args)
                print(settings_line(args, settings), file=sys.stderr)
                minutes = args.minutes or 60.0
                end = datetime.now(UTC)
                stats = None
                result = compare.compare(
                    database,
                    records_as_messages(history(settings, end=end, minutes=minutes, events=None)),
                    active=active,
                    candidate=candidate,
                    span=history_span(settings, minutes=minutes, events=None),
                    clock=end,
                    structuring_threshold=settings.structuring_threshold,
                    work_dir=work_dir,
                    env={},
                )
    print(compare.render(result))
    document = result.as_json()
    if stats is not None:
        print(recorded.summary(stats))
        document["input"] = stats.as_json()
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(document, indent=2) + "\n")
    print(
        f"Done in {time.monotonic() - started:.1f} s wall time (generation, load, both dbt runs)."
    )
    return 0


def _validate(rules_dir: Path = store.RULES_DIR) -> int:
    """Every rule set file and rules/active, every problem of each reported (exit 2 if any)."""
    found = []
    for version in store.versions(rules_dir):
        try:
            store.load(version, rules_dir)
            print(f"{version}: ok")
        except RuleSetError as error:
            found += error.problems
    try:
        print(f"active: {store.load(store.active_version(rules_dir), rules_dir).version}")
    except RuleSetError as error:
        found += [line for line in error.problems if line not in found]
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"rules: {len(found)} problem(s)", file=sys.stderr)
    return EXIT_INVALID if found else 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return _validate()
    if args.command == "vars":
        print(json.dumps(store.dbt_vars(store.load(args.version or store.active_version()))))
        return 0
    if args.command == "diff":
        print(diff.render(store.load(args.a), store.load(args.b)))
        return 0
    if args.command == "backtest":
        return _backtest(args)
    with tempfile.TemporaryDirectory(prefix="rules-") as scratch:
        deployer = deploy.Deployer(deploy.risingwave_target(), work_dir=Path(scratch))
        return _on_stack(args, deployer)


def _on_stack(args: argparse.Namespace, deployer: deploy.Deployer) -> int:
    """shadow, history, promote and rollback on the stack's RisingWave."""
    if args.command == "shadow":
        candidate = store.load(args.version)
        deployer.shadow(candidate)
        print(
            f"shadow: {candidate.version} runs beside {store.active_version()} in shadow_mv_*;"
            " compare in mv_shadow_vs_live (Grafana: Rule changes)"
        )
        return 0
    if args.command == "history":
        conn = deployer.target.connect()
        try:
            for change in rule_history.changes(conn):
                print(
                    f"{change.changed_at:%Y-%m-%d %H:%M:%S}  {change.action:<8}"
                    f" {change.from_version} -> {change.to_version}  by {change.changed_by}:"
                    f" {change.reason}"
                )
        finally:
            conn.close()
        return 0
    by = args.by or getpass.getuser()
    if args.command == "promote":
        change = deployer.promote(args.version, by=by, reason=args.why)
    else:
        change = deployer.rollback(by=by, reason=args.why)
    print(
        f"{change.action}: {change.from_version} -> {change.to_version};"
        f" rebuilt {change.rebuilt_models or 'nothing (no view changes)'}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (RuleSetError, recorded.RecordedInputError) as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    except ValidationError as error:
        print(Settings.describe_error(error), file=sys.stderr)
        return EXIT_INVALID
    except DbtError as error:
        print(error, file=sys.stderr)
        return 1
    except psycopg2.OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        print(f"rules: database unreachable (RW_HOST, RW_PORT): {first_line}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
