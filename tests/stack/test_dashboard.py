"""The generated dashboard: reproducible, on the one datasource, reading only public views."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlglot
from sqlglot import exp

from grafana.dashboards.__main__ import OUTPUT, render
from grafana.dashboards.sql_query import DATASOURCE_TYPE, DATASOURCE_UID
from tests.stack.dashboard_queries import load_dashboard, panel_queries
from tests.stack.grafana_macros import TimeRange, expand

# The public view contract of the dbt project (names are a contract with users).
PUBLIC_VIEWS = {
    "mv_velocity_alerts",
    "mv_geo_impossible_trips",
    "mv_device_anomalies",
    "mv_cnp_spike",
    "mv_login_failure_storm",
    "mv_structuring_detection",
    "mv_correlated_alert_burst",
    "mv_account_takeover",
    "mv_account_risk_score_realtime",
    "mv_fraud_kpis_1min",
    "mv_signals_per_minute",
    "mv_merchant_risk",
    "mv_channel_risk",
    "mv_flagged_transactions",
    "mv_open_fraud_cases",
    "mv_detection_quality_by_scenario",
    "mv_detection_quality_by_signal",
    "mv_rule_performance",
    "mv_rejected_events",
    "mv_data_quality_summary",
    "mv_events_per_minute",
    "mv_topic_freshness",
    "mv_false_positives_by_lookalike_kind",
    "mv_false_positives_by_lookalike_kind_signal",
    "mv_alerts_per_1000_transactions",
    "mv_account_risk_pr_curve",
    "mv_account_risk_average_precision",
    "mv_card_precision_at_100_daily",
    "mv_model_drift",
    "mv_ml_anomaly",
    "mv_decisions_per_minute",
}
DASHBOARD = load_dashboard()
QUERIES = panel_queries(DASHBOARD)
SOME_RANGE = TimeRange(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 1, tzinfo=UTC))


def test_committed_json_is_what_the_code_generates() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == render()
    # Twice in a row: nothing in the output depends on time, order of dicts or randomness.
    assert render() == render()


def test_check_mode_flags_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "dashboard.json"
    stale.write_text(render().replace("10s", "1m"), encoding="utf-8")
    command = [sys.executable, "-m", "grafana.dashboards", "--check", "--output"]
    assert subprocess.run([*command, str(stale)], capture_output=True, check=False).returncode == 1
    assert subprocess.run([*command, str(OUTPUT)], capture_output=True, check=False).returncode == 0


def test_dashboard_identity() -> None:
    assert DASHBOARD["title"] == "Fraud Operations Centre"
    assert DASHBOARD["uid"] == "fraud-operations-centre"
    assert DASHBOARD["refresh"] == "10s"
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))


def test_every_panel_queries_the_provisioned_datasource() -> None:
    for panel in DASHBOARD["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": DATASOURCE_TYPE, "uid": DATASOURCE_UID}
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
            assert target["rawQuery"] is True
            assert target["editorMode"] == "code"
            assert target["format"] in {"table", "time_series"}


def test_panels_cover_the_operations_view() -> None:
    types = {panel["type"] for panel in DASHBOARD["panels"]}
    assert {"stat", "timeseries", "table", "geomap"} <= types
    assert len(QUERIES) >= 15


def _tables(sql: str) -> set[str]:
    """Tables a query reads; it must parse as PostgreSQL and as RisingWave SQL."""
    for dialect in ("risingwave", "postgres"):
        tree = sqlglot.parse_one(sql, read=dialect)
        # sqlglot turns what it cannot parse into an opaque Command instead of failing.
        assert not isinstance(tree, exp.Command), f"{dialect} cannot parse:\n{sql}"
    return {table.name for table in tree.find_all(exp.Table)}


def test_queries_read_only_public_views() -> None:
    for query in QUERIES:
        sql = expand(query.raw_sql, SOME_RANGE, timedelta(minutes=1))
        tables = _tables(sql)
        assert tables, query.panel
        assert tables <= PUBLIC_VIEWS, f"{query.panel} reads {tables - PUBLIC_VIEWS}"


def test_queries_are_single_statements_without_comments() -> None:
    # Grafana prepares one statement per query, and newer versions strip comments.
    for query in QUERIES:
        assert ";" not in query.raw_sql, query.panel
        assert "--" not in query.raw_sql and "/*" not in query.raw_sql, query.panel
