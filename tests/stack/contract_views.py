"""A stand-in for the dbt project: tables named and shaped like the public view contract.

Used until (and beside) the backtest replay: it proves the dashboard's SQL matches the contract's
names and types. Rows are fixed and cover one hour from `START`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from grafana.dashboards.fraud_operations import SIGNAL_TYPES

START = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

_SIGNAL_COLUMNS = """
    signal_id text, signal_type text, customer_id text, account_id text, card_token text,
    detected_at timestamptz, first_event_at timestamptz, event_count int,
    total_amount numeric, reason text
"""
_CONTRIBUTIONS = ", ".join(f"{signal}_contribution numeric" for signal in SIGNAL_TYPES)

DDL = f"""
create table mv_fraud_kpis_1min (
    window_start timestamptz, window_end timestamptz, transaction_count bigint,
    flagged_transaction_count bigint, fraud_rate_pct numeric, total_amount numeric,
    flagged_amount numeric, signal_count bigint
);
create table mv_signals_per_minute (
    window_start timestamptz, signal_type text, signal_count bigint
);
create table mv_account_risk_score_realtime (
    account_id text, customer_id text, risk_score numeric, risk_level text, {_CONTRIBUTIONS},
    reason_codes text, signal_count bigint, last_signal_at timestamptz
);
create table mv_open_fraud_cases (
    case_id text, account_id text, customer_id text, severity text, risk_score numeric,
    recommended_action text, reason_codes text, opened_at timestamptz, updated_at timestamptz
);
create table mv_merchant_risk (
    merchant_id text, merchant_name text, merchant_category text, transaction_count bigint,
    flagged_transaction_count bigint, flagged_amount numeric
);
create table mv_channel_risk (
    channel text, transaction_count bigint, flagged_transaction_count bigint,
    flagged_amount numeric
);
create table mv_geo_impossible_trips (
    {_SIGNAL_COLUMNS}, from_latitude double precision, from_longitude double precision,
    from_city text, to_latitude double precision, to_longitude double precision, to_city text,
    distance_km double precision, speed_kmh double precision
);
create table mv_detection_quality_by_signal (
    signal_type text, detections bigint, true_positive_detections bigint, precision numeric,
    instances_injected bigint, instances_detected bigint, recall numeric,
    median_time_to_detect_s numeric, false_positive_detections bigint,
    instances_injected_non_evasive bigint, instances_detected_non_evasive bigint,
    recall_non_evasive numeric, instances_injected_evasive bigint,
    instances_detected_evasive bigint, recall_evasive numeric
);
create table mv_rule_performance (
    signal_type text, hits bigint, cases_closed bigint, confirmed_fraud bigint,
    false_positives bigint, benign_but_useful bigint, false_positive_ratio numeric,
    analyst_precision numeric, label_precision numeric, median_time_to_close_s numeric
);
create table mv_detection_quality_by_scenario (
    scenario text, intended_signal text, instances_injected bigint, instances_detected bigint,
    recall numeric, median_time_to_detect_s numeric, instances_evasive bigint,
    instances_detected_evasive bigint, recall_non_evasive numeric, recall_evasive numeric
);
create table mv_false_positives_by_lookalike_kind (
    lookalike_kind text, episodes bigint, episodes_flagged bigint, flagged_share numeric,
    false_positive_detections bigint
);
create table mv_false_positives_by_lookalike_kind_signal (
    lookalike_kind text, signal_type text, false_positive_detections bigint,
    episodes_flagged bigint
);
create table mv_alerts_per_1000_transactions (
    transactions bigint, detections bigint, cases bigint, critical_cases bigint,
    cases_without_fraud bigint, detections_per_1000_transactions numeric,
    cases_per_1000_transactions numeric, critical_cases_per_1000_transactions numeric,
    cases_without_fraud_per_1000_transactions numeric
);
create table mv_account_risk_pr_curve (
    score_name text, threshold numeric, flagged_accounts bigint, true_positive_accounts bigint,
    fraudulent_accounts bigint, precision numeric, recall numeric
);
create table mv_account_risk_average_precision (
    score_name text, thresholds bigint, fraudulent_accounts bigint,
    scored_fraudulent_accounts bigint, average_precision numeric, max_recall numeric
);
create table mv_card_precision_at_100_daily (
    day_start timestamptz, cards_ranked bigint, cards_with_risk bigint,
    compromised_in_top bigint, compromised_cards bigint, card_precision_at_100 numeric
);
create table mv_events_per_minute (window_start timestamptz, topic text, event_count bigint);
create table mv_topic_freshness (
    topic text, last_event_at timestamptz, last_ingested_at timestamptz, event_count bigint
);
create table mv_data_quality_summary (topic text, rejection_reason text, rejected_count bigint);
create table mv_rejected_events (
    topic text, event_id text, rejection_reason text, ingested_at timestamptz
);
create table mv_model_drift (
    model_version text, window_start timestamptz, window_end timestamptz, records int,
    drifted_features text, max_psi double precision, max_psi_feature text,
    max_ks double precision, is_drifted boolean
);
create table mv_ml_anomaly (
    {_SIGNAL_COLUMNS}, event_id text, score double precision, model_version text
);
create table mv_decisions_per_minute (
    window_start timestamptz, decisions bigint, approved bigint, reviewed bigint,
    declined bigint, degraded bigint, decline_rate_pct numeric,
    elapsed_p50_ms double precision, elapsed_p99_ms double precision
);
"""


def _minutes() -> list[datetime]:
    return [START + timedelta(minutes=offset) for offset in range(60)]


def rows() -> dict[str, list[tuple[Any, ...]]]:
    """A little of everything, so every panel has something to show."""
    minutes = _minutes()
    # One contribution per signal type, three of them non-zero.
    contributions = tuple(
        {0: 0.6, 3: 0.7, 7: 0.8}.get(index, 0.0) for index in range(len(SIGNAL_TYPES))
    )
    first_only = tuple(0.6 if index == 0 else 0.0 for index in range(len(SIGNAL_TYPES)))
    return {
        "mv_fraud_kpis_1min": [
            (minute, minute + timedelta(minutes=1), 1200, 12, 1.0, 90000, 4000, 3)
            for minute in minutes
        ],
        "mv_signals_per_minute": [
            (minute, signal, 1) for minute in minutes for signal in SIGNAL_TYPES[:3]
        ],
        "mv_account_risk_score_realtime": [
            (
                "A00000001",
                "C000001",
                0.98,
                "critical",
                *contributions,
                "velocity,cnp_spike,account_takeover",
                3,
                START + timedelta(minutes=30),
            ),
            ("A00000002", "C000002", 0.6, "high", *first_only, "velocity", 1, START),
        ],
        "mv_open_fraud_cases": [
            (
                "case-A00000001-1",
                "A00000001",
                "C000001",
                "critical",
                0.98,
                "block card and call customer",
                "velocity,cnp_spike,account_takeover",
                START,
                START + timedelta(minutes=30),
            ),
        ],
        "mv_merchant_risk": [("M00001", "Corner Store", "grocery", 400, 10, 1500)],
        "mv_channel_risk": [("pos", 700, 5, 800), ("ecommerce", 300, 7, 2700)],
        "mv_geo_impossible_trips": [
            (
                "geo-1",
                "geo_impossible",
                "C000001",
                "A00000001",
                None,
                START + timedelta(minutes=20),
                START,
                2,
                900,
                "2 transactions 16000 km apart",
                -33.87,
                151.21,
                "Sydney",
                51.51,
                -0.13,
                "London",
                16990.0,
                50970.0,
            ),
        ],
        "mv_detection_quality_by_signal": [
            (signal, 10, 9, 0.9, 10, 9, 0.9, 42, 1, 8, 8, 1.0, 2, 1, 0.5) for signal in SIGNAL_TYPES
        ],
        "mv_rule_performance": [
            (signal, 40, 10, 6, 3, 1, 0.3, 0.6, 0.9, 600) for signal in SIGNAL_TYPES
        ],
        "mv_detection_quality_by_scenario": [
            ("velocity_burst", "velocity", 10, 9, 0.9, 40, 2, 1, 1.0, 0.5),
        ],
        "mv_false_positives_by_lookalike_kind": [
            ("shopping_spree", 20, 5, 0.25, 6),
            ("unattributed", 0, 0, None, 1),
        ],
        "mv_false_positives_by_lookalike_kind_signal": [("shopping_spree", "velocity", 6, 5)],
        "mv_alerts_per_1000_transactions": [(72000, 180, 40, 12, 3, 2.5, 0.556, 0.167, 0.042)],
        "mv_account_risk_pr_curve": [
            ("account_risk_score", 0.92, 10, 10, 40, 1.0, 0.25),
            ("account_risk_score", 0.6, 40, 36, 40, 0.9, 0.9),
        ],
        "mv_account_risk_average_precision": [("account_risk_score", 2, 40, 36, 0.835, 0.9)],
        "mv_card_precision_at_100_daily": [(START.replace(hour=0), 100, 60, 55, 58, 0.55)],
        "mv_events_per_minute": [(minute, "transactions", 1200) for minute in minutes],
        "mv_topic_freshness": [
            ("transactions", minutes[-1], minutes[-1], 72000),
        ],
        "mv_data_quality_summary": [("transactions", "missing_amount", 2)],
        "mv_rejected_events": [("transactions", "evt-1", "missing_amount", minutes[5])],
        "mv_model_drift": [
            (
                "v0001",
                minute,
                minute + timedelta(minutes=5),
                3000,
                "amount" if index > 9 else "",
                1.4 if index > 9 else 0.02,
                "amount",
                0.5 if index > 9 else 0.03,
                index > 9,
            )
            for index, minute in enumerate(minutes[::5])
        ],
        "mv_ml_anomaly": [
            (
                "ml_anomaly:evt-9",
                "ml_anomaly",
                "C000001",
                "A00000001",
                None,
                START + timedelta(minutes=25),
                START + timedelta(minutes=25),
                1,
                2400,
                "model v0001 scored 0.97 (top feature amount_to_typical)",
                "evt-9",
                0.97,
                "v0001",
            ),
        ],
        "mv_decisions_per_minute": [
            (minute, 40, 37, 2, 1, 0, 2.5, 4.2, 11.8) for minute in minutes
        ],
    }


def create(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(DDL)
        for table, table_rows in rows().items():
            placeholders = ", ".join(["%s"] * len(table_rows[0]))
            cursor.executemany(f"insert into {table} values ({placeholders})", table_rows)
    connection.commit()
