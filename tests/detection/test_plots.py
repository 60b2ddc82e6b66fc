"""The pictures of docs/detection_quality.md show the report's figures (read back from the axes),
and the same figures always give the same PNG bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import numpy as np
from matplotlib.patches import Rectangle

from backtest.plots import PLOTS, plots_for, risk_pr_curve, signal_quality, write_plots
from backtest.quality_doc import image

DOCUMENT: dict[str, Any] = {
    "account_risk_pr_curve": [
        {"threshold": "0.8", "precision": "1.0000", "recall": "0.2500"},
        {"threshold": "0.4", "precision": "0.5000", "recall": "0.7500"},
    ],
    "account_risk_average_precision": {"average_precision": "0.6250"},
    "signals": [
        {
            "signal": "velocity",
            "precision": "0.9",
            "recall_non_evasive": "1.0",
            "recall_evasive": "0.1",
        },
        {
            "signal": "structuring",
            "precision": "0.5",
            "recall_non_evasive": "0.8",
            "recall_evasive": None,
        },
    ],
}
MODEL: dict[str, Any] = {
    "model_quality": {
        "scenarios": [
            {
                "scenario": "velocity_burst",
                "rules_recall": "0.8",
                "rules_model_recall": "0.9",
                "rules_evasive_recall": "0.1",
                "rules_model_evasive_recall": "0.7",
            }
        ]
    }
}


def test_the_pr_curve_plots_recall_against_precision() -> None:
    (line,) = risk_pr_curve(DOCUMENT, None).axes[0].get_lines()
    assert np.asarray(line.get_xdata()).tolist() == [0.25, 0.75]
    assert np.asarray(line.get_ydata()).tolist() == [1.0, 0.5]


def test_signal_quality_draws_one_bar_per_signal_and_figure() -> None:
    axes = signal_quality(DOCUMENT, None).axes[0]
    heights = [cast(Rectangle, bar).get_height() for bar in axes.patches]
    # precision, recall non-evasive, recall evasive (none measured: 0) for each signal in turn
    assert heights == [0.9, 0.5, 1.0, 0.8, 0.1, 0.0]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["velocity", "structuring"]


def test_the_model_plot_is_drawn_only_with_a_model() -> None:
    assert [name for name, _, _ in plots_for(None)] == [
        name for name, (_, _, needs_model) in PLOTS.items() if not needs_model
    ]
    assert len(plots_for(MODEL)) == len(PLOTS)


def test_the_same_figures_write_the_same_files(tmp_path: Path) -> None:
    first = write_plots(DOCUMENT, MODEL, tmp_path / "a")
    second = write_plots(DOCUMENT, MODEL, tmp_path / "b")
    assert [path.name for path in first] == list(PLOTS)
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert one.read_bytes() == two.read_bytes()
    changed = {**DOCUMENT, "signals": DOCUMENT["signals"][:1]}
    (other,) = (p for p in write_plots(changed, None, tmp_path / "c") if "signal" in p.name)
    assert other.read_bytes() != (tmp_path / "a" / other.name).read_bytes()


def test_the_document_links_each_picture_beside_it() -> None:
    for name in PLOTS:
        assert image(name) == f"![{PLOTS[name][0]}](images/{name})"
