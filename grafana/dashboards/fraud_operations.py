"""The "Fraud Operations Centre": what an analyst on shift watches, top to bottom.

Every query reads only the public views of the dbt project (`mv_...`), never a source or an
internal model, so the dashboard survives refactoring behind that contract.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import geomap, stat, table, timeseries
from grafana_foundation_sdk.models.dashboard import Dashboard

from grafana.dashboards.panels import (
    geomap_panel,
    marker_layer,
    stat_panel,
    table_panel,
    timeseries_panel,
)

UID = "fraud-operations-centre"
TITLE = "Fraud Operations Centre"

# The signal types, from their one home: the dbt var `risk_weights` (one weight per signal). Each
# has a `<type>_contribution` column in the risk view.
_DBT_PROJECT = Path(__file__).resolve().parents[2] / "fraud_detection" / "dbt_project.yml"
SIGNAL_TYPES: tuple[str, ...] = tuple(
    yaml.safe_load(_DBT_PROJECT.read_text(encoding="utf-8"))["vars"]["risk_weights"]
)

PanelBuilder = stat.Panel | timeseries.Panel | table.Panel | geomap.Panel
Row = tuple[str, list[PanelBuilder]]


def kpis() -> Row:
    return (
        "Right now",
        [
            stat_panel(
                "Transactions / min",
                "Transactions in the last complete minute (event time).",
                """
                select window_start as "time", transaction_count as "transactions"
                from mv_fraud_kpis_1min
                where $__timeFilter(window_start) and window_end <= $__timeTo()
                order by window_start
                """,
                query_format="time_series",
            ),
            stat_panel(
                "Fraud rate %",
                "Share of transactions in the time range that are part of at least one signal.",
                """
                select
                    round(
                        100.0 * sum(flagged_transaction_count)
                        / nullif(sum(transaction_count), 0),
                        2
                    ) as fraud_rate_pct
                from mv_fraud_kpis_1min
                where $__timeFilter(window_start)
                """,
                unit="percent",
                steps=((None, "green"), (2.0, "orange"), (5.0, "red")),
            ),
            stat_panel(
                "Open cases by severity",
                "Accounts with an open fraud case, by severity.",
                """
                select
                    count(*) filter (where severity = 'critical') as critical,
                    count(*) filter (where severity = 'high') as high
                from mv_open_fraud_cases
                """,
                steps=((None, "green"), (1.0, "orange")),
            ),
            stat_panel(
                "Critical accounts",
                "Accounts whose real-time risk level is critical.",
                """
                select count(*) as critical_accounts
                from mv_account_risk_score_realtime
                where risk_level = 'critical'
                """,
                steps=((None, "green"), (1.0, "red")),
            ),
        ],
    )


def traffic() -> Row:
    return (
        "Traffic and signals",
        [
            timeseries_panel(
                "Transactions and flagged transactions per minute",
                "All transactions and those part of a fraud signal, per event-time minute.",
                """
                select
                    window_start as "time",
                    transaction_count as "transactions",
                    flagged_transaction_count as "flagged transactions"
                from mv_fraud_kpis_1min
                where $__timeFilter(window_start)
                order by window_start
                """,
            ),
            timeseries_panel(
                "Signals per minute by type",
                "Detections per event-time minute, one line per signal type.",
                """
                select
                    window_start as "time",
                    signal_type as metric,
                    signal_count as signals
                from mv_signals_per_minute
                where $__timeFilter(window_start)
                order by window_start, signal_type
                """,
            ),
        ],
    )


def risk() -> Row:
    contributions = "".join(f",\n{' ' * 20}{signal}_contribution" for signal in SIGNAL_TYPES)
    return (
        "Accounts at risk",
        [
            table_panel(
                "Top-risk accounts",
                "The 20 riskiest accounts, with each signal's contribution to the score.",
                f"""
                select
                    account_id,
                    customer_id,
                    risk_score,
                    risk_level,
                    reason_codes,
                    signal_count,
                    last_signal_at{contributions}
                from mv_account_risk_score_realtime
                order by risk_score desc, last_signal_at desc
                limit 20
                """,
                units={"risk_score": "percentunit"},
                span=24,
            ),
            table_panel(
                "Open fraud cases",
                "One open case per high or critical account, critical first, with the next step.",
                """
                select
                    case_id,
                    severity,
                    account_id,
                    customer_id,
                    risk_score,
                    recommended_action,
                    reason_codes,
                    opened_at,
                    updated_at
                from mv_open_fraud_cases
                order by
                    case when severity = 'critical' then 0 else 1 end,
                    risk_score desc,
                    updated_at desc
                limit 50
                """,
                units={"risk_score": "percentunit"},
                span=24,
            ),
        ],
    )


def breakdowns() -> Row:
    return (
        "Where fraud happens",
        [
            table_panel(
                "Merchants by flagged amount",
                "Merchants whose transactions are most often part of a signal.",
                """
                select
                    merchant_id,
                    merchant_name,
                    merchant_category,
                    transaction_count,
                    flagged_transaction_count,
                    flagged_amount
                from mv_merchant_risk
                order by flagged_amount desc nulls last, merchant_id
                limit 15
                """,
                units={"flagged_amount": "currencyAUD"},
            ),
            table_panel(
                "Channels",
                "Transactions and flagged transactions per channel.",
                """
                select
                    channel,
                    transaction_count,
                    flagged_transaction_count,
                    round(
                        100.0 * flagged_transaction_count / nullif(transaction_count, 0), 2
                    ) as flagged_pct,
                    flagged_amount
                from mv_channel_risk
                order by channel
                """,
                units={"flagged_amount": "currencyAUD", "flagged_pct": "percent"},
            ),
            geomap_panel(
                "Geo-impossible trips",
                "Consecutive transactions of one account too far apart to travel between:"
                " origin in blue, destination in red.",
                """
                select
                    detected_at as "time",
                    account_id,
                    from_city,
                    to_city,
                    from_latitude,
                    from_longitude,
                    to_latitude,
                    to_longitude,
                    round(distance_km::numeric, 0) as distance_km,
                    round(speed_kmh::numeric, 0) as speed_kmh
                from mv_geo_impossible_trips
                where $__timeFilter(detected_at)
                order by detected_at desc
                limit 500
                """,
                [
                    marker_layer("Origin", "from_latitude", "from_longitude", "blue"),
                    marker_layer("Destination", "to_latitude", "to_longitude", "red"),
                ],
            ),
        ],
    )


def detection_quality() -> Row:
    return (
        "Detection quality (against injected ground truth)",
        [
            table_panel(
                "Per signal",
                "Precision, recall and median time to detect of each signal.",
                """
                select
                    signal_type,
                    detections,
                    true_positive_detections,
                    precision,
                    instances_injected,
                    instances_detected,
                    recall,
                    median_time_to_detect_s
                from mv_detection_quality_by_signal
                order by signal_type
                """,
                units={
                    "median_time_to_detect_s": "s",
                    "precision": "percentunit",
                    "recall": "percentunit",
                },
                height=8,
            ),
            table_panel(
                "Per scenario",
                "How many injected instances of each scenario its intended signal caught.",
                """
                select
                    scenario,
                    intended_signal,
                    instances_injected,
                    instances_detected,
                    recall,
                    median_time_to_detect_s
                from mv_detection_quality_by_scenario
                order by scenario
                """,
                units={"median_time_to_detect_s": "s", "recall": "percentunit"},
                height=8,
            ),
        ],
    )


def pipeline_health() -> Row:
    return (
        "Pipeline health",
        [
            timeseries_panel(
                "Events per topic per minute",
                "Ingested events per event-time minute, one line per topic.",
                """
                select
                    window_start as "time",
                    topic as metric,
                    event_count as events
                from mv_events_per_minute
                where $__timeFilter(window_start)
                order by window_start, topic
                """,
            ),
            table_panel(
                "Topic freshness",
                "Last event and ingestion time per topic; a growing lag means a stalled feed.",
                """
                select
                    topic,
                    event_count,
                    last_event_at,
                    last_ingested_at,
                    round(
                        (extract(epoch from now()) - extract(epoch from last_ingested_at))::numeric,
                        0
                    ) as seconds_since_last_ingest
                from mv_topic_freshness
                order by topic
                """,
                units={"seconds_since_last_ingest": "s"},
                height=8,
            ),
            table_panel(
                "Rejected events by reason",
                "Events that failed validation in the staging layer, counted per topic and reason.",
                """
                select
                    topic,
                    rejection_reason,
                    rejected_count
                from mv_data_quality_summary
                order by rejected_count desc, topic, rejection_reason
                """,
                height=8,
            ),
            table_panel(
                "Latest rejected events",
                "The most recent rejected events in the time range.",
                """
                select
                    ingested_at,
                    topic,
                    event_id,
                    rejection_reason
                from mv_rejected_events
                where $__timeFilter(ingested_at)
                order by ingested_at desc
                limit 100
                """,
                height=8,
            ),
        ],
    )


def model_monitoring() -> Row:
    """The learned scorer (scoring/): its signal, and the drift of its inputs."""
    return (
        "Model (learned scoring beside the rules)",
        [
            timeseries_panel(
                "Feature drift per window (largest PSI)",
                "PSI of the most drifted monitored feature per event-time window, against the"
                " champion's training data; above SCORING_DRIFT_PSI_THRESHOLD (with KS) the"
                " window drifts and the alerter is told.",
                """
                select
                    window_start as "time",
                    model_version as metric,
                    max_psi as max_psi
                from mv_model_drift
                where $__timeFilter(window_start)
                order by window_start, model_version
                """,
            ),
            table_panel(
                "Drifted windows",
                "The latest windows with at least one drifted feature.",
                """
                select
                    window_start,
                    model_version,
                    records,
                    drifted_features,
                    max_psi_feature,
                    round(max_psi::numeric, 3) as max_psi,
                    round(max_ks::numeric, 3) as max_ks
                from mv_model_drift
                where is_drifted and $__timeFilter(window_start)
                order by window_start desc
                limit 50
                """,
                height=8,
            ),
            table_panel(
                "Latest ml_anomaly detections",
                "Transactions the champion model scored at or above ml_anomaly_threshold.",
                """
                select
                    detected_at,
                    account_id,
                    total_amount,
                    round(score::numeric, 3) as score,
                    model_version,
                    reason
                from mv_ml_anomaly
                where $__timeFilter(detected_at)
                order by detected_at desc
                limit 50
                """,
                height=8,
            ),
        ],
    )


ROWS = (kpis, traffic, risk, breakdowns, detection_quality, pipeline_health, model_monitoring)


def build() -> Dashboard:
    board = (
        dashboard_builders.Dashboard(TITLE)
        .uid(UID)
        .description("Real-time fraud signals from RisingWave: KPIs, risk, cases, quality, health.")
        .tags(["fraud", "risingwave", "generated"])
        .refresh("10s")
        .time("now-30m", "now")
        .timezone("browser")
        .readonly()
        # Explicit empty lists: Grafana reads `templating.list` and `annotations.list`.
        .variables([])
        .annotations([])
    )
    panel_id = 0
    for make_row in ROWS:
        title, panels = make_row()
        panel_id += 1
        board = board.with_row(dashboard_builders.Row(title).id(panel_id))
        for panel in panels:
            panel_id += 1
            board = board.with_panel(panel.id(panel_id))
    return board.build()
