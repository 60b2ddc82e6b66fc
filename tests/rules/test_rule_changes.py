"""Rule changes on PostgreSQL, from one seeded history: the backtest of a candidate against the
active rules (exact figures), shadow beside live, promote, rollback, and the rule history."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cases.store import Store
from cases.workflow import OUTCOMES, Action, Decision, Principal, decide
from offline.clock import SESSION_OPTIONS
from offline.database import Database, open_database
from offline.load import records_as_messages
from offline.replay import history, load_and_build, replay_retention_hours
from offline.schema import DBT_PROJECT_DIR
from rules import compare, store
from rules import history as rule_history
from rules.dbt import compiled_models
from rules.deploy import Deployer, Target
from rules.schema import RuleSetError
from tests.stack.dashboard_queries import load_dashboard, panel_queries, run_query
from tests.stack.grafana_macros import TimeRange, expand
from tests.support.replay import replay_settings
from tests.support.sql import rows

# A fixed end of history: the replay clock makes NOW() this moment, so figures are exact.
END = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MINUTES = 20
FRAUD_RATE = 0.1
# Honest look-alikes and evasive fraud: traffic that does not agree with the rules by construction.
WORLD = "realistic"
THRESHOLD = Decimal("10000")
SIGNALS_QUERY = "select signal_id, signal_type, account_id, detected_at from {} order by 1"


def _messages() -> Iterator[Any]:
    settings = replay_settings(FRAUD_RATE, world=WORLD)
    return records_as_messages(history(settings, end=END, minutes=MINUTES, events=None))


@pytest.fixture(scope="module")
def comparison(
    embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory
) -> compare.Comparison:
    work_dir = tmp_path_factory.mktemp("rules-compare")
    with open_database(work_dir / "pgdata") as database:
        return compare.compare(
            database,
            _messages(),
            active=store.load("v1"),
            candidate=store.load("v2"),
            span=timedelta(minutes=MINUTES),
            clock=END,
            structuring_threshold=THRESHOLD,
            work_dir=work_dir,
            env={},
        )


def _row(result: compare.Comparison, signal: str) -> dict[str, Any]:
    (row,) = (row for row in result.rows if row["signal"] == signal)
    return row


def test_a_lower_velocity_threshold_hits_more_at_lower_precision(
    comparison: compare.Comparison,
) -> None:
    velocity = _row(comparison, "velocity")
    overall = _row(comparison, "overall")
    active, candidate = velocity["active"], velocity["candidate"]
    assert candidate["hits"] > active["hits"]
    assert candidate["precision"] < active["precision"]
    # Exact figures of this seeded history (seed 20261122, FRAUD_RATE 0.1, 20 min, realistic).
    assert (active["hits"], active["true_positives"], active["precision"]) == EXPECTED_ACTIVE
    assert (candidate["hits"], candidate["true_positives"], candidate["precision"]) == (
        EXPECTED_CANDIDATE
    )
    assert (active["recall"], candidate["recall"]) == EXPECTED_RECALL
    assert comparison.transactions == EXPECTED_TRANSACTIONS
    assert (overall["active"]["cases"], overall["candidate"]["cases"]) == EXPECTED_CASES
    assert len(overall["cases_added"]) == overall["candidate"]["cases"] - overall["active"][
        "cases"
    ] + len(overall["cases_dropped"])
    # Only velocity changed: every other signal finds exactly the same.
    for row in comparison.rows:
        if row["signal"] not in {"velocity", "overall"}:
            assert row["active"]["hits"] == row["candidate"]["hits"], row["signal"]
    assert active["alerts_per_1k_transactions"] == round(
        1000 * active["hits"] / comparison.transactions, 2
    )


EXPECTED_ACTIVE = (228, 226, 0.9912)
EXPECTED_CANDIDATE = (1512, 1015, 0.6713)
EXPECTED_TRANSACTIONS = 25567
EXPECTED_CASES = (318, 528)
# The lower threshold also catches the slower paced bursts: recall rises.
EXPECTED_RECALL = (0.8636, 0.9697)


@dataclass(frozen=True)
class Lifecycle:
    """Snapshots of one database through shadow, promote and rollback."""

    live_signals: list[tuple[Any, ...]]
    live_risk: list[tuple[Any, ...]]
    log_count_before_shadow: int
    log_count_after_shadow: int
    risk_after_shadow: list[tuple[Any, ...]]
    shadow_signals: list[tuple[Any, ...]]
    shadow_vs_live: dict[str, tuple[int, ...]]
    # Analyst closures of live cases recorded before the shadow run, and the view's analyst
    # columns: signal type -> (live, shadow) per outcome, in OUTCOMES order.
    closures: list[Decision]
    analyst_outcomes: dict[str, tuple[int, ...]]
    promoted_signals: list[tuple[Any, ...]]
    rolled_back_signals: list[tuple[Any, ...]]
    deployed: dict[str, dict[str, str]]
    history: list[rule_history.RuleChange]
    active_after: str
    # Panel or annotation -> (columns, rows) of the "Rule changes" dashboard's queries.
    shadow_dashboard: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]
    annotations: list[tuple[Any, ...]]
    refused: str


def _deployed(target_dir: Path) -> dict[str, str]:
    return compiled_models(target_dir)


# Live cases an analyst closes before the shadow run: the first ones by case id, each outcome
# twice, each closed a few minutes after it opened (its later detections stay unjudged), and
# not after the end of the history.
CLOSED_CASES = 2 * len(OUTCOMES)
CLOSE_AFTER = timedelta(minutes=5)
ANALYST = Principal("analyst@bank", "analyst")
ANALYST_COLUMNS = ", ".join(
    f"{role}_{column}"
    for column in ("confirmed_fraud", "false_positives", "benign_but_useful")
    for role in ("live", "shadow")
)


def _close_cases(database: Database) -> list[Decision]:
    """Close cases through the case service's own workflow and store, as an analyst would."""
    cases = rows(
        database,
        f"select case_id, opened_at from mv_open_fraud_cases order by case_id limit {CLOSED_CASES}",
    )
    closures = []
    with Store(database.dsn).session() as session:
        for (case_id, opened_at), outcome in zip(cases, OUTCOMES * 2, strict=True):
            action = Action("close", outcome=outcome, note="reviewed before the shadow run")
            closed_at = min(opened_at + CLOSE_AFTER, END)
            decision = decide(session.state(case_id), action, ANALYST, closed_at)
            session.insert(decision, f"shadow-{case_id}")
            closures.append(decision)
    return closures


@pytest.fixture(scope="module")
def lifecycle(embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory) -> Lifecycle:
    work_dir = tmp_path_factory.mktemp("rules-lifecycle")
    rules_dir = work_dir / "rules"
    rules_dir.mkdir()
    for path in store.RULES_DIR.glob("*.yml"):
        shutil.copy(path, rules_dir)
    store.set_active_version("v1", rules_dir)
    with open_database(work_dir / "pgdata") as database:
        load_and_build(
            database,
            _messages(),
            span=timedelta(minutes=MINUTES),
            structuring_threshold=THRESHOLD,
            work_dir=work_dir / "live",
            clock=END,
            rule_vars=store.dbt_vars(store.load("v1"), env={}),
        )
        signals = SIGNALS_QUERY.format("mv_signals")
        risk = "select account_id, risk_score from mv_account_risk_score_realtime order by 1"
        log_count = "select count(*) from signal_log"
        live_signals, live_risk = rows(database, signals), rows(database, risk)
        ((log_before,),) = rows(database, log_count)
        target = Target(
            "postgres",
            database.dsn,
            {**database.dbt_env(), "PGOPTIONS": SESSION_OPTIONS},
            extra_vars={
                "retention_hours": replay_retention_hours(timedelta(minutes=MINUTES)),
                "structuring_threshold": str(THRESHOLD),
            },
        )
        deployer = Deployer(target, rules_dir=rules_dir, work_dir=work_dir / "deploy")
        closures = _close_cases(database)
        deployer.shadow(store.load("v2", rules_dir))
        ((log_after,),) = rows(database, log_count)
        risk_after_shadow = rows(database, risk)
        shadow_signals = rows(database, SIGNALS_QUERY.format("shadow_mv_signals"))
        shadow_vs_live = {
            signal_type: tuple(counts)
            for signal_type, *counts in rows(
                database,
                "select signal_type, live_detections, shadow_detections, live_true_positives,"
                " shadow_true_positives, both_detections, shadow_only_detections,"
                " live_only_detections from mv_shadow_vs_live",
            )
        }
        analyst_outcomes = {
            signal_type: tuple(counts)
            for signal_type, *counts in rows(
                database, f"select signal_type, {ANALYST_COLUMNS} from mv_shadow_vs_live"
            )
        }
        shadow_dashboard = _dashboard_results(database)
        deployed = {"live": _deployed(work_dir / "live" / "dbt-target")}
        deployer.promote("v2", by="analyst@bank", reason="catch shorter bursts")
        promoted_signals = rows(database, signals)
        deployed["promote"] = _deployed(work_dir / "deploy" / "run")
        shutil.rmtree(work_dir / "deploy" / "run")
        deployer.rollback(by="lead@bank", reason="too many false positives")
        rolled_back_signals = rows(database, signals)
        deployed["rollback"] = _deployed(work_dir / "deploy" / "run")
        # A hand-edited rules/active that disagrees with what is live is refused.
        store.set_active_version("v2", rules_dir)
        with pytest.raises(RuleSetError) as refused:
            deployer.promote("v1", by="someone", reason="by hand")
        store.set_active_version("v1", rules_dir)
        conn = database.connect()
        try:
            changes = rule_history.changes(conn)
        finally:
            conn.close()
        # mv_rule_history is a view on PostgreSQL: the changes show without a rebuild.
        annotations = _annotationrows(database)
    return Lifecycle(
        live_signals,
        live_risk,
        log_before,
        log_after,
        risk_after_shadow,
        shadow_signals,
        shadow_vs_live,
        closures,
        analyst_outcomes,
        promoted_signals,
        rolled_back_signals,
        deployed,
        changes,
        store.active_version(rules_dir),
        shadow_dashboard,
        annotations,
        str(refused.value),
    )


DASHBOARD = (
    Path(__file__).resolve().parents[2] / "grafana/provisioning/dashboards/rule-changes.json"
)
RANGE = TimeRange(END - timedelta(days=1), END + timedelta(days=1))


def _dashboard_results(
    database: Database,
) -> dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    conn = database.connect()
    conn.autocommit = True
    try:
        results = {}
        for query in panel_queries(load_dashboard(DASHBOARD)):
            result = run_query(conn, query, RANGE, timedelta(seconds=10))
            results[query.panel] = (result.columns, result.rows)
        return results
    finally:
        conn.close()


def _annotationrows(database: Database) -> list[tuple[Any, ...]]:
    """The annotation query over the last day: changes are stamped with the wall clock."""
    (annotation,) = load_dashboard(DASHBOARD)["annotations"]["list"]
    now = datetime.now(UTC)
    last_day = TimeRange(now - timedelta(days=1), now + timedelta(minutes=1))
    return rows(database, expand(annotation["target"]["rawSql"], last_day, timedelta(seconds=10)))


def test_shadow_feeds_nothing_live(lifecycle: Lifecycle) -> None:
    assert lifecycle.log_count_after_shadow == lifecycle.log_count_before_shadow
    assert lifecycle.risk_after_shadow == lifecycle.live_risk
    assert lifecycle.shadow_signals != lifecycle.live_signals


def test_shadow_computes_what_the_candidate_computes_when_live(lifecycle: Lifecycle) -> None:
    assert lifecycle.shadow_signals == lifecycle.promoted_signals


def test_shadow_vs_live_agrees_with_the_backtest_of_the_candidate(
    lifecycle: Lifecycle, comparison: compare.Comparison
) -> None:
    for row in comparison.rows:
        if row["signal"] == "overall":
            continue
        live, shadow, live_tp, shadow_tp, both, shadow_only, live_only = (
            lifecycle.shadow_vs_live.get(row["signal"], (0,) * 7)
        )
        assert (live, live_tp) == (row["active"]["hits"], row["active"]["true_positives"])
        assert (shadow, shadow_tp) == (
            row["candidate"]["hits"],
            row["candidate"]["true_positives"],
        )
        assert both + shadow_only == shadow
        assert both + live_only == live


def _judged(
    signals: list[tuple[Any, ...]], closures: list[Decision]
) -> Counter[tuple[str, str | None]]:
    """(signal type, outcome) -> detections that a closed case of the account spans, from its
    opening to its closure; once per outcome however many such cases span a detection."""
    counts: Counter[tuple[str, str | None]] = Counter()
    for _, signal_type, account_id, detected_at in signals:
        outcomes = {
            closure.outcome
            for closure in closures
            if closure.account_id == account_id
            and closure.case_opened_at <= detected_at <= closure.decided_at
        }
        counts.update((signal_type, outcome) for outcome in outcomes)
    return counts


def _expected_analyst_outcomes(lifecycle: Lifecycle) -> dict[str, tuple[int, ...]]:
    live = _judged(lifecycle.live_signals, lifecycle.closures)
    shadow = _judged(lifecycle.shadow_signals, lifecycle.closures)
    signal_types = {row[1] for row in lifecycle.live_signals + lifecycle.shadow_signals}
    return {
        signal_type: tuple(
            counts[signal_type, outcome] for outcome in OUTCOMES for counts in (live, shadow)
        )
        for signal_type in signal_types
    }


def test_shadow_vs_live_counts_the_analyst_outcomes_of_both(lifecycle: Lifecycle) -> None:
    assert [closure.outcome for closure in lifecycle.closures] == list(OUTCOMES) * 2
    assert lifecycle.analyst_outcomes == _expected_analyst_outcomes(lifecycle)
    live = [counts[0::2] for counts in lifecycle.analyst_outcomes.values()]
    shadow = [counts[1::2] for counts in lifecycle.analyst_outcomes.values()]
    # Both rule sets have detections judged with every outcome.
    for judged in (live, shadow):
        assert all(sum(by_outcome) > 0 for by_outcome in zip(*judged, strict=True))
    # The closure bounds a case: a closed account's detections after it stay unjudged.
    closed_at = {closure.account_id: closure.decided_at for closure in lifecycle.closures}
    assert any(
        account_id in closed_at and detected_at > closed_at[account_id]
        for _, _, account_id, detected_at in lifecycle.live_signals
    )


def test_promote_then_rollback_returns_every_view_definition(lifecycle: Lifecycle) -> None:
    live, promoted, rolled_back = (
        lifecycle.deployed["live"],
        lifecycle.deployed["promote"],
        lifecycle.deployed["rollback"],
    )
    # Promote rebuilt the velocity view and everything built on it, and nothing else.
    assert "mv_velocity_alerts" in promoted
    assert {"mv_signals", "mv_account_risk_score_realtime", "mv_open_fraud_cases"} <= set(promoted)
    assert not {"int_transactions", "mv_cnp_spike", "mv_rule_history"} & set(promoted)
    assert promoted["mv_velocity_alerts"] != live["mv_velocity_alerts"]
    # Rollback rebuilt the same views, each to its original compiled SQL.
    assert set(rolled_back) == set(promoted)
    after = {**live, **rolled_back}
    assert after == live
    assert lifecycle.rolled_back_signals == lifecycle.live_signals
    assert lifecycle.promoted_signals != lifecycle.live_signals


def test_each_change_is_recorded_who_when_from_to_why(lifecycle: Lifecycle) -> None:
    promote, rollback = lifecycle.history
    assert (promote.action, promote.from_version, promote.to_version) == ("promote", "v1", "v2")
    assert (promote.changed_by, promote.reason) == ("analyst@bank", "catch shorter bursts")
    assert (rollback.action, rollback.from_version, rollback.to_version) == (
        "rollback",
        "v2",
        "v1",
    )
    assert rollback.reason == "too many false positives"
    assert promote.changed_at <= rollback.changed_at
    assert promote.rebuilt_models == rollback.rebuilt_models == "mv_velocity_alerts"
    assert lifecycle.active_after == "v1"
    assert lifecycle.refused == (
        "rules/active names v2 but the rule history says v1 is live: set rules/active to v1"
    )
    assert DBT_PROJECT_DIR.is_dir()


def test_the_rule_changes_dashboard_shows_shadow_and_history(
    lifecycle: Lifecycle, comparison: compare.Comparison
) -> None:
    columns, shadow_rows = lifecycle.shadow_dashboard["Live vs shadow per signal"]
    assert columns[:3] == ("signal_type", "live_detections", "shadow_detections")
    by_signal = {row[0]: row for row in shadow_rows}
    velocity = _row(comparison, "velocity")
    assert by_signal["velocity"][1:3] == (
        velocity["active"]["hits"],
        velocity["candidate"]["hits"],
    )
    assert float(by_signal["velocity"][6]) == velocity["candidate"]["precision"]
    columns, analyst_rows = lifecycle.shadow_dashboard["Analyst outcomes, live vs shadow"]
    assert columns == ("signal_type", *ANALYST_COLUMNS.split(", "))
    assert analyst_rows == sorted(
        (signal_type, *counts) for signal_type, counts in lifecycle.analyst_outcomes.items()
    )
    assert "Rule history" in lifecycle.shadow_dashboard
    texts = [text for _, text, _ in lifecycle.annotations]
    assert texts == [
        "promote: v1 -> v2 by analyst@bank (catch shorter bursts)",
        "rollback: v2 -> v1 by lead@bank (too many false positives)",
    ]
    assert [tags for _, _, tags in lifecycle.annotations] == ["rules,promote", "rules,rollback"]
