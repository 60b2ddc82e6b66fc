"""The detection contract (common/contract.yml) is the one home of signal types, scenarios,
outcomes, channels and topics: dbt and the services follow it, and a signal added there reaches
every list built from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.contract import (
    CONTRACT,
    CONTRACT_FILE,
    DBT_MACRO_FILE,
    ContractError,
    dbt_macro,
    load,
    parse,
)
from tests.stack.stack_files import ROOT

DBT = Path(sys.executable).with_name("dbt")
NEW_SIGNAL = "dormant_reactivation"
NEW_MODEL = "mv_dormant_reactivation"
NEW_MEMBERS = "int_dormant_reactivation_members"
NEW_OUTCOME = "referred_to_police"
# A long window: the input retention margin must grow from 3 hours to ceil((2 * 600 + 5) / 60).
NEW_WINDOW_MINUTES = 600
# What the services' lists are, read in a fresh interpreter that imports the copy's contract.
_PYTHON_LISTS = """
import json
from alerter.settings import SIGNAL_TYPES as alerter_signal_types
from cases.workflow import OUTCOMES, SIGNAL_TYPES as case_signal_types
from grafana.dashboards.fraud_operations import SIGNAL_TYPES as dashboard_signal_types
from rules.schema import signal_types
print(json.dumps({
    "alerter": sorted(alerter_signal_types),
    "cases": sorted(case_signal_types),
    "outcomes": list(OUTCOMES),
    "dashboard": list(dashboard_signal_types),
    "rules": list(signal_types()),
}))
"""


def _raw() -> dict[str, Any]:
    return yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))


def test_the_dbt_macro_is_generated_from_the_current_contract() -> None:
    assert DBT_MACRO_FILE.read_text(encoding="utf-8") == dbt_macro(load()), "run `make contract`"


def test_a_scenario_naming_an_unknown_signal_is_refused() -> None:
    raw = _raw()
    raw["scenarios"]["card_testing"]["also"] = ["no_such_signal"]
    with pytest.raises(ContractError, match=r"scenarios\.card_testing: unknown signal"):
        parse(raw)


def test_card_not_present_channels_must_be_channels() -> None:
    raw = _raw()
    raw["card_not_present_channels"] = ["ecommerce", "telepathy"]
    with pytest.raises(ContractError, match="card_not_present_channels"):
        parse(raw)


def test_the_services_topics_are_the_contracts() -> None:
    from alerter.settings import AlerterSettings
    from decisions.settings import DecisionSettings
    from producers.models import TOPICS
    from scoring.settings import ScoringSettings

    def default(model: Any, field: str) -> str:
        return str(model.model_fields[field].default)

    assert default(AlerterSettings, "topic") == CONTRACT.sink_topics["fraud_cases"]
    assert default(ScoringSettings, "alert_topic") == CONTRACT.sink_topics["fraud_cases"]
    features = CONTRACT.sink_topics["transaction_features"]
    assert default(ScoringSettings, "features_topic") == features
    scorer_outputs = (
        default(ScoringSettings, "scores_topic"),
        default(ScoringSettings, "drift_topic"),
    )
    decisions = default(DecisionSettings, "decisions_topic")
    assert set(CONTRACT.source_topics) == {*TOPICS, *scorer_outputs, decisions}


def _copy_project(root: Path) -> None:
    """fraud_detection/ and common/ under `root`, with a new signal, scenario and outcome."""
    shutil.copytree(
        ROOT / "fraud_detection",
        root / "fraud_detection",
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    shutil.copytree(ROOT / "common", root / "common", ignore=shutil.ignore_patterns("__pycache__"))
    raw = _raw()
    raw["signals"][NEW_SIGNAL] = {
        "model": NEW_MODEL,
        "members": NEW_MEMBERS,
        "input_span": {"window": "dormant_window_minutes", "unit": "minutes", "windows": 2},
    }
    raw["scenarios"]["dormant_account_takeover"] = {"primary": NEW_SIGNAL}
    raw["outcomes"][NEW_OUTCOME] = {"count_column": "referrals_to_police"}
    (root / "common" / "contract.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    (root / "fraud_detection" / "macros" / "contract.sql").write_text(dbt_macro(parse(raw)))
    (root / "fraud_detection" / "models" / "signals" / f"{NEW_MODEL}.sql").write_text(
        "select signal_id, cast('dormant_reactivation' as varchar) as signal_type, customer_id,"
        " account_id, card_token, detected_at, first_event_at, event_count, total_amount, reason"
        " from {{ ref('mv_velocity_alerts') }}\n"
    )
    (root / "fraud_detection" / "models" / "signals" / f"{NEW_MEMBERS}.sql").write_text(
        "select signal_id, cast('dormant_reactivation' as varchar) as signal_type, event_id"
        " from {{ ref('int_velocity_members') }}\n"
    )


def _compile(project: Path, target: Path) -> Path:
    """Offline risingwave compile of `project`; the folder of its compiled models."""
    weights = {**yaml.safe_load((ROOT / "rules" / "v1.yml").read_text())["rules"]["risk_weights"]}
    weights[NEW_SIGNAL] = 0.5
    variables = {"risk_weights": weights, "dormant_window_minutes": NEW_WINDOW_MINUTES}
    subprocess.run(
        [
            str(DBT),
            "compile",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "risingwave",
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--vars",
            json.dumps(variables),
            "--no-populate-cache",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target / "compiled" / "fraud_detection" / "models"


def test_a_signal_added_to_the_contract_reaches_every_list(tmp_path: Path) -> None:
    _copy_project(tmp_path)
    models = _compile(tmp_path / "fraud_detection", tmp_path / "target")

    signals_sql = (models / "signals" / "mv_signals.sql").read_text()
    assert f'from "dev"."public"."{NEW_MODEL}"' in signals_sql
    assert f"select * from {NEW_MODEL}" in signals_sql
    members_sql = (models / "risk" / "int_signal_transactions.sql").read_text()
    assert f'from "dev"."public"."{NEW_MEMBERS}"' in members_sql
    assert f"select * from {NEW_MEMBERS}" in members_sql
    risk_sql = (models / "risk" / "mv_account_risk_score_realtime.sql").read_text()
    assert f"as {NEW_SIGNAL}_contribution" in risk_sql
    scenario_sql = (models / "quality" / "int_scenario_signals.sql").read_text()
    assert f"cast('{NEW_SIGNAL}' as varchar) as signal_type" in scenario_sql
    labels_sql = (models / "staging" / "stg_fraud_labels_checked.sql").read_text()
    assert "'dormant_account_takeover'" in labels_sql
    performance_sql = (models / "quality" / "mv_rule_performance.sql").read_text()
    assert f"(where outcome = '{NEW_OUTCOME}') as referrals_to_police" in performance_sql
    # Input retention: 24 h of output retention plus the new, longest input span.
    margin = -(-(2 * NEW_WINDOW_MINUTES + 5) // 60)
    transactions_sql = (models / "staging" / "stg_transactions_checked.sql").read_text()
    assert f"interval '{24 + margin} hours'" in transactions_sql
    accepted = next((models / "signals" / "_signals.yml").glob("accepted_values_mv_signals_*"))
    assert f"'{NEW_SIGNAL}'" in accepted.read_text()

    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    completed = subprocess.run(
        [sys.executable, "-c", _PYTHON_LISTS],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
    )
    lists = json.loads(completed.stdout)
    expected = sorted([*CONTRACT.signal_types, NEW_SIGNAL])
    assert lists["alerter"] == lists["cases"] == expected
    assert lists["dashboard"] == lists["rules"] == [*CONTRACT.signal_types, NEW_SIGNAL]
    assert lists["outcomes"] == [*CONTRACT.outcomes, NEW_OUTCOME]
