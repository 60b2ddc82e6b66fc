"""Shadow and promote on RisingWave, offline: the compiled shadow views obey RisingWave's rules,
never feed risk, cases or sinks, and the commands a change runs are exactly the ones intended."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline.dbt import dbt_args, invoke
from rules import store
from rules.dbt import SHADOW_SELECTION, compiled_models
from rules.deploy import Deployer, risingwave_target
from tests.detection.risingwave_rules import check, parse

SIGNAL_MODELS = {
    "mv_velocity_alerts",
    "mv_geo_impossible_trips",
    "mv_device_anomalies",
    "mv_cnp_spike",
    "mv_login_failure_storm",
    "mv_structuring_detection",
    "mv_correlated_alert_burst",
    "mv_account_takeover",
    "mv_signals",
}


@pytest.fixture(scope="module")
def shadow_compile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every model a shadow run of v2 could build, compiled for RisingWave (no server)."""
    target_dir = tmp_path_factory.mktemp("rw-shadow")
    variables = {**store.dbt_vars(store.load("v2"), env={}), "rule_set_role": "shadow"}
    invoke(
        dbt_args(
            "compile",
            target="risingwave",
            variables=variables,
            target_dir=target_dir,
            offline=True,
        ),
        risingwave_target({}).dbt_env,
    )
    return target_dir


def _aliases(target_dir: Path) -> dict[str, str]:
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    return {
        node["name"]: node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["enabled"]
    }


def test_a_shadow_run_builds_only_signals_under_shadow_names_and_the_comparison(
    shadow_compile: Path,
) -> None:
    aliases = _aliases(shadow_compile)
    folders = {
        path.parent.name
        for path in (shadow_compile / "compiled" / "fraud_detection" / "models").rglob("*.sql")
        if path.parent.parent.name == "models"
    }
    # Risk, cases, quality, sinks and the rule history are disabled: shadow feeds nothing.
    assert folders == {"sources", "staging", "intermediate", "signals", "shadow"}
    assert {name: aliases[name] for name in SIGNAL_MODELS} == {
        name: f"shadow_{name}" for name in SIGNAL_MODELS
    }
    assert aliases["mv_shadow_vs_live"] == "mv_shadow_vs_live"
    assert aliases["int_transactions"] == "int_transactions"


def test_shadow_views_pass_the_risingwave_rules_and_read_the_live_views(
    shadow_compile: Path,
) -> None:
    models = compiled_models(shadow_compile)
    aliases = _aliases(shadow_compile)
    for name in [*SIGNAL_MODELS, "mv_shadow_vs_live"]:
        sql = f'create materialized view if not exists "dev"."public"."{aliases[name]}" as\n'
        sql += models[name]
        assert check(sql) == [], name
        parse(sql)
    velocity = " ".join(models["mv_velocity_alerts"].split())
    assert '"dev"."public"."int_transactions"' in velocity
    assert "window_count >= 4" in velocity  # the candidate's threshold
    union = models["mv_signals"]
    assert '"dev"."public"."shadow_mv_velocity_alerts"' in union
    assert "insert into" not in union.lower()  # no signal log from shadow
    comparison = models["mv_shadow_vs_live"]
    assert '"dev"."public"."mv_signals"' in comparison
    assert '"dev"."public"."shadow_mv_signals"' in comparison
    # Analyst outcomes come from the live case status (the cases folder is off in shadow).
    assert '"dev"."public"."mv_case_status"' in comparison
    assert "mv_case_status" not in aliases


def test_an_unknown_rule_set_role_stops_dbt(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="rule_set_role: must be live or shadow"):
        invoke(
            dbt_args(
                "compile",
                target="risingwave",
                variables={"rule_set_role": "canary"},
                target_dir=tmp_path,
                offline=True,
                select=["mv_velocity_alerts"],
            ),
            risingwave_target({}).dbt_env,
        )


def test_the_commands_of_shadow_and_promote_on_risingwave(tmp_path: Path) -> None:
    deployer = Deployer(risingwave_target({}), work_dir=tmp_path)
    v1, v2 = store.load("v1"), store.load("v2")
    # A lower velocity threshold changes the velocity view only; `+` rebuilds what reads it.
    assert deployer.affected_models(v1, v2) == ["mv_velocity_alerts"]
    rebuild = deployer.rebuild_args(v2, ["mv_velocity_alerts"])
    assert rebuild[0] == "run"
    assert rebuild[rebuild.index("--target") + 1] == "risingwave"
    assert rebuild[rebuild.index("--select") + 1 :] == ["mv_velocity_alerts+"]
    assert "--full-refresh" in rebuild
    assert json.loads(rebuild[rebuild.index("--vars") + 1]) == store.dbt_vars(v2)
    shadow = deployer.shadow_args(v2)
    assert shadow[shadow.index("--select") + 1 :] == list(SHADOW_SELECTION)
    assert json.loads(shadow[shadow.index("--vars") + 1]) == {
        **store.dbt_vars(v2),
        "rule_set_role": "shadow",
    }
    assert "--full-refresh" in shadow
