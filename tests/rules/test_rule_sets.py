"""Rule set files: the schema, its one-line errors, the active version, and the dbt defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from offline.schema import DBT_PROJECT_DIR
from rules import diff, history, store
from rules.history import RuleChange
from rules.schema import Rules, RuleSetError, parse_rule_set

# dbt vars that are not rules: retention, case identity, ingestion checks, label matching, the
# broker address, and which rule set a run builds.
NON_RULE_VARS = {
    "retention_hours",
    "case_horizon_hours",
    "max_future_skew_minutes",
    "label_match_grace_minutes",
    "kafka_bootstrap_server",
    "rule_set_role",
    # The model's feature history: part of the model's definition (scoring/features.py), not a rule.
    "feature_history_hours",
}
VAR_CALL = re.compile(r"""var\(\s*['"]([a-z_]+)['"]""")


def _dbt_defaults() -> dict[str, object]:
    document = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return document["vars"]


def _v1_text() -> str:
    return store.rule_set_path("v1").read_text(encoding="utf-8")


def test_every_rule_set_file_is_valid_and_the_active_one_exists() -> None:
    assert store.versions() >= ["v1", "v2"]
    for version in store.versions():
        assert store.load(version).version == version
    assert store.active_version() in store.versions()


def test_dbt_project_defaults_equal_the_active_rule_set() -> None:
    defaults = _dbt_defaults()
    active = store.dbt_vars(store.load(store.active_version()), env={})
    threshold = re.fullmatch(
        r"\{\{ env_var\('STRUCTURING_THRESHOLD', '(\d+)'\) \}\}",
        str(defaults["structuring_threshold"]),
    )
    assert threshold is not None
    defaults = {**defaults, "structuring_threshold": int(threshold.group(1))}
    assert {name: defaults[name] for name in active} == active
    assert set(defaults) - set(active) == NON_RULE_VARS


def test_the_rule_set_holds_every_var_the_sql_reads_and_nothing_else() -> None:
    sql = [
        path.read_text(encoding="utf-8")
        for folder in ("models", "macros")
        for path in (DBT_PROJECT_DIR / folder).rglob("*.sql")
    ]
    read = {name for text in sql for name in VAR_CALL.findall(text)}
    assert read - NON_RULE_VARS == set(Rules.model_fields)


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("velocity_min_transactions: 5", "velocity_min_transactions: five"),
            "v9.yml: rules.velocity_min_transactions: Input should be a valid integer",
        ),
        (
            ("velocity_min_transactions: 5", "velocity_min_transactions: 1"),
            "v9.yml: rules.velocity_min_transactions: Input should be greater than or equal to 2",
        ),
        (
            ("  velocity_window_seconds: 60\n", ""),
            "v9.yml: rules.velocity_window_seconds: is required",
        ),
        (
            ("  takeover_window_minutes: 30", "  takeover_window_minutes: 30\n  velocty_min: 3"),
            "v9.yml: rules.velocty_min: Extra inputs are not permitted",
        ),
        (
            ("    account_takeover: 0.8\n", ""),
            "v9.yml: risk_weights: needs one weight per signal type",
        ),
        (
            ("risk_level_high: 0.6", "risk_level_high: 0.9"),
            "v9.yml: risk_level_medium < risk_level_high < risk_level_critical must hold",
        ),
        (
            ("geo_location_channels: null", "geo_location_channels: [pos, branch]"),
            "v9.yml: geo_location_channels: must list distinct channels of",
        ),
        (
            ("velocity_sustained_min_transactions: null", "velocity_sustained_min_transactions: 7"),
            "v9.yml: velocity sustained: set all of velocity_sustained_min_transactions,",
        ),
        (
            ("card_testing_max_amount: null", "card_testing_max_amount: 10"),
            "v9.yml: card_testing_max_amount: set it exactly when a card testing path is on",
        ),
        (("version: v9", "version: v8"), "v9.yml: version: must equal the file name 'v9'"),
        (("rules:\n", "rules: [\n"), "v9.yml: not valid YAML at line"),
    ],
)
def test_an_invalid_rule_set_gets_one_line_naming_the_field(
    change: tuple[str, str], message: str
) -> None:
    text = _with(_v1_text(), "version: v1", "version: v9")
    with pytest.raises(RuleSetError) as raised:
        parse_rule_set(_with(text, *change), source="v9.yml", version="v9")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_an_unknown_version_names_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "v1.yml").write_text(_v1_text(), encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"^rule set 'v7': no file v7.yml \(known: v1\)$"):
        store.load("v7", tmp_path)
    with pytest.raises(RuleSetError, match="must match"):
        store.load("../etc/passwd", tmp_path)


def test_structuring_threshold_follows_the_producer_setting() -> None:
    rule_set = store.load("v1")
    assert store.dbt_vars(rule_set, env={})["structuring_threshold"] == 10000
    assert (
        store.dbt_vars(rule_set, env={"STRUCTURING_THRESHOLD": "5000"})["structuring_threshold"]
        == 5000
    )
    with pytest.raises(RuleSetError, match=r"^STRUCTURING_THRESHOLD: must be a number above 0"):
        store.dbt_vars(rule_set, env={"STRUCTURING_THRESHOLD": "lots"})


def test_publishing_a_version_validates_it_first(tmp_path: Path) -> None:
    (tmp_path / "v1.yml").write_text(_v1_text(), encoding="utf-8")
    (tmp_path / "v2.yml").write_text(_with(_v1_text(), "version: v1", "version: v3"), "utf-8")
    store.set_active_version("v1", tmp_path)
    assert store.active_version(tmp_path) == "v1"
    with pytest.raises(RuleSetError, match="version: must equal the file name"):
        store.set_active_version("v2", tmp_path)
    assert store.active_version(tmp_path) == "v1"


def test_diff_names_each_changed_rule_and_what_it_drives() -> None:
    changes = diff.diff(store.load("v1"), store.load("v2"))
    assert changes == [diff.Change("velocity_min_transactions", 5, 4, "velocity")]
    text = diff.render(store.load("v1"), store.load("v2"))
    assert re.search(r"velocity_min_transactions\s+5\s+4\s+velocity", text)
    assert diff.render(store.load("v1"), store.load("v1")).endswith("no rule changes")
    assert diff.drives("high_value_amount") == "device_anomaly, account_takeover"
    assert diff.drives("risk_level_high") == "risk score, cases"


def _change(action: str, before: str, after: str) -> RuleChange:
    return RuleChange(f"{action}-{after}", None, action, before, after, "me", "why", "")  # type: ignore[arg-type]


def test_rollback_undoes_the_latest_promote_not_yet_undone() -> None:
    promote_2 = _change("promote", "v1", "v2")
    promote_3 = _change("promote", "v2", "v3")
    assert history.rollback_target([]) is None
    assert history.rollback_target([promote_2]) == "v1"
    assert history.rollback_target([promote_2, promote_3]) == "v2"
    back_to_2 = _change("rollback", "v3", "v2")
    assert history.rollback_target([promote_2, promote_3, back_to_2]) == "v1"
    back_to_1 = _change("rollback", "v2", "v1")
    assert history.rollback_target([promote_2, promote_3, back_to_2, back_to_1]) is None
