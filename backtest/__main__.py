"""`python -m backtest`: replay seeded history, or a recorded NDJSON file (--input), through the
detection SQL with a rule set (--rules, default the active one) and print what it found."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backtest.model_quality import MODEL_SCENARIO_COLUMNS, MODEL_SIDE_COLUMNS, sides
from backtest.plots import write_plots
from backtest.quality_doc import (
    IMAGE_DIR,
    card_days,
    render_markdown,
    split_robustness,
    with_robustness,
)
from backtest.replay import ReplayResult, finished, replayed
from common import cli
from offline import recorded
from offline.clock import history_end
from offline.database import open_database
from offline.dbt import DbtError
from offline.history_settings import load_settings, settings_line
from offline.logs import setup_logging
from offline.replay import history_span, replay_recorded
from producers.settings import Settings
from rules import store
from rules.schema import RuleSet, RuleSetError
from scoring.model import Model, ModelError
from scoring.registry import Registry
from scoring.score import replay_scorer

# The settings that shape the generated history, in the order reports list them.
HISTORY_SETTINGS = (
    "seed",
    "world",
    "fraud_rate",
    "evasion_rate",
    "lookalike_rate",
    "activity",
    "transaction_rate",
    "customer_pool_size",
    "structuring_threshold",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.parser("python -m backtest", __doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--minutes", type=float, help="simulated minutes of history (default 60)")
    size.add_argument("--events", type=int, help="number of generated events instead of minutes")
    size.add_argument(
        "--input",
        type=Path,
        help="screen recorded events instead: NDJSON from `python -m producers --sink jsonl`"
        " or `rpk topic consume`",
    )
    parser.add_argument("--rules", help="rule set version (rules/<version>.yml); default active")
    parser.add_argument(
        "--model",
        type=Path,
        help="model registry folder: score the replay with its champion (rules + model)",
    )
    parser.add_argument("--fraud-rate", type=float, help="FRAUD_RATE override, 0..1")
    parser.add_argument("--seed", type=int, help="SEED override")
    parser.add_argument("--world", help="WORLD override: clean or realistic")
    parser.add_argument("--activity", help="ACTIVITY override: flat or cycles")
    parser.add_argument("--transaction-rate", type=float, help="TRANSACTION_RATE override")
    parser.add_argument(
        "--customer-pool-size", type=int, help="CUSTOMER_POOL_SIZE override (0 = from the rate)"
    )
    parser.add_argument("--lookalike-rate", type=float, help="LOOKALIKE_RATE override")
    parser.add_argument("--report", type=Path, help="write the JSON report to this file")
    parser.add_argument(
        "--markdown", type=Path, help="write the detection-quality figures as Markdown here"
    )
    args = parser.parse_args(argv)
    if args.minutes is not None and args.minutes <= 0:
        parser.exit(2, "MINUTES: must be greater than 0\n")
    if args.events is not None and args.events <= 0:
        parser.exit(2, "EVENTS: must be greater than 0\n")
    if args.input is not None and args.markdown is not None:
        parser.exit(2, "INPUT: --markdown describes generated history, not a recorded file\n")
    if args.minutes is None and args.events is None and args.input is None:
        args.minutes = 60.0
    return args


def history_settings(settings: Settings) -> dict[str, Any]:
    """What shaped the replayed history, as JSON values."""
    values = {name: getattr(settings, name) for name in HISTORY_SETTINGS}
    return {
        name: str(value) if name == "structuring_threshold" else value
        for name, value in values.items()
    }


def report_json(
    result: ReplayResult, settings: Settings, *, minutes: float | None, events: int | None
) -> dict[str, Any]:
    report = result.report
    return {
        "settings": history_settings(settings),
        "minutes": minutes,
        "requested_events": events,
        "events": result.events,
        "elapsed_s": round(result.elapsed_s, 3),
        "events_per_s": round(result.events_per_s, 1),
        "labelled": True,
        "load_s": round(result.load_s, 3),
        "dbt_s": round(result.dbt_s, 3),
        "generate_s": round(result.generate_s, 3),
        "loaded_messages": result.load.loaded,
        "skipped_messages": result.load.skipped,
        "signals": report.signals,
        "scenarios": report.scenarios,
        "lookalike_kinds": report.lookalike_kinds,
        "lookalike_kind_signals": report.lookalike_kind_signals,
        "alerts_per_1000_transactions": report.alerts,
        "account_risk_pr_curve": report.pr_curve,
        "account_risk_average_precision": report.average_precision,
        "card_precision_at_100": report.card_precision,
        "critical_accounts": report.critical_accounts,
        "critical_accounts_without_fraud": report.critical_accounts_without_fraud,
        "open_cases": report.open_cases,
        "top_accounts": report.top_accounts,
        "top_cases": report.top_cases,
        "rejected": report.rejected,
        **model_quality_json(result),
    }


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as aligned text columns; with no rows, only the header (a clean run has none)."""
    cells = [[("-" if row[name] is None else str(row[name])) for name in columns] for row in rows]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(columns)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join(lines)


SIGNAL_COLUMNS = [
    "signal",
    "injected",
    "detected",
    "detections",
    "false_positive_detections",
    "precision",
    "recall",
    "recall_non_evasive",
    "recall_evasive",
    "median_time_to_detect_s",
]
SCENARIO_COLUMNS = [
    "scenario",
    "intended_signal",
    "injected",
    "detected",
    "recall",
    "injected_evasive",
    "recall_non_evasive",
    "recall_evasive",
    "median_time_to_detect_s",
]
LOOKALIKE_COLUMNS = [
    "lookalike_kind",
    "episodes",
    "episodes_flagged",
    "flagged_share",
    "false_positive_detections",
]
ALERT_COLUMNS = [
    "transactions",
    "detections",
    "cases",
    "critical_cases",
    "cases_without_fraud",
    "detections_per_1000_transactions",
    "cases_per_1000_transactions",
    "critical_cases_per_1000_transactions",
    "cases_without_fraud_per_1000_transactions",
]
CURVE_COLUMNS = [
    "threshold",
    "flagged_accounts",
    "true_positive_accounts",
    "fraudulent_accounts",
    "precision",
    "recall",
]
CARD_COLUMNS = [
    "day",
    "cards_ranked",
    "cards_with_risk",
    "compromised_in_top",
    "compromised_cards",
    "card_precision_at_100",
]


def render(document: dict[str, Any]) -> str:
    if not document["labelled"]:
        return _render_unlabelled(document)
    average = document["account_risk_average_precision"]
    parts = [
        "Signals",
        table(document["signals"], SIGNAL_COLUMNS),
        "",
        "Scenarios",
        table(document["scenarios"], SCENARIO_COLUMNS),
        "",
        "False positives per look-alike kind",
        table(document["lookalike_kinds"], LOOKALIKE_COLUMNS),
        "",
        "Alerts per 1,000 transactions",
        table([document["alerts_per_1000_transactions"]], ALERT_COLUMNS),
        "",
        "Account risk score: precision/recall curve (average precision:"
        f" {average.get('average_precision', '-')})",
        table(document["account_risk_pr_curve"], CURVE_COLUMNS),
        "",
        "Card Precision@100 per day",
        table(card_days(document["card_precision_at_100"]), CARD_COLUMNS),
        "",
        f"Top risk accounts (critical: {document['critical_accounts']}, critical without"
        f" injected fraud: {document['critical_accounts_without_fraud']})",
        table(document["top_accounts"], TOP_ACCOUNT_COLUMNS),
        "",
        *_cases_and_rejections(document),
    ]
    return "\n".join(parts)


TOP_ACCOUNT_COLUMNS = ["account_id", "customer_id", "risk_score", "risk_level", "reason_codes"]
# Without ground truth only what the rules did can be shown: no precision, recall or "fraud".
UNLABELLED_ALERT_COLUMNS = [
    "transactions",
    "detections",
    "cases",
    "critical_cases",
    "detections_per_1000_transactions",
    "cases_per_1000_transactions",
    "critical_cases_per_1000_transactions",
]


def _render_unlabelled(document: dict[str, Any]) -> str:
    """The report of recorded input without fraud labels: detections and cases only."""
    return "\n".join(
        [
            "No fraud labels in the input: detections and cases only (no label-based figures)",
            "",
            "Detections per signal",
            table(document["signals"], ["signal", "detections"]),
            "",
            "Alerts per 1,000 transactions",
            table([document["alerts_per_1000_transactions"]], UNLABELLED_ALERT_COLUMNS),
            "",
            f"Top risk accounts (critical: {document['critical_accounts']})",
            table(document["top_accounts"], TOP_ACCOUNT_COLUMNS),
            "",
            *_cases_and_rejections(document),
        ]
    )


def _cases_and_rejections(document: dict[str, Any]) -> list[str]:
    return [
        f"Open cases: {document['open_cases']}",
        table(document["top_cases"], ["case_id", "severity", "risk_score", "recommended_action"]),
        "",
        f"Rejected by the views: {sum(row['rejected_count'] for row in document['rejected'])}",
        table(document["rejected"], ["topic", "rejection_reason", "rejected_count"]),
        "",
        f"Replay: {document['events']} events; SQL layer {document['elapsed_s']} s"
        f" ({document['events_per_s']} events/s; load {document['load_s']} s,"
        f" dbt {document['dbt_s']} s); generation {document['generate_s']} s",
    ]


LABEL_FIGURES = (
    "scenarios",
    "lookalike_kinds",
    "lookalike_kind_signals",
    "account_risk_pr_curve",
    "account_risk_average_precision",
    "card_precision_at_100",
    "critical_accounts_without_fraud",
    "model_quality",
)


def without_labels(document: dict[str, Any]) -> dict[str, Any]:
    """`document` of input that holds no fraud label: the label-based figures dropped (they
    would read as precision 0 and "every critical account without fraud")."""
    kept = {key: value for key, value in document.items() if key not in LABEL_FIGURES}
    kept["labelled"] = False
    kept["signals"] = [
        {"signal": row["signal"], "detections": row["detections"]} for row in document["signals"]
    ]
    alerts = document["alerts_per_1000_transactions"]
    kept["alerts_per_1000_transactions"] = {name: alerts[name] for name in UNLABELLED_ALERT_COLUMNS}
    return kept


def model_quality_json(result: ReplayResult) -> dict[str, Any]:
    """Rules alone against rules + model (backtest.model_quality), when a model scored it."""
    return {} if result.model_quality is None else {"model_quality": result.model_quality}


def render_model_quality(document: dict[str, Any]) -> str:
    """The rules-vs-model section of the text report; empty without a model."""
    quality = document.get("model_quality")
    if quality is None:
        return ""
    return "\n".join(
        [
            "",
            f"Rules alone vs rules + model ({quality['instances']} instances,"
            f" {quality['evasive_instances']} evasive; {quality['transactions']} transactions)",
            table(sides(quality), MODEL_SIDE_COLUMNS),
            "",
            table(quality["scenarios"], MODEL_SCENARIO_COLUMNS),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    setup_logging()
    args = parse_args(argv)
    try:
        settings = load_settings(args)
        rule_set = store.load(args.rules or store.active_version())
        stats = recorded.scan(args.input) if args.input is not None else None
    except ValidationError as error:
        print(Settings.describe_error(error), file=sys.stderr)
        return 2
    except (RuleSetError, recorded.RecordedInputError) as error:
        print(error, file=sys.stderr)
        return 2
    try:
        model = None if args.model is None else Registry(args.model).champion()
    except ModelError as error:
        print(f"MODEL: {error}", file=sys.stderr)
        return 2
    try:
        if stats is None:
            print(settings_line(args, settings), file=sys.stderr)
            document = _generated(args, settings, rule_set, model)
            # The Markdown's rule figures are the rules' alone: a second replay without the model.
            rules_document = (
                _generated(args, settings, rule_set, None)
                if args.markdown is not None and model is not None
                else document
            )
        else:
            document = _screen(args.input, stats, store.dbt_vars(rule_set), settings, model)
            rules_document = document
    except DbtError as error:
        print(error, file=sys.stderr)
        return 1
    document["rules"] = rule_set.version
    document["wall_s"] = round(time.monotonic() - started, 1)
    print(render(document) + render_model_quality(document))
    print(f"Rules: {rule_set.version}" + (f"; model {model.version}" if model else ""))
    if stats is not None:
        print(recorded.summary(stats, _rejected(document)))
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(document, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        model_document = document if model is not None else None
        markdown = render_markdown(rules_document, model_document)
        # `make robustness` owns its section of the file: kept as it is.
        committed = args.markdown.read_text(encoding="utf-8") if args.markdown.is_file() else ""
        kept = split_robustness(committed)[1]
        args.markdown.write_text(with_robustness(markdown, kept), encoding="utf-8")
        write_plots(rules_document, model_document, args.markdown.parent / IMAGE_DIR)
    print(f"Done in {document['wall_s']} s wall time (everything: generation, load, dbt, report).")
    return 0


def _rejected(document: dict[str, Any]) -> Counter[str]:
    """What the views rejected, "topic: reason" -> rows."""
    return Counter(
        {
            f"{row['topic']}: {row['rejection_reason']}": int(row["rejected_count"])
            for row in document["rejected"]
        }
    )


def _generated(
    args: argparse.Namespace, settings: Settings, rule_set: RuleSet, model: Model | None
) -> dict[str, Any]:
    """Seeded history through the views, evaluated at its end (offline.clock.history_end)."""
    span = history_span(settings, minutes=args.minutes, events=args.events)
    with replayed(
        settings,
        minutes=args.minutes,
        events=args.events,
        now=history_end(span),
        database_url=os.environ.get("DATABASE_URL"),
        rule_vars=store.dbt_vars(rule_set, env={}),
        model=model,
    ) as result:
        document = report_json(result, settings, minutes=args.minutes, events=args.events)
    if model is not None:
        document["model"] = model_summary(model)
    return document


def model_summary(model: Model) -> dict[str, Any]:
    """What the report says of the model: its version and the world it learned."""
    data = model.card["data"]
    return {
        "version": model.version,
        "seed": model.card["seed"],
        **{name: data[name] for name in ("world", "fraud_rate", "minutes", "train_rows")},
        # Each role's worlds (scoring/worlds.yml) when it was trained across several.
        "worlds": data.get("worlds"),
    }


def _screen(
    path: Path,
    stats: recorded.InputStats,
    rule_vars: dict[str, Any],
    settings: Settings,
    model: Model | None,
) -> dict[str, Any]:
    """A recorded file through the views (scored by `model` when given), in an embedded database
    (or DATABASE_URL); without fraud labels in the file, only what needs none is reported."""
    with tempfile.TemporaryDirectory(prefix="screen-") as scratch:
        base = Path(scratch)
        with open_database(base / "pgdata", os.environ.get("DATABASE_URL")) as database:
            replay = replay_recorded(
                database,
                path,
                stats,
                rule_vars=rule_vars,
                work_dir=base,
                scorer=None if model is None else replay_scorer(model),
            )
            result = finished(replay, scored=model is not None)
            document = report_json(result, settings, minutes=None, events=None)
    # The recorded traffic, not a generator, made this history.
    document["settings"] = None
    if not result.load.loaded.get("fraud_labels"):
        document = without_labels(document)
    if model is not None:
        document["model"] = model_summary(model)
    document["input"] = stats.as_json()
    return document


if __name__ == "__main__":
    sys.exit(main())
