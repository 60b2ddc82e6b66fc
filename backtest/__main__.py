"""`python -m backtest`: replay seeded history through the detection SQL and print what it found."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backtest.dbt import DbtError
from backtest.replay import ReplayResult, run
from producers.settings import Settings, describe_error
from scoring.model import ModelError
from scoring.registry import Registry


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m backtest", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--minutes", type=float, help="simulated minutes of history (default 60)")
    size.add_argument("--events", type=int, help="number of generated events instead of minutes")
    parser.add_argument("--fraud-rate", type=float, help="FRAUD_RATE override, 0..1")
    parser.add_argument("--seed", type=int, help="SEED override")
    parser.add_argument("--report", type=Path, help="write the JSON report to this file")
    parser.add_argument(
        "--model",
        type=Path,
        help="model registry folder: score the replay with its champion (rules + model)",
    )
    parser.add_argument("--world", choices=["clean", "realistic"], help="WORLD override")
    args = parser.parse_args(argv)
    if args.minutes is not None and args.minutes <= 0:
        parser.exit(2, "MINUTES: must be greater than 0\n")
    if args.events is not None and args.events <= 0:
        parser.exit(2, "EVENTS: must be greater than 0\n")
    if args.minutes is None and args.events is None:
        args.minutes = 60.0
    return args


def load_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {"sink": "jsonl"}
    if args.fraud_rate is not None:
        overrides["fraud_rate"] = args.fraud_rate
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.world is not None:
        overrides["world"] = args.world
    return Settings(**overrides)


def report_json(result: ReplayResult) -> dict[str, Any]:
    report = result.report
    return {
        "events": result.events,
        "elapsed_s": round(result.elapsed_s, 3),
        "events_per_s": round(result.events_per_s, 1),
        "load_s": round(result.load_s, 3),
        "dbt_s": round(result.dbt_s, 3),
        "generate_s": round(result.generate_s, 3),
        "skipped_messages": result.load.skipped,
        "signals": [
            {
                "signal": row["signal"],
                "injected": row["injected"],
                "detected": row["detected"],
                "detections": row["detections"],
                "precision": row["precision"],
                "recall": row["recall"],
                "median_time_to_detect_s": row["median_time_to_detect_s"],
            }
            for row in report.signals
        ],
        "scenarios": report.scenarios,
        "critical_accounts": report.critical_accounts,
        "critical_accounts_without_fraud": report.critical_accounts_without_fraud,
        "open_cases": report.open_cases,
        "top_accounts": report.top_accounts,
        "top_cases": report.top_cases,
        "rejected": report.rejected,
        **model_quality_json(result),
    }


def model_quality_json(result: ReplayResult) -> dict[str, Any]:
    """Rules alone against rules + model (backtest.model_quality), when a model scored it."""
    return {} if result.model_quality is None else {"model_quality": result.model_quality}


def render_model_quality(document: dict[str, Any]) -> str:
    """The rules-vs-model section of the text report; empty without a model."""
    quality = document.get("model_quality")
    if quality is None:
        return ""
    sides = [
        {"side": name, **quality[key]}
        for name, key in (("rules", "rules"), ("rules + model", "rules_model"))
    ]
    return "\n".join(
        [
            "",
            f"Rules alone vs rules + model ({quality['instances']} instances,"
            f" {quality['evasive_instances']} evasive; {quality['transactions']} transactions)",
            table(
                sides,
                [
                    "side",
                    "recall",
                    "evasive_recall",
                    "precision",
                    "pr_auc",
                    "alerts_per_1000",
                    "detections",
                ],
            ),
            "",
            table(
                quality["scenarios"],
                [
                    "scenario",
                    "instances",
                    "evasive_instances",
                    "rules_recall",
                    "rules_model_recall",
                    "rules_evasive_recall",
                    "rules_model_evasive_recall",
                ],
            ),
        ]
    )


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as aligned text columns; with no rows, only the header (a clean run has none)."""
    cells = [[("-" if row[name] is None else str(row[name])) for name in columns] for row in rows]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(columns)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(lines)


def render(document: dict[str, Any]) -> str:
    parts = [
        "Signals",
        table(
            document["signals"],
            [
                "signal",
                "injected",
                "detected",
                "detections",
                "precision",
                "recall",
                "median_time_to_detect_s",
            ],
        ),
        "",
        "Scenarios",
        table(
            document["scenarios"],
            [
                "scenario",
                "intended_signal",
                "injected",
                "detected",
                "recall",
                "median_time_to_detect_s",
            ],
        ),
        "",
        f"Top risk accounts (critical: {document['critical_accounts']}, critical without"
        f" injected fraud: {document['critical_accounts_without_fraud']})",
        table(
            document["top_accounts"],
            ["account_id", "customer_id", "risk_score", "risk_level", "reason_codes"],
        ),
        "",
        f"Open cases: {document['open_cases']}",
        table(document["top_cases"], ["case_id", "severity", "risk_score", "recommended_action"]),
        "",
        f"Replay: {document['events']} events in {document['elapsed_s']} s"
        f" ({document['events_per_s']} events/s; load {document['load_s']} s,"
        f" dbt {document['dbt_s']} s; generation {document['generate_s']} s not counted)",
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)
        return 2
    try:
        model = None if args.model is None else Registry(args.model).champion()
    except ModelError as error:
        print(f"MODEL: {error}", file=sys.stderr)
        return 2
    try:
        result = run(
            settings,
            minutes=args.minutes,
            events=args.events,
            database_url=os.environ.get("DATABASE_URL"),
            model=model,
        )
    except DbtError as error:
        print(error, file=sys.stderr)
        return 1
    document = report_json(result)
    print(render(document) + render_model_quality(document))
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
