"""Every dashboard query runs on PostgreSQL with its macros expanded the way Grafana does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.stack import contract_views
from tests.stack.dashboard_queries import (
    NO_SHADOW_RUN,
    RULE_CHANGES_DASHBOARD,
    SHADOW_VIEW,
    TIMESTAMPTZ_OID,
    PanelQuery,
    QueryResult,
    load_dashboard,
    no_value_text,
    panel_queries,
    run_query,
)
from tests.stack.grafana_macros import TimeRange

DASHBOARD = load_dashboard()
QUERIES = panel_queries(DASHBOARD)
# Panels that must show data whenever the pipeline has run; the others may rightly be empty
# (no rejected events, say).
CORE_PANELS = {
    "Transactions / min",
    "Fraud rate %",
    "Open cases by severity",
    "Critical accounts",
    "Transactions and flagged transactions per minute",
    "Signals per minute by type",
    "Top-risk accounts",
    "Open fraud cases",
    "Merchants by flagged amount",
    "Channels",
    "Geo-impossible trips",
    "Per signal",
    "Per scenario",
    "Events per topic per minute",
    "Topic freshness",
    "Alerts per 1,000 transactions",
    "Account risk average precision",
    "Account risk precision/recall curve",
    "Card Precision@100 per day",
}
CONTRACT_RANGE = TimeRange(contract_views.START, contract_views.START + timedelta(hours=1))


def test_core_panels_exist() -> None:
    assert {query.panel for query in QUERIES} >= CORE_PANELS


def _check(result: QueryResult) -> None:
    query = result.query
    if query.format == "time_series":
        # Grafana refuses a time series frame without a `time` column; it must carry a zone.
        assert "time" in result.columns, query.panel
        assert result.type_of("time") == TIMESTAMPTZ_OID, query.panel
    if query.panel in CORE_PANELS:
        assert result.rows, f"{query.panel}: no rows from\n{result.sql}"


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.panel)
def test_query_runs_on_the_contract(contract_db: Any, query: PanelQuery) -> None:
    _check(run_query(contract_db, query, CONTRACT_RANGE, timedelta(seconds=10)))


@pytest.fixture(scope="module")
def replay_connection(fraud_replay: Any) -> Iterator[Any]:
    """The views dbt built from a seeded replay (FRAUD_RATE=0.1), on PostgreSQL."""
    connection = fraud_replay.database.connect()
    connection.autocommit = True
    yield connection
    connection.close()


def _default_range() -> TimeRange:
    """The dashboard's default time range ("now-30m" to "now"), with now = the replay's end."""
    from tests.support.replay import replay_end  # deferred like the fixture: it loads dbt

    match = re.fullmatch(r"now-(\d+)m", DASHBOARD["time"]["from"])
    assert match and DASHBOARD["time"]["to"] == "now"
    return TimeRange(replay_end() - timedelta(minutes=int(match.group(1))), replay_end())


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.panel)
def test_query_runs_on_the_replayed_views(replay_connection: Any, query: PanelQuery) -> None:
    _check(run_query(replay_connection, query, _default_range(), timedelta(seconds=10)))


RULE_CHANGES = load_dashboard(RULE_CHANGES_DASHBOARD)


@pytest.mark.parametrize("query", panel_queries(RULE_CHANGES), ids=lambda query: query.panel)
def test_rule_changes_query_runs_before_any_shadow_run(
    replay_connection: Any, query: PanelQuery
) -> None:
    """A live run builds the comparison view empty: its panels say there is no shadow run yet
    instead of failing on a missing view."""
    result = run_query(replay_connection, query, _default_range(), timedelta(seconds=10))
    if SHADOW_VIEW in query.raw_sql:
        assert result.rows == []
        assert no_value_text(RULE_CHANGES, query.panel) == NO_SHADOW_RUN
