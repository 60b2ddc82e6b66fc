"""`make retrain`: a challenger trained on new traffic is promoted only when its PR-AUC on the
held-out later window beats the champion's by the margin; the decision and both figures are
recorded in the registry and logged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scoring import offline
from scoring.registry import Registry
from tests.support.scoring import synthetic_model, train_args


def retrain(root: Path, margin: float, caplog: pytest.LogCaptureFixture) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORING_REGISTRY_DIR", str(root))
        patch.setenv("SCORING_PROMOTION_MARGIN", str(margin))
        with caplog.at_level("INFO", logger="scoring.offline"):
            assert offline.main(train_args("retrain", seed=8, minutes=10)) == 0
    return Registry(root).state()


def test_a_weak_champion_is_replaced(
    embedded_postgres: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A champion that never saw the replayed world: any real challenger beats it.
    registry = Registry(tmp_path / "models")
    registry.add(synthetic_model(), role="champion")
    state = retrain(registry.root, 0.01, caplog)
    (decision,) = state["decisions"]
    assert decision["promoted"] is True
    assert decision["challenger_pr_auc"] > decision["champion_pr_auc"] + 0.01
    assert state["champion"] == state["challenger"] == decision["challenger"] == "v0002"
    assert "promoted v0002" in caplog.text
    card = json.loads((registry.root / "v0002" / "card.json").read_text())
    assert card["data"]["test_rows"] == decision["held_out_rows"]


def test_a_challenger_within_the_margin_is_not_promoted(
    registry_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "models"
    shutil.copytree(registry_dir, root)
    champion = Registry(root).champion_version()
    # No PR-AUC can beat another by more than 1.
    state = retrain(root, 1.0, caplog)
    decision = state["decisions"][-1]
    assert decision["promoted"] is False
    assert state["champion"] == champion
    assert state["challenger"] == decision["challenger"] != champion
    assert isinstance(decision["champion_pr_auc"], float)
    assert isinstance(decision["challenger_pr_auc"], float)
    assert f"kept {champion}" in caplog.text
