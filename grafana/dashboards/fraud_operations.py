"""The "Fraud Operations Centre": what an analyst on shift watches, top to bottom.

Every query reads only the public views of the dbt project (`mv_...`), never a source or an
internal model, so the dashboard survives refactoring behind that contract.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.builders import geomap, stat, table, timeseries
from grafana_foundation_sdk.models.dashboard import Dashboard, DynamicConfigValue

from grafana.dashboards.panels import (
    geomap_panel,
    marker_layer,
    stat_panel,
    table_panel,
    timeseries_panel,
)
from grafana.dashboards.rule_changes import rule_change_annotation

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
            ).override_by_name("case_id", [case_page_link()]),
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
                "Precision, recall (apart on non-evasive and evasive instances) and median time"
                " to detect of each signal.",
                """
                select
                    signal_type,
                    detections,
                    true_positive_detections,
                    false_positive_detections,
                    precision,
                    instances_injected,
                    instances_detected,
                    recall,
                    recall_non_evasive,
                    instances_injected_evasive,
                    recall_evasive,
                    median_time_to_detect_s
                from mv_detection_quality_by_signal
                order by signal_type
                """,
                units={
                    "median_time_to_detect_s": "s",
                    "precision": "percentunit",
                    "recall": "percentunit",
                    "recall_evasive": "percentunit",
                    "recall_non_evasive": "percentunit",
                },
                height=8,
            ),
            table_panel(
                "Per scenario",
                "How many injected instances of each scenario its intended signal caught,"
                " evasive instances apart.",
                """
                select
                    scenario,
                    intended_signal,
                    instances_injected,
                    instances_detected,
                    recall,
                    instances_evasive,
                    recall_non_evasive,
                    recall_evasive,
                    median_time_to_detect_s
                from mv_detection_quality_by_scenario
                order by scenario
                """,
                units={
                    "median_time_to_detect_s": "s",
                    "recall": "percentunit",
                    "recall_evasive": "percentunit",
                    "recall_non_evasive": "percentunit",
                },
                height=8,
            ),
            stat_panel(
                "Alerts per 1,000 transactions",
                "Detections and open cases (high and critical) per 1,000 valid transactions in"
                " retention, and the cases on accounts the ground truth does not name.",
                """
                select
                    detections_per_1000_transactions as detections,
                    cases_per_1000_transactions as cases,
                    critical_cases_per_1000_transactions as critical_cases,
                    cases_without_fraud_per_1000_transactions as cases_without_fraud
                from mv_alerts_per_1000_transactions
                """,
                span=12,
            ),
            stat_panel(
                "Account risk average precision",
                "Area under the account risk score's precision/recall curve (average precision)"
                " and the highest recall any threshold reaches.",
                """
                select
                    average_precision,
                    max_recall
                from mv_account_risk_average_precision
                where score_name = 'account_risk_score'
                """,
                unit="percentunit",
                span=12,
            ),
            table_panel(
                "False positives per look-alike kind",
                "Honest look-alike episodes, those the rules bothered, and the false-positive"
                " detections attributed to each kind (unattributed: in no episode).",
                """
                select
                    lookalike_kind,
                    episodes,
                    episodes_flagged,
                    flagged_share,
                    false_positive_detections
                from mv_false_positives_by_lookalike_kind
                order by false_positive_detections desc, lookalike_kind
                """,
                units={"flagged_share": "percentunit"},
                height=8,
            ),
            table_panel(
                "False positives per look-alike kind and signal",
                "Which rule each kind of honest behaviour trips.",
                """
                select
                    lookalike_kind,
                    signal_type,
                    false_positive_detections,
                    episodes_flagged
                from mv_false_positives_by_lookalike_kind_signal
                order by false_positive_detections desc, lookalike_kind, signal_type
                """,
                height=8,
            ),
            table_panel(
                "Account risk precision/recall curve",
                "One point per risk-score threshold: accounts at or above it, how many the"
                " ground truth names, precision and recall.",
                """
                select
                    threshold,
                    flagged_accounts,
                    true_positive_accounts,
                    fraudulent_accounts,
                    precision,
                    recall
                from mv_account_risk_pr_curve
                where score_name = 'account_risk_score'
                order by threshold desc
                """,
                units={
                    "precision": "percentunit",
                    "recall": "percentunit",
                    "threshold": "percentunit",
                },
                height=8,
            ),
            table_panel(
                "Card Precision@100 per day",
                "Per UTC day, the share of the 100 riskiest cards that are compromised, and the"
                " day's compromised cards (the best possible is their number / 100).",
                """
                select
                    day_start,
                    cards_ranked,
                    cards_with_risk,
                    compromised_in_top,
                    compromised_cards,
                    card_precision_at_100
                from mv_card_precision_at_100_daily
                order by day_start desc
                limit 30
                """,
                units={"card_precision_at_100": "percentunit"},
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


# The analyst page's address as the browser sees it (CASE_SERVICE_PORT); editable on the board.
CASE_SERVICE_VARIABLE = "case_service_url"
CASE_SERVICE_DEFAULT = "http://localhost:8000"


def case_page_link() -> DynamicConfigValue:
    """A data link from a case_id cell to that case's page in the case service."""
    url = f"${{{CASE_SERVICE_VARIABLE}}}/ui/cases/${{__value.raw}}"
    return DynamicConfigValue(
        id_val="links",
        value=[{"title": "Work this case in the analyst page", "url": url, "targetBlank": True}],
    )


def case_service_variable() -> dashboard_builders.TextBoxVariable:
    return (
        dashboard_builders.TextBoxVariable(CASE_SERVICE_VARIABLE)
        .label("Case service")
        .description("Address of the case service, for the links from case ids.")
        .default_value(CASE_SERVICE_DEFAULT)
    )


def analyst_feedback() -> Row:
    return (
        "Analyst feedback",
        [
            table_panel(
                "Rule performance",
                "Per signal: hits, cases analysts closed, their outcomes, false-positive ratio,"
                " analyst precision beside label precision, median time to close.",
                """
                select
                    signal_type,
                    hits,
                    cases_closed,
                    confirmed_fraud,
                    false_positives,
                    benign_but_useful,
                    false_positive_ratio,
                    analyst_precision,
                    label_precision,
                    median_time_to_close_s
                from mv_rule_performance
                order by false_positive_ratio desc nulls last, signal_type
                """,
                units={
                    "analyst_precision": "percentunit",
                    "false_positive_ratio": "percentunit",
                    "label_precision": "percentunit",
                    "median_time_to_close_s": "s",
                },
                span=24,
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


def decisions() -> Row:
    """The decision service (decisions/): what it answered in the authorisation path."""
    return (
        "Decisions (authorisation path)",
        [
            timeseries_panel(
                "Decisions per minute by outcome",
                "Transactions the decision service approved, reviewed or declined, per minute of"
                " decision time; degraded: decided by the fallback policy without the account's"
                " state (DECISIONS_FALLBACK).",
                """
                select
                    window_start as "time",
                    approved as "approved",
                    reviewed as "reviewed",
                    declined as "declined",
                    degraded as "degraded"
                from mv_decisions_per_minute
                where $__timeFilter(window_start)
                order by window_start
                """,
            ),
            timeseries_panel(
                "Decline rate and decision time",
                "Declined share of decisions in percent, and the service's decision time per"
                " minute (p50, p99, milliseconds; publication excluded).",
                """
                select
                    window_start as "time",
                    decline_rate_pct as "decline rate %",
                    elapsed_p50_ms as "p50 ms",
                    elapsed_p99_ms as "p99 ms"
                from mv_decisions_per_minute
                where $__timeFilter(window_start)
                order by window_start
                """,
            ),
        ],
    )


ROWS = (
    kpis,
    decisions,
    traffic,
    risk,
    breakdowns,
    detection_quality,
    analyst_feedback,
    pipeline_health,
    model_monitoring,
)


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
        # Explicit lists: Grafana reads `templating.list` and `annotations.list`.
        .variables([case_service_variable()])
        .annotations([rule_change_annotation()])
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
