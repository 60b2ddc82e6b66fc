"""`python -m backtest.robustness`: the headline figures (backtest/headline.py) of every world of
backtest/robustness.yml under every rule set there, and each world at FRAUD_RATE=0; written as the
robustness section of docs/detection_quality.md and a plot beside it.

The worlds and rule sets are data: adding one (rules v3) is a line of the YAML file."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from backtest.headline import (
    PREVALENCE_SOURCE,
    REALISTIC_PREVALENCE,
    Counts,
    headline,
    read_counts,
)
from backtest.model_quality import read_model_quality
from backtest.quality_doc import (
    IMAGE_DIR,
    MODEL_ABSOLUTE_TOLERANCE,
    MODEL_RELATIVE_TOLERANCE,
    ROBUSTNESS_END,
    ROBUSTNESS_START,
    markdown_table,
    split_robustness,
    with_robustness,
)
from backtest.replay import replayed
from offline import replay as engine
from offline.clock import history_end
from offline.database import Database
from offline.progress import Progress
from offline.replay import history_span
from producers.settings import Settings
from rules import store
from scoring.model import Model
from scoring.registry import Registry
from scoring.score import replay_scorer

CONFIG = Path(__file__).with_name("robustness.yml")
DOC_PATH = Path("docs/detection_quality.md")
PLOT = "detection_robustness.png"
COLUMNS = [
    "world",
    "rule_set",
    "honest_transactions",
    "false_detections_per_1000_honest",
    "false_open_cases_per_1000_honest",
    "honest_critical_per_1000_honest",
    "precision_at_realistic_prevalence",
]
ZERO_COLUMNS = [
    "world",
    "rule_set",
    "honest_transactions",
    "false_detections",
    "false_open_cases",
    "honest_critical_accounts",
]


@dataclass(frozen=True)
class RuleChoice:
    rules: str
    model: bool

    @property
    def label(self) -> str:
        return f"{self.rules} + model" if self.model else self.rules


@dataclass(frozen=True)
class Plan:
    minutes: float
    zero_fraud_minutes: float
    worlds: list[tuple[str, dict[str, Any]]]
    rule_sets: list[RuleChoice]


def load_plan(path: Path = CONFIG) -> Plan:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Plan(
        minutes=float(data["minutes"]),
        zero_fraud_minutes=float(data["zero_fraud_minutes"]),
        worlds=[(str(world["name"]), dict(world["settings"])) for world in data["worlds"]],
        rule_sets=[
            RuleChoice(str(choice["rules"]), bool(choice.get("model", False)))
            for choice in data["rule_sets"]
        ],
    )


def measure(
    settings: Settings, minutes: float, choice: RuleChoice, model: Model | None, work: Path
) -> dict[str, Any]:
    """One seeded replay under one rule set: its headline figures."""
    end = history_end(history_span(settings, minutes=minutes, events=None))
    with replayed(
        settings,
        minutes=minutes,
        now=end,
        work_dir=work,
        rule_vars=store.dbt_vars(store.load(choice.rules), env={}),
        model=model if choice.model else None,
    ) as result:
        figures = headline(read_counts(result.database))
        # Caught = any detection (rules, or rules + model) inside the instance, the same
        # measure for every rule set: what is not caught slips through.
        side = "rules_model" if choice.model else "rules"
        scenarios = read_model_quality(result.database)["scenarios"]
        figures["scenarios"] = {
            row["scenario"]: {"instances": row["instances"], "recall": row[f"{side}_recall"]}
            for row in scenarios
        }
        return figures


# What the proof at FRAUD_RATE=0 reads (headline.read_counts, and the public open-cases view),
# with everything upstream and their data tests: the same SQL as a full build, without the views
# nobody reads there.
ZERO_FRAUD_VIEWS = (
    "+mv_transaction_risk_scores +mv_detection_quality_by_signal"
    " +mv_alerts_per_1000_transactions +mv_critical_accounts +mv_open_fraud_cases"
)


def zero_fraud_counts(
    database: Database,
    settings: Settings,
    minutes: float,
    rules: str,
    work: Path,
    model: Model | None = None,
) -> tuple[Counts, int]:
    """`minutes` of `settings`' world at FRAUD_RATE=0 replayed into `database` (its raw tables
    replaced) under rules `rules`, scored by `model` when given: the headline counts and the open
    cases.

    Replays sharing one database and one `work` folder parse the dbt project once (dbt's partial
    parse keys on the profile and the vars, which stay the same)."""
    honest = settings.model_copy(update={"fraud_rate": 0.0})
    end = history_end(history_span(honest, minutes=minutes, events=None))
    engine.replay(
        database,
        honest,
        minutes=minutes,
        now=end,
        work_dir=work,
        rule_vars=store.dbt_vars(store.load(rules), env={}),
        scorer=None if model is None else replay_scorer(model),
        select=ZERO_FRAUD_VIEWS,
    )
    conn = database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("select count(*) from public.mv_open_fraud_cases")
            (open_cases,) = cursor.fetchone() or (0,)
    finally:
        conn.close()
    return read_counts(database), int(open_cases)


def run(plan: Plan, model: Model | None, work: Path) -> dict[str, list[dict[str, Any]]]:
    """Every world x rule set, at the world's fraud rate and at zero."""
    if model is None and any(choice.model for choice in plan.rule_sets):
        raise SystemExit("robustness: a rule set asks for the model: pass --model DIR")
    jobs = [
        (name, values, choice, zero)
        for name, values in plan.worlds
        for zero in (False, True)
        for choice in plan.rule_sets
    ]
    progress = Progress("robustness replays", total=len(jobs), unit="replays")
    tables: dict[str, list[dict[str, Any]]] = {"table": [], "zero_fraud": []}
    for index, (name, values, choice, zero) in enumerate(jobs):
        settings = Settings(
            _env_file=None,
            sink="jsonl",
            **{**values, **({"fraud_rate": 0.0} if zero else {})},
        )
        minutes = plan.zero_fraud_minutes if zero else plan.minutes
        figures = measure(settings, minutes, choice, model, work / f"replay-{index}")
        tables["zero_fraud" if zero else "table"].append(
            {"world": name, "rule_set": choice.label, **figures}
        )
        progress.advance(1)
    progress.finish()
    return tables


def slipping(tables: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Per world and fraud scenario, the share of instances each rule set catches."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    choices = list(dict.fromkeys(row["rule_set"] for row in tables["table"]))
    for row in tables["table"]:
        for scenario, caught in row.get("scenarios", {}).items():
            entry = rows.setdefault(
                (row["world"], scenario),
                {"world": row["world"], "scenario": scenario, "instances": caught["instances"]},
            )
            entry[f"recall {row['rule_set']}"] = caught["recall"]
    columns = ["world", "scenario", "instances", *(f"recall {choice}" for choice in choices)]
    return list(rows.values()), columns


def section(plan: Plan, tables: dict[str, list[dict[str, Any]]]) -> str:
    return "\n".join(
        [
            ROBUSTNESS_START,
            "## Robustness: worlds x rule sets",
            "",
            f"Written by `make robustness` from `backtest/robustness.yml`: {plan.minutes:g}"
            " minutes of each world at its fraud rate, per rule set. Per 1,000 honest"
            " transactions (transactions no fraud label holds): detections in no fraud"
            " instance, open cases on accounts no label names, critical accounts no label names;"
            " these do not depend on how much fraud the world injects. Precision at realistic"
            f" prevalence re-weights true detections from the replay's fraud share to"
            f" {REALISTIC_PREVALENCE:.5f} ({PREVALENCE_SOURCE}; `backtest/headline.py`),"
            " assuming true detections scale with fraud transactions.",
            "",
            markdown_table(tables["table"], COLUMNS),
            "",
            f"![False detections per 1,000 honest transactions]({IMAGE_DIR}/{PLOT})",
            "",
            "### What slips through",
            "",
            "Per fraud scenario, the share of its instances with at least one detection (a rule's,"
            " or the model's in the rules + model column) in the replay above; the rest slip"
            " through.",
            "",
            markdown_table(*slipping(tables)),
            "",
            f"### At FRAUD_RATE=0 ({plan.zero_fraud_minutes:g} minutes per world)",
            "",
            "Every detection, open case and critical account here is on an honest customer.",
            "",
            markdown_table(tables["zero_fraud"], ZERO_COLUMNS),
            "",
            "The model beside the rules is the champion `make robustness` trains on"
            " `scoring/worlds.yml`, whose worlds share no seed with these (a test checks it): it"
            " is never measured on a world it learned.",
            "",
            "Reproduction (`tests/detection/test_robustness.py` replays the first world afresh):"
            " rules-only rows are integer counts of a seeded replay and must match exactly."
            " Rules + model rows must match within a stated tolerance: each number within"
            f" {MODEL_RELATIVE_TOLERANCE:.0%} or {MODEL_ABSOLUTE_TOLERANCE:g}"
            " (`backtest/quality_doc.py`). Threads are not the source: training runs one thread"
            " (XGBoost `nthread` 1, the forest's `n_jobs` 1), prediction adds each row's trees in"
            " order whatever the thread count (measured: predictions, reasons and forest scores"
            " bitwise equal at 1, 2 and 8 threads), scores are rounded to 6 decimals, and the"
            " features are computed per row from exact `numeric` amounts. The drift is float-level"
            " and inherent: float64 `log`, `exp` and `power` (NumPy, XGBoost's libm) differ in"
            " their last bits between CPUs with and without AVX-512, which moves a score across a"
            " threshold now and then.",
            ROBUSTNESS_END,
            "",
        ]
    )


def plot(tables: dict[str, list[dict[str, Any]]], path: Path) -> None:
    from matplotlib.figure import Figure

    from backtest.plots import DPI, PNG_METADATA, SIZE

    rows = tables["table"]
    worlds = list(dict.fromkeys(row["world"] for row in rows))
    choices = list(dict.fromkeys(row["rule_set"] for row in rows))
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("False detections per 1,000 honest transactions")
    axes.grid(True, alpha=0.3)
    width = 0.8 / len(choices)
    for index, choice in enumerate(choices):
        values = {
            row["world"]: row["false_detections_per_1000_honest"] or 0.0
            for row in rows
            if row["rule_set"] == choice
        }
        positions = [slot + (index - (len(choices) - 1) / 2) * width for slot in range(len(worlds))]
        axes.bar(positions, [values.get(world, 0.0) for world in worlds], width, label=choice)
    axes.set_xticks(range(len(worlds)), worlds, rotation=15, ha="right", fontsize="small")
    axes.legend(fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata=PNG_METADATA)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser("python -m backtest.robustness", description=__doc__)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--model", type=Path, help="model registry folder (its champion)")
    parser.add_argument("--markdown", type=Path, default=DOC_PATH)
    parser.add_argument("--minutes", type=float, help="override the file's minutes")
    parser.add_argument("--zero-fraud-minutes", type=float, help="override the file's")
    args = parser.parse_args(argv)
    # The dbt unit tests prove the SQL in `make test` (a build with another rule set than the
    # active one leaves them out anyway, offline.replay); not run again for these figures.
    os.environ["DBT_EXCLUDE_RESOURCE_TYPES"] = "unit_test"
    plan = load_plan(args.config)
    if args.minutes is not None or args.zero_fraud_minutes is not None:
        plan = Plan(
            args.minutes or plan.minutes,
            args.zero_fraud_minutes or plan.zero_fraud_minutes,
            plan.worlds,
            plan.rule_sets,
        )
    model = None if args.model is None else Registry(args.model).champion()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="robustness-") as scratch:
        tables = run(plan, model, Path(scratch))
    text = args.markdown.read_text(encoding="utf-8") if args.markdown.is_file() else ""
    document = with_robustness(split_robustness(text)[0], section(plan, tables))
    args.markdown.write_text(document, encoding="utf-8")
    plot(tables, args.markdown.parent / IMAGE_DIR / PLOT)
    print(section(plan, tables))
    print(f"Done in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
