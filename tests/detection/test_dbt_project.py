"""The dbt project's shape: every model with a data row has a key test, and selectors.yml separates
the long-lived sources and sinks from the transformations between them. Offline (risingwave
target, no server: sinks are enabled there)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from offline.schema import DBT_PROJECT_DIR

DBT = Path(sys.executable).with_name("dbt")
KEY_TESTS = {"unique", "unique_columns", "single_row"}
# Models without a key: sources and the checks on them hold every consumed message (a redelivered
# message is a second row, an id may be missing: that is what the check reports); sinks hold no
# rows of their own.
KEYLESS_FOLDERS = {"sources", "sinks"}
KEYLESS = {
    "stg_alerts_checked",
    "stg_card_events_checked",
    "stg_fraud_labels_checked",
    "stg_kyc_profiles_checked",
    "stg_logins_checked",
    "stg_lookalike_labels_checked",
    "stg_transactions_checked",
    "int_ingested_events",
    "mv_rejected_events",
    # mv_shadow_vs_live before a shadow run: no rows, ever (the shadow comparison has its key test).
    "mv_shadow_vs_live_pending",
}


def _dbt(target: Path, *args: str) -> str:
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "risingwave",
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--quiet",
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dbt-parse")
    _dbt(path, "parse")
    return path


def _models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["enabled"]
    }


def test_every_model_with_rows_has_a_key_test(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    keyed = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") in KEY_TESTS
    }
    missing = sorted(
        name
        for name, node in _models(manifest).items()
        if node["unique_id"] not in keyed
        and node["fqn"][1] not in KEYLESS_FOLDERS
        and name not in KEYLESS
    )
    assert missing == []


def test_selectors_separate_sources_and_sinks_from_transformations(target: Path) -> None:
    manifest = json.loads((target / "manifest.json").read_text())
    models = set(_models(manifest))

    def selected(selector: str) -> set[str]:
        listed = _dbt(
            target, "ls", "--selector", selector, "--resource-type", "model", "--output", "name"
        )
        return set(listed.split())

    sources, sinks = selected("sources"), selected("sinks")
    assert sources == {name for name in models if name.startswith("src_")}
    assert sinks == {name for name in models if name.startswith("sink_")}
    assert selected("transformations") == models - sources - sinks
