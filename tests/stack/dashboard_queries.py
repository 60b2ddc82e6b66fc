"""Run every query of the generated dashboard against PostgreSQL, as Grafana would send it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.stack.grafana_macros import TimeRange, expand

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "grafana" / "provisioning" / "dashboards" / "fraud-operations-centre.json"
RULE_CHANGES_DASHBOARD = DASHBOARD.with_name("rule-changes.json")
# The view only a shadow run fills (models/shadow); a live run builds it empty
# (models/rules/mv_shadow_vs_live_pending.sql) and its panels say so.
SHADOW_VIEW = "mv_shadow_vs_live"
NO_SHADOW_RUN = "No shadow run yet"


@dataclass(frozen=True)
class PanelQuery:
    panel: str
    ref_id: str
    format: str
    raw_sql: str


# PostgreSQL type oid of timestamptz: Grafana needs time columns that carry a time zone.
TIMESTAMPTZ_OID = 1184


@dataclass(frozen=True)
class QueryResult:
    query: PanelQuery
    sql: str
    columns: tuple[str, ...]
    type_oids: tuple[int, ...]
    rows: list[tuple[Any, ...]]

    def type_of(self, column: str) -> int:
        return self.type_oids[self.columns.index(column)]


def load_dashboard(path: Path = DASHBOARD) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def panel_queries(dashboard: dict[str, Any]) -> list[PanelQuery]:
    """Every SQL target of every panel (rows carry none)."""
    return [
        PanelQuery(panel["title"], target["refId"], target["format"], target["rawSql"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]


def no_value_text(dashboard: dict[str, Any], panel: str) -> str | None:
    """What Grafana shows in `panel` when its query returns no rows."""
    (found,) = (item for item in dashboard["panels"] if item["title"] == panel)
    return found.get("fieldConfig", {}).get("defaults", {}).get("noValue")


def run_query(
    connection: Any, query: PanelQuery, time_range: TimeRange, interval: timedelta
) -> QueryResult:
    """Expand the macros, run the statement, and return what came back."""
    sql = expand(query.raw_sql, time_range, interval)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        columns = tuple(column.name for column in cursor.description)
        type_oids = tuple(column.type_code for column in cursor.description)
        rows = cursor.fetchall()
    return QueryResult(query, sql, columns, type_oids, rows)
