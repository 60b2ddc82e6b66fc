"""The "Rule changes" dashboard: a candidate rule set in shadow against the live one, and the
history of rule changes; the same history marks the Fraud Operations Centre as annotations.

Reads only public views: mv_shadow_vs_live (a candidate in shadow after
`make rules-shadow CANDIDATE=v3`, against labels and analyst outcomes; before any shadow run the
live run's empty stand-in, models/rules/mv_shadow_vs_live_pending.sql) and mv_rule_history.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import table
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.models.dashboard import AnnotationQuery, Dashboard

from grafana.dashboards.panels import table_panel
from grafana.dashboards.sql_query import DATASOURCE, SqlQuery, _tidy

UID = "rule-changes"
TITLE = "Rule changes"
# What the comparison panels show while mv_shadow_vs_live has no rows.
NO_SHADOW_RUN = "No shadow run yet"

# Grafana's SQL annotations read `time`, `text` and `tags` columns.
RULE_CHANGE_SQL = """
select
    changed_at as "time",
    action || ': ' || from_version || ' -> ' || to_version || ' by ' || changed_by
        || ' (' || reason || ')' as "text",
    'rules,' || action as "tags"
from mv_rule_history
where $__timeFilter(changed_at)
order by changed_at
"""


class SqlAnnotation(AnnotationQuery):
    """An annotation fed by a SQL query (the SDK's AnnotationTarget is Prometheus-shaped)."""

    def __init__(self, name: str, sql: str, icon_color: str) -> None:
        super().__init__(name=name, datasource=DATASOURCE, enable=True, icon_color=icon_color)
        self.query = SqlQuery(ref_id="Anno", raw_sql=_tidy(sql), format="table")

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "target": self.query.to_json()}


class RuleChangeAnnotation(cogbuilder.Builder[AnnotationQuery]):
    def build(self) -> AnnotationQuery:
        return SqlAnnotation("Rule changes", RULE_CHANGE_SQL, "purple")


def rule_change_annotation() -> RuleChangeAnnotation:
    """Every promote and rollback as a marker on time series panels."""
    return RuleChangeAnnotation()


def panels() -> list[table.Panel]:
    return [
        table_panel(
            "Live vs shadow per signal",
            "The candidate in shadow (shadow_mv_*) against the live rules on the same traffic:"
            " detections of each, those only one makes, and precision against the injected"
            ' labels. "No shadow run yet" until `make rules-shadow CANDIDATE=<version>` has run.',
            """
            select
                signal_type,
                live_detections,
                shadow_detections,
                shadow_only_detections,
                live_only_detections,
                round(cast(live_true_positives as numeric)
                    / cast(nullif(live_detections, 0) as numeric), 4) as live_precision,
                round(cast(shadow_true_positives as numeric)
                    / cast(nullif(shadow_detections, 0) as numeric), 4) as shadow_precision
            from mv_shadow_vs_live
            order by signal_type
            """,
            units={"live_precision": "percentunit", "shadow_precision": "percentunit"},
            span=24,
            height=9,
            no_value=NO_SHADOW_RUN,
        ),
        table_panel(
            "Analyst outcomes, live vs shadow",
            "Detections of each rule set that a closed case of the same account spans (from the"
            " case's opening to its closure), by the analyst's outcome; a detection counts once"
            ' per outcome. Shadow detections are judged by the live cases. "No shadow run'
            ' yet" until `make rules-shadow CANDIDATE=<version>` has run.',
            """
            select
                signal_type,
                live_confirmed_fraud,
                shadow_confirmed_fraud,
                live_false_positives,
                shadow_false_positives,
                live_benign_but_useful,
                shadow_benign_but_useful
            from mv_shadow_vs_live
            order by signal_type
            """,
            span=24,
            height=9,
            no_value=NO_SHADOW_RUN,
        ),
        table_panel(
            "Rule history",
            "Every rule set change: who, when, from, to, why, and the views it rebuilt.",
            """
            select
                changed_at,
                action,
                from_version,
                to_version,
                changed_by,
                reason,
                rebuilt_models
            from mv_rule_history
            order by changed_at desc
            """,
            span=24,
            height=8,
        ),
    ]


def build() -> Dashboard:
    board = (
        dashboard_builders.Dashboard(TITLE)
        .uid(UID)
        .description("Rule sets: a candidate in shadow against the live rules, and every change.")
        .tags(["fraud", "rules", "generated"])
        .refresh("30s")
        .time("now-24h", "now")
        .timezone("browser")
        .readonly()
        .variables([])
        .annotations([rule_change_annotation()])
    )
    for panel_id, panel in enumerate(panels(), start=1):
        board = board.with_panel(panel.id(panel_id))
    return board.build()
