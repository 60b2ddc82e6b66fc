"""The pictures of docs/detection_quality.md, drawn from the same report document as its tables:
the account risk score's precision/recall curve, precision and recall per signal, and recall per
scenario with rules alone and with the model.

Each figure is built by a pure function of the document (tests read its data back from the axes);
`write_plots` saves them as PNG without a timestamp, so the same figures give the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

# Figure, not pyplot: no display backend and no global state; savefig renders with Agg.
from matplotlib.figure import Figure

Document = dict[str, Any]
SIZE = (8.0, 4.2)
DPI = 100
# The PNG "Software" field carries the matplotlib version; dropped so files compare across hosts.
PNG_METADATA = {"Software": None}


def _figure(title: str) -> tuple[Figure, Any]:
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _number(value: Any) -> float:
    """A figure from the report (a string, a number or None) as a float; None is 0."""
    return 0.0 if value is None else float(value)


def risk_pr_curve(document: Document, _model: Document | None) -> Figure:
    curve = sorted(document["account_risk_pr_curve"], key=lambda row: _number(row["recall"]))
    average = document["account_risk_average_precision"].get("average_precision")
    figure, axes = _figure(f"Account risk score: precision/recall (average precision {average})")
    recall = [_number(row["recall"]) for row in curve]
    precision = [_number(row["precision"]) for row in curve]
    axes.plot(recall, precision, marker="o", drawstyle="steps-post", label="risk thresholds")
    for row, x, y in zip(curve, recall, precision, strict=True):
        axes.annotate(str(row["threshold"]), (x, y), textcoords="offset points", xytext=(4, 4))
    axes.set_xlabel("recall (fraudulent accounts)")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1.05)
    axes.set_ylim(0, 1.05)
    return figure


def _grouped_bars(axes: Any, names: list[str], series: dict[str, list[float]]) -> None:
    width = 0.8 / len(series)
    for index, (label, values) in enumerate(series.items()):
        positions = [slot + (index - (len(series) - 1) / 2) * width for slot in range(len(names))]
        axes.bar(positions, values, width, label=label)
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axes.set_ylim(0, 1.05)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")


def signal_quality(document: Document, _model: Document | None) -> Figure:
    rows = document["signals"]
    figure, axes = _figure("Per signal: precision and recall (evasive instances apart)")
    _grouped_bars(
        axes,
        [row["signal"] for row in rows],
        {
            "precision": [_number(row["precision"]) for row in rows],
            "recall, non-evasive": [_number(row["recall_non_evasive"]) for row in rows],
            "recall, evasive": [_number(row["recall_evasive"]) for row in rows],
        },
    )
    return figure


def rules_vs_model(_document: Document, model: Document | None) -> Figure:
    assert model is not None
    rows = model["model_quality"]["scenarios"]
    figure, axes = _figure("Recall per scenario: rules alone vs rules + model")
    _grouped_bars(
        axes,
        [row["scenario"] for row in rows],
        {
            "rules": [_number(row["rules_recall"]) for row in rows],
            "rules + model": [_number(row["rules_model_recall"]) for row in rows],
            "rules, evasive": [_number(row["rules_evasive_recall"]) for row in rows],
            "rules + model, evasive": [_number(row["rules_model_evasive_recall"]) for row in rows],
        },
    )
    return figure


Plot = Callable[[Document, Document | None], Figure]
# File name -> (alt text, builder, needs the model's document).
PLOTS: dict[str, tuple[str, Plot, bool]] = {
    "detection_risk_pr_curve.png": (
        "Account risk score precision/recall curve",
        risk_pr_curve,
        False,
    ),
    "detection_signal_quality.png": ("Precision and recall per signal", signal_quality, False),
    "detection_rules_vs_model.png": (
        "Recall per scenario, rules vs rules + model",
        rules_vs_model,
        True,
    ),
}


def plots_for(model: Document | None) -> list[tuple[str, str, Plot]]:
    """(file name, alt text, builder) of every plot the documents can feed."""
    return [
        (name, alt, build)
        for name, (alt, build, needs_model) in PLOTS.items()
        if model is not None or not needs_model
    ]


def write_plots(document: Document, model: Document | None, directory: Path) -> list[Path]:
    """Every plot as PNG in `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, _alt, build in plots_for(model):
        path = directory / name
        build(document, model).savefig(path, format="png", metadata=PNG_METADATA)
        written.append(path)
    return written
