"""What a replay found, read back from the detection views."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg2.extensions import connection as Connection

from offline.database import Database

TOP_ACCOUNTS = 10


@dataclass(frozen=True)
class Report:
    signals: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    critical_accounts: int
    critical_accounts_without_fraud: int
    open_cases: int
    top_accounts: list[dict[str, Any]]
    top_cases: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    lookalike_kinds: list[dict[str, Any]]
    lookalike_kind_signals: list[dict[str, Any]]
    alerts: dict[str, Any]
    pr_curve: list[dict[str, Any]]
    average_precision: dict[str, Any]
    card_precision: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """JSON-friendly values: numerics as floats, timestamps as ISO strings."""
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def read_rows(conn: Connection, query: str) -> list[dict[str, Any]]:
    with conn.cursor() as cursor:
        cursor.execute(query)
        names = [column.name for column in cursor.description or ()]
        return [
            {name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in cursor.fetchall()
        ]


def _count(conn: Connection, query: str) -> int:
    with conn.cursor() as cursor:
        cursor.execute(query)
        (value,) = cursor.fetchone() or (0,)
        return int(value)


def read_report(database: Database) -> Report:
    """What the views of a built replay say."""
    conn = database.connect()
    try:
        return build_report(conn)
    finally:
        conn.close()


def build_report(conn: Connection) -> Report:
    signals = read_rows(
        conn,
        """
        select signal_type as signal, instances_injected as injected,
            instances_detected as detected, detections, true_positive_detections,
            false_positive_detections, precision, recall, median_time_to_detect_s,
            instances_injected_non_evasive as injected_non_evasive,
            instances_detected_non_evasive as detected_non_evasive, recall_non_evasive,
            instances_injected_evasive as injected_evasive,
            instances_detected_evasive as detected_evasive, recall_evasive
        from public.mv_detection_quality_by_signal order by signal_type
        """,
    )
    scenarios = read_rows(
        conn,
        """
        select scenario, intended_signal, instances_injected as injected,
            instances_detected as detected, recall, median_time_to_detect_s,
            instances_evasive as injected_evasive, instances_detected_evasive as detected_evasive,
            recall_non_evasive, recall_evasive
        from public.mv_detection_quality_by_scenario order by scenario
        """,
    )
    # An account "carries injected fraud" when its customer is the victim of a labelled instance.
    ((critical, critical_without_fraud),) = [
        (row["critical_accounts"], row["critical_accounts_without_fraud"])
        for row in read_rows(conn, "select * from public.mv_critical_accounts")
    ]
    open_cases = _count(conn, "select count(*) from public.mv_open_fraud_cases")
    top_accounts = read_rows(
        conn,
        f"""
        select account_id, customer_id, risk_score, risk_level, reason_codes, signal_count
        from public.mv_account_risk_score_realtime
        order by risk_score desc, account_id limit {TOP_ACCOUNTS}
        """,
    )
    top_cases = read_rows(
        conn,
        f"""
        select case_id, account_id, severity, risk_score, recommended_action, reason_codes
        from public.mv_open_fraud_cases
        order by risk_score desc, case_id limit {TOP_ACCOUNTS}
        """,
    )
    rejected = read_rows(
        conn,
        """
        select topic, rejection_reason, rejected_count from public.mv_data_quality_summary
        order by topic, rejection_reason
        """,
    )
    lookalike_kinds = read_rows(
        conn,
        # 'unattributed' last: it is no kind of honest behaviour.
        """
        select lookalike_kind, episodes, episodes_flagged, flagged_share,
            false_positive_detections
        from public.mv_false_positives_by_lookalike_kind
        order by lookalike_kind = 'unattributed', lookalike_kind
        """,
    )
    lookalike_kind_signals = read_rows(
        conn,
        """
        select lookalike_kind, signal_type, false_positive_detections, episodes_flagged
        from public.mv_false_positives_by_lookalike_kind_signal
        order by lookalike_kind = 'unattributed', lookalike_kind, signal_type
        """,
    )
    (alerts,) = read_rows(conn, "select * from public.mv_alerts_per_1000_transactions")
    pr_curve = read_rows(
        conn,
        """
        select threshold, flagged_accounts, true_positive_accounts, fraudulent_accounts,
            precision, recall
        from public.mv_account_risk_pr_curve
        where score_name = 'account_risk_score'
        order by threshold desc
        """,
    )
    average_precision = read_rows(
        conn,
        """
        select thresholds, fraudulent_accounts, scored_fraudulent_accounts, average_precision,
            max_recall
        from public.mv_account_risk_average_precision
        where score_name = 'account_risk_score'
        """,
    )
    card_precision = read_rows(
        conn,
        """
        select day_start, cards_ranked, cards_with_risk, compromised_in_top, compromised_cards,
            card_precision_at_100
        from public.mv_card_precision_at_100_daily
        order by day_start
        """,
    )
    return Report(
        signals,
        scenarios,
        critical,
        critical_without_fraud,
        open_cases,
        top_accounts,
        top_cases,
        rejected,
        lookalike_kinds,
        lookalike_kind_signals,
        alerts,
        pr_curve,
        # No scored account, no curve: the area is then undefined.
        average_precision[0] if average_precision else {},
        card_precision,
    )
