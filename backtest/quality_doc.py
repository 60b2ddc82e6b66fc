"""docs/detection_quality.md: a backtest's detection-quality figures as Markdown.

Only what the seed and the settings decide goes in (no timings, dates or case ids), so the same
seed and settings always write the same file; a test regenerates it and compares.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from backtest.model_quality import MODEL_SCENARIO_COLUMNS, MODEL_SIDE_COLUMNS, sides
from backtest.plots import PLOTS

# The backtest arguments of the committed file (`make detection-quality` passes the same): the
# dense flat stream (producers/settings.py DENSE_FLAT), which has fraud enough in 30 minutes.
DOC_ARGS: tuple[str, ...] = (
    *("--world", "realistic"),
    *("--seed", "42"),
    *("--fraud-rate", "0.1"),
    *("--activity", "flat"),
    *("--transaction-rate", "20"),
    *("--customer-pool-size", "500"),
    *("--lookalike-rate", "0.1"),
    *("--minutes", "30"),
)
DOC_PATH = "docs/detection_quality.md"
# The plots go beside the file (`make detection-quality` writes them; backtest/plots.py).
IMAGE_DIR = "images"
# Where `make detection-quality` trains the model it compares: `make train`'s run, afresh.
DOC_MODELS = ".cache/doc-models"
TRAIN_COMMAND = f"SCORING_REGISTRY_DIR={DOC_MODELS} python -m scoring.offline train"
COMMAND = " ".join(("python -m backtest", *DOC_ARGS, "--model", DOC_MODELS, "--markdown", DOC_PATH))


def learned(model: dict[str, Any]) -> str:
    """What the model learned from, in words: its worlds (scoring/worlds.yml) or its one world."""
    worlds = model.get("worlds")
    if not worlds:
        return (
            f"XGBoost and an Isolation Forest on {model['minutes']} minutes of the"
            f" {model['world']} world with seed {model['seed']} (FRAUD_RATE"
            f" {model['fraud_rate']}, {model['train_rows']} training rows)"
        )
    return (
        f"XGBoost and an Isolation Forest on {len(worlds['train'])} worlds of"
        f" `scoring/worlds.yml` ({'; '.join(worlds['train'])}; {model['train_rows']} training"
        f" rows), its score calibrated on another ({'; '.join(worlds['calibrate'])})"
    )


def card_days(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Card Precision@100 rows with `day` counted from the history's first day (1, 2, ...)."""
    if not rows:
        return []
    first = datetime.fromisoformat(rows[0]["day_start"])
    return [
        {**row, "day": (datetime.fromisoformat(row["day_start"]) - first).days + 1} for row in rows
    ]


def markdown_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for row in rows:
        cells = ("-" if row[name] is None else str(row[name]) for name in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


METHOD = """\
- **Ground truth.** The producer labels every injected fraud instance (`fraud_labels`, with
  `is_evasive` and `variant` when it is shaped to stay under its rule) and every honest look-alike
  episode (`lookalike_labels`, with its `kind`). The detection SQL never reads them; only the
  quality views (`fraud_detection/models/quality/`) do.
- **True positive.** A detection of a customer inside one of that customer's fraud instances,
  between `started_at` and `ended_at` plus `label_match_grace_minutes` (10). **Precision** =
  true positives / detections of the signal.
- **Recall.** Per signal, over the instances of the scenarios the signal is meant to catch (the
  contract's `scenarios`): instances with at least one detection of that signal in the same window /
  instances. Counted apart on non-evasive and evasive instances.
- **False positives per look-alike kind.** A detection in no fraud instance but in a look-alike
  episode of the same customer (same window rule) is attributed to that episode's kind (the
  earliest-started episode when several match); one in neither counts as `unattributed`.
  `episodes_flagged` are episodes with at least one false positive attributed to them.
- **Alerts per 1,000 transactions.** Detections and open cases (accounts at high or critical risk)
  per 1,000 valid transactions; `cases_without_fraud` are cases on accounts no fraud label names.
- **Precision/recall curve of the account risk score.** One point per distinct score: every
  scored account at or above it is flagged. An account is fraudulent when a fraud label names it
  (or, for a label without an account, names its customer, whose primary account it is). Recall
  divides by every fraudulent account, scored or not. The area is **average precision**
  (sum over thresholds, highest first, of the recall gained times the precision there; no
  interpolation, not the trapezoid).
- **Card Precision@100 per day** (Le Borgne et al., *Fraud Detection Handbook*): per UTC day, of
  the 100 cards (`card_token`) with the highest risk, the share that are compromised. A card's risk
  that day is its account's risk from that day's detections (the noisy-or of the dbt var
  `risk_weights`); a card is compromised that day when one of its transactions of that day is in
  a fraud label's `event_ids`. Ties rank by `card_token`. With fewer compromised cards than 100
  the best possible value is `compromised_cards / 100`; on a day when no card has any risk it is
  undefined (`-`).
- **How.** `python -m backtest` generates the history, loads it into an embedded PostgreSQL and
  builds the dbt project (the SQL RisingWave runs, on the `postgres` target). The history starts
  at 01:00 UTC of a fixed day (never the wall clock or the calendar: event ids, which break ties
  of equal event times, are salted by the start), so only the seed and the settings decide the
  figures; `tests/detection/test_detection_quality.py` recomputes them in Python from the
  generated events and labels and regenerates this file.
"""


def image(name: str) -> str:
    """A Markdown link to one of backtest/plots.py's pictures, relative to the document."""
    return f"![{PLOTS[name][0]}]({IMAGE_DIR}/{name})"


def model_section(rules: dict[str, Any], scored: dict[str, Any]) -> list[str]:
    """The rules-vs-model section: `scored` is the replay the model scored, `rules` the other."""
    model, quality = scored["model"], scored["model_quality"]
    return [
        "## Rules alone vs rules + model",
        "",
        f"{quality['instances']} fraud instances ({quality['evasive_instances']} evasive),"
        f" {quality['transactions']} transactions ({quality['fraud_transactions']} in fraud).",
        "",
        markdown_table(sides(quality), MODEL_SIDE_COLUMNS),
        "",
        markdown_table(quality["scenarios"], MODEL_SCENARIO_COLUMNS),
        "",
        image("detection_rules_vs_model.png"),
        "",
        f"Critical accounts: {scored['critical_accounts']} with the model, of which"
        f" {scored['critical_accounts_without_fraud']} without injected fraud; rules alone"
        f" {rules['critical_accounts']}, of which {rules['critical_accounts_without_fraud']}.",
        "",
        f"The model is `make train`'s champion, as the scorer's image trains it: {learned(model)},"
        " never this replay's seed. This replay ran again with the scorer's"
        " scoring function over `mv_transaction_features` (offline/features.py); the sections"
        " above come from the replay without it.",
        "",
        "- **Instances.** Detected when any detection of the customer falls in the instance's"
        " window (as above); rules count every signal but `ml_anomaly`, rules + model all.",
        "- **Precision and alerts.** Over detections: the share in an instance of their"
        " customer, and detections per 1,000 valid transactions.",
        "- **PR-AUC.** Over transactions, a transaction being fraud when a label's `event_ids`"
        " holds it: ranked by the largest risk weight among the rule detections it belongs to,"
        " or by the noisy-or of that and the model's score. Per scenario (and evasive), the"
        " positives are that scenario's (the evasive instances') fraud transactions and the"
        " negatives every transaction no label holds; precision and alerts are not per scenario,"
        " since a false positive belongs to none.",
        "",
    ]


def render_markdown(document: dict[str, Any], model_document: dict[str, Any] | None = None) -> str:
    """The file from a rules-only replay and, when a model scored one, its comparison."""
    settings = document["settings"]
    average = document["account_risk_average_precision"]
    setting_rows = [{"setting": name.upper(), "value": value} for name, value in settings.items()]
    setting_rows.append({"setting": "MINUTES", "value": document["minutes"]})
    parts = [
        "# Detection quality",
        "",
        f"Written by `make detection-quality` (`{TRAIN_COMMAND}`, then `{COMMAND}`). Do not"
        " edit: a test regenerates it and fails on any difference.",
        "",
        "## Settings",
        "",
        markdown_table(setting_rows, ["setting", "value"]),
        "",
        f"{document['events']} events replayed: MINUTES of history, then every fraud instance"
        " and look-alike episode still under way played out to its label.",
        "",
        "## Method",
        "",
        METHOD,
        "## Per signal",
        "",
        markdown_table(
            document["signals"],
            [
                "signal",
                "detections",
                "false_positive_detections",
                "precision",
                "injected",
                "detected",
                "recall",
                "injected_non_evasive",
                "recall_non_evasive",
                "injected_evasive",
                "recall_evasive",
                "median_time_to_detect_s",
            ],
        ),
        "",
        image("detection_signal_quality.png"),
        "",
        "## Per scenario (intended signal)",
        "",
        markdown_table(
            document["scenarios"],
            [
                "scenario",
                "intended_signal",
                "injected",
                "detected",
                "recall",
                "injected_evasive",
                "detected_evasive",
                "recall_non_evasive",
                "recall_evasive",
            ],
        ),
        "",
        "## False positives per look-alike kind",
        "",
        markdown_table(
            document["lookalike_kinds"],
            [
                "lookalike_kind",
                "episodes",
                "episodes_flagged",
                "flagged_share",
                "false_positive_detections",
            ],
        ),
        "",
        "Per kind and signal:",
        "",
        markdown_table(
            document["lookalike_kind_signals"],
            ["lookalike_kind", "signal_type", "false_positive_detections", "episodes_flagged"],
        ),
        "",
        "## Alerts per 1,000 transactions",
        "",
        markdown_table(
            [document["alerts_per_1000_transactions"]],
            [
                "transactions",
                "detections",
                "detections_per_1000_transactions",
                "cases",
                "cases_per_1000_transactions",
                "critical_cases_per_1000_transactions",
                "cases_without_fraud_per_1000_transactions",
            ],
        ),
        "",
        "## Account risk score: precision/recall curve",
        "",
        f"Average precision: **{average.get('average_precision', '-')}** over"
        f" {average.get('thresholds', 0)} thresholds;"
        f" {average.get('scored_fraudulent_accounts', 0)}"
        f" of {average.get('fraudulent_accounts', 0)} fraudulent accounts scored (max recall"
        f" {average.get('max_recall', '-')}).",
        "",
        markdown_table(
            document["account_risk_pr_curve"],
            ["threshold", "flagged_accounts", "true_positive_accounts", "precision", "recall"],
        ),
        "",
        image("detection_risk_pr_curve.png"),
        "",
        "## Card Precision@100 per day",
        "",
        markdown_table(
            card_days(document["card_precision_at_100"]),
            [
                "day",
                "cards_ranked",
                "cards_with_risk",
                "compromised_in_top",
                "compromised_cards",
                "card_precision_at_100",
            ],
        ),
        "",
    ]
    if model_document is not None:
        parts += model_section(document, model_document)
    return "\n".join(parts)


# The robustness section (backtest/robustness.py, `make robustness`) lives between these fences at
# the end of the file; `make detection-quality` keeps it and its test compares what comes before.
ROBUSTNESS_START = "<!-- robustness: written by `make robustness`; do not edit -->"
ROBUSTNESS_END = "<!-- end of robustness -->"


def split_robustness(document: str) -> tuple[str, str]:
    """(the file without its robustness section, the section with its fences or "")."""
    before, fence, rest = document.partition(ROBUSTNESS_START)
    if not fence:
        return document, ""
    section, _, after = rest.partition(ROBUSTNESS_END)
    return before.rstrip("\n") + "\n" + after.lstrip("\n"), fence + section + ROBUSTNESS_END + "\n"


def with_robustness(document: str, section: str) -> str:
    """`document` (without a section) followed by the robustness `section`, when there is one."""
    return document if not section else document.rstrip("\n") + "\n\n" + section


# Where the figures may drift between machines: the rules + model section. The scorer's float64
# `log`, `exp` and `power` (NumPy, XGBoost's libm) differ in their last bits between CPUs with and
# without AVX-512, which moves a model score across a threshold now and then. Every number there
# must be within MODEL_RELATIVE_TOLERANCE of the committed one (or MODEL_ABSOLUTE_TOLERANCE, for
# ratios near 0); the text and every figure before the section must be identical.
MODEL_SECTION = "## Rules alone vs rules + model"
MODEL_RELATIVE_TOLERANCE = 0.01
MODEL_ABSOLUTE_TOLERANCE = 0.005
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def differences(fresh: str, committed: str) -> list[str]:
    """The lines of `committed` a fresh run does not reproduce (within the stated tolerance)."""
    fresh_head, _, fresh_model = fresh.partition(MODEL_SECTION)
    committed_head, _, committed_model = committed.partition(MODEL_SECTION)
    found = [
        f"- {old}\n+ {new}"
        for new, old in zip(fresh_head.splitlines(), committed_head.splitlines(), strict=False)
        if new != old
    ]
    if len(fresh_head.splitlines()) != len(committed_head.splitlines()):
        found.append("the sections before the model's differ in length")
    new_lines, old_lines = fresh_model.splitlines(), committed_model.splitlines()
    if len(new_lines) != len(old_lines):
        return [*found, "the rules + model sections differ in length"]
    for new, old in zip(new_lines, old_lines, strict=True):
        if not _close(new, old):
            found.append(f"- {old}\n+ {new}")
    return found


def _close(new: str, old: str) -> bool:
    if _NUMBER.sub("#", new) != _NUMBER.sub("#", old):
        return False
    pairs = zip(_NUMBER.findall(new), _NUMBER.findall(old), strict=True)
    return all(
        abs(float(a) - float(b))
        <= max(MODEL_ABSOLUTE_TOLERANCE, MODEL_RELATIVE_TOLERANCE * abs(float(b)))
        for a, b in pairs
    )
