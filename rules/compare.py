"""Backtest two rule sets on the same history: the active one and a candidate.

One database, loaded once: `dbt build` with the active rules, read the outcome, empty the signal
log (cases are built from it), `dbt run` with the candidate, read again. Per signal and overall:
hits (detections), precision, recall, alerts per 1,000 transactions, open cases, and the cases the
candidate adds or drops (compared by account: a case id also encodes its first detection).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg2.extensions import connection as Connection

from offline.database import Database
from offline.dbt import run_dbt
from offline.load import Message
from offline.replay import load_and_build, replay_retention_hours
from rules import store
from rules.schema import RuleSet, signal_types


@dataclass(frozen=True)
class Outcome:
    """What one rule set found on the history."""

    transactions: int
    # signal -> detections, true_positive_detections, instances_injected, instances_detected
    signals: dict[str, dict[str, int]]
    instances_injected: int
    instances_detected: int
    # account -> (case_id, reason codes)
    cases: dict[str, tuple[str, frozenset[str]]]


def _rows(conn: Connection, query: str) -> list[tuple[Any, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def read_outcome(conn: Connection) -> Outcome:
    ((transactions,),) = _rows(conn, "select count(*) from public.int_transactions")
    signals = {
        signal: {
            "detections": int(detections),
            "true_positives": int(true_positives),
            "injected": int(injected),
            "detected": int(detected),
        }
        for signal, detections, true_positives, injected, detected in _rows(
            conn,
            "select signal_type, detections, true_positive_detections, instances_injected,"
            " instances_detected from public.mv_detection_quality_by_signal",
        )
    }
    ((injected, detected),) = _rows(
        conn,
        "select coalesce(sum(instances_injected), 0), coalesce(sum(instances_detected), 0)"
        " from public.mv_detection_quality_by_scenario",
    )
    cases = {
        account: (case_id, frozenset(filter(None, (codes or "").split(","))))
        for case_id, account, codes in _rows(
            conn, "select case_id, account_id, reason_codes from public.mv_open_fraud_cases"
        )
    }
    return Outcome(int(transactions), signals, int(injected), int(detected), cases)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _figures(outcome: Outcome, signal: str | None) -> dict[str, Any]:
    if signal is None:
        hits = sum(row["detections"] for row in outcome.signals.values())
        true_positives = sum(row["true_positives"] for row in outcome.signals.values())
        injected, detected = outcome.instances_injected, outcome.instances_detected
        cases = len(outcome.cases)
    else:
        row = outcome.signals.get(signal, dict.fromkeys(("detections", "true_positives"), 0))
        hits, true_positives = row["detections"], row["true_positives"]
        injected, detected = row.get("injected", 0), row.get("detected", 0)
        cases = sum(1 for _, codes in outcome.cases.values() if signal in codes)
    return {
        "hits": hits,
        "true_positives": true_positives,
        "precision": _ratio(true_positives, hits),
        "recall": _ratio(detected, injected),
        "alerts_per_1k_transactions": (
            round(1000 * hits / outcome.transactions, 2) if outcome.transactions else None
        ),
        "cases": cases,
    }


def _case_accounts(outcome: Outcome, signal: str | None) -> dict[str, str]:
    return {
        account: case_id
        for account, (case_id, codes) in outcome.cases.items()
        if signal is None or signal in codes
    }


def comparison(active: Outcome, candidate: Outcome) -> list[dict[str, Any]]:
    """One row per signal type, then `overall`."""
    rows = []
    for signal in [*signal_types(), None]:
        before, after = _case_accounts(active, signal), _case_accounts(candidate, signal)
        rows.append(
            {
                "signal": signal or "overall",
                "active": _figures(active, signal),
                "candidate": _figures(candidate, signal),
                "cases_added": sorted(after[account] for account in after.keys() - before.keys()),
                "cases_dropped": sorted(
                    before[account] for account in before.keys() - after.keys()
                ),
            }
        )
    return rows


@dataclass(frozen=True)
class Comparison:
    active: str
    candidate: str
    transactions: int
    rows: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "candidate": self.candidate,
            "transactions": self.transactions,
            "signals": self.rows,
        }


def compare(
    database: Database,
    messages: Iterable[Message],
    *,
    active: RuleSet,
    candidate: RuleSet,
    span: timedelta,
    clock: datetime,
    structuring_threshold: Decimal,
    work_dir: Path,
    env: dict[str, str] | None = None,
    strict: bool = False,
) -> Comparison:
    """Both rule sets on `messages` in `database` (see the module docstring); `strict` for
    recorded input (offline.convert)."""
    active_vars = store.dbt_vars(active, env=env)
    load_and_build(
        database,
        messages,
        span=span,
        structuring_threshold=structuring_threshold,
        work_dir=work_dir / "active",
        clock=clock,
        rule_vars=active_vars,
        strict=strict,
    )
    conn = database.connect()
    try:
        before = read_outcome(conn)
        with conn.cursor() as cursor:
            cursor.execute("truncate table public.signal_log")
        conn.commit()
    finally:
        conn.close()
    run_dbt(
        database,
        "run",
        variables={
            **store.dbt_vars(candidate, env=env),
            "retention_hours": replay_retention_hours(span),
            "structuring_threshold": str(structuring_threshold),
        },
        target_dir=work_dir / "candidate",
        clock=clock,
    )
    conn = database.connect()
    try:
        after = read_outcome(conn)
    finally:
        conn.close()
    rows = comparison(before, after)
    return Comparison(active.version, candidate.version, before.transactions, rows)


def _change(row: dict[str, Any], key: str) -> str:
    before, after = row["active"][key], row["candidate"][key]
    shown = ("-" if before is None else str(before), "-" if after is None else str(after))
    return shown[0] if before == after else f"{shown[0]} -> {shown[1]}"


COLUMNS = ("hits", "precision", "recall", "alerts_per_1k_transactions", "cases")


def render(result: Comparison) -> str:
    header = ["signal", *COLUMNS, "cases_added", "cases_dropped"]
    cells = [
        [
            row["signal"],
            *(_change(row, key) for key in COLUMNS),
            str(len(row["cases_added"])),
            str(len(row["cases_dropped"])),
        ]
        for row in result.rows
    ]
    widths = [max(len(header[i]), *(len(line[i]) for line in cells)) for i in range(len(header))]
    lines = [
        f"Rules {result.active} (active) -> {result.candidate} (candidate) on the same history,"
        f" {result.transactions} transactions",
        "  ".join(name.ljust(width) for name, width in zip(header, widths, strict=True)),
        *("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in cells),
    ]
    overall = result.rows[-1]
    for label, key in (("add", "cases_added"), ("drop", "cases_dropped")):
        if overall[key]:
            lines.append(f"Cases the candidate would {label}: {', '.join(overall[key][:20])}")
    return "\n".join(lines)
