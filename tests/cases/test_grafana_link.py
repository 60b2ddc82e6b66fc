"""Grafana's case table links every case id to its page in the case service."""

from __future__ import annotations

from tests.stack.dashboard_queries import load_dashboard
from tests.stack.stack_files import compose

DASHBOARD = load_dashboard()


def test_case_ids_link_to_the_analyst_page() -> None:
    panel = next(panel for panel in DASHBOARD["panels"] if panel["title"] == "Open fraud cases")
    override = next(
        item
        for item in panel["fieldConfig"]["overrides"]
        if item["matcher"]["options"] == "case_id"
    )
    links = next(prop["value"] for prop in override["properties"] if prop["id"] == "links")
    assert [link["url"] for link in links] == ["${case_service_url}/ui/cases/${__value.raw}"]


def test_the_link_default_is_the_published_port() -> None:
    variable = next(
        item for item in DASHBOARD["templating"]["list"] if item["name"] == "case_service_url"
    )
    ports = compose()["services"]["case-service"]["ports"]
    assert ports == ["127.0.0.1:${CASE_SERVICE_PORT:-8000}:8000"]
    assert variable["query"] == "http://localhost:8000"


def test_rule_performance_has_a_panel() -> None:
    sql = next(
        panel["targets"][0]["rawSql"]
        for panel in DASHBOARD["panels"]
        if panel["title"] == "Rule performance"
    )
    assert "from mv_rule_performance" in sql
    assert "analyst_precision" in sql and "label_precision" in sql
