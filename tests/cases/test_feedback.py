"""Closures feed back into the case views: a closed case leaves mv_open_fraud_cases, and activity
after a closure opens a new case with a new id. On PostgreSQL the case views are tables, so the
test rebuilds them (`dbt run -s int_case_signals+`) as the streaming views would update."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from offline.dbt import run_dbt
from offline.replay import DEFAULT_RETENTION_HOURS
from tests.cases.conftest import auth
from tests.support.replay import replay_end

SYNTHETIC_SIGNAL = "velocity:case-service-test-after-closure"
CLOSED = "select case_id, last_decided_at from mv_case_status where status = 'closed'"


@pytest.fixture
def database(fraud_replay) -> Iterator:
    yield fraud_replay.database


def _query(database, sql: str, params: tuple = ()) -> list[tuple]:
    conn = database.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def _rebuild(database, tmp_path) -> None:
    run_dbt(
        database,
        "run",
        variables={"retention_hours": DEFAULT_RETENTION_HOURS, "structuring_threshold": "10000"},
        target_dir=tmp_path / "dbt-target",
        select="int_case_signals+",
        clock=replay_end(),
    )


def _open_cases(database) -> dict[str, str]:
    return dict(_query(database, "select account_id, case_id from mv_open_fraud_cases"))


def test_a_closure_closes_the_case_and_later_activity_opens_a_new_one(
    database, client, cases_pool, tmp_path
) -> None:
    def settled(case_id: str) -> bool:
        # No detection of the case after now: the closure below comes after all its activity.
        rows = _query(
            database, "select updated_at from mv_open_fraud_cases where case_id = %s", (case_id,)
        )
        return bool(rows) and rows[0][0] < datetime.now(rows[0][0].tzinfo) - timedelta(minutes=1)

    quiet, active = cases_pool.take(settled), cases_pool.take(settled)
    closed_at: dict[str, datetime] = {}
    for case_id, outcome in ((quiet, "false_positive"), (active, "confirmed_fraud")):
        response = client.post(
            f"/api/cases/{case_id}/close",
            headers=auth("alice"),
            json={"outcome": outcome, "note": "feedback test"},
        )
        assert response.status_code == 200, response.text
        closed_at[case_id] = datetime.fromisoformat(response.json()["decision"]["decided_at"])
    before = _open_cases(database)
    quiet_account, active_account = (case.split("_")[1] for case in (quiet, active))
    assert (before[quiet_account], before[active_account]) == (quiet, active)

    detected_at = closed_at[active] + timedelta(minutes=1)
    _query(
        database,
        "insert into signal_log (signal_id, signal_type, customer_id, account_id, card_token,"
        " detected_at, first_event_at, event_count, total_amount, reason)"
        " values (%s, 'velocity', 'C_TEST', %s, null, %s, %s, 5, 100, 'after the closure')",
        (SYNTHETIC_SIGNAL, active_account, detected_at, detected_at - timedelta(seconds=30)),
    )
    try:
        _rebuild(database, tmp_path)
        after = _open_cases(database)
        assert quiet_account not in after, "a closed case leaves the open view"
        new_case = f"case_{active_account}_{int(detected_at.timestamp())}"
        assert after[active_account] == new_case, "activity after a closure opens a new case"
        closures = dict(_query(database, CLOSED))
        untouched = {account: case for account, case in before.items() if case not in closures}
        assert {account: after.get(account) for account in untouched} == untouched
        for account, case in before.items():
            if case in closures and account in after:
                # Closed by another test, then active again (the replay plays its last fraud
                # instances out past its end): a new case, opened after the closure.
                opened = datetime.fromtimestamp(int(after[account].rsplit("_", 1)[1]), UTC)
                assert after[account] != case
                assert opened >= closures[case].replace(microsecond=0), account
        # The service still tells the closed cases' story, and queues the new case.
        story = client.get(f"/api/cases/{active}", headers=auth("vic")).json()
        assert (story["case"]["status"], story["case"]["outcome"]) == ("closed", "confirmed_fraud")
        queue = client.get(
            "/api/cases",
            headers=auth("vic"),
            params={"opened_after": detected_at.isoformat(), "limit": 500},
        ).json()
        assert new_case in [item["case_id"] for item in queue["items"]]
    finally:
        _query(database, "delete from signal_log where signal_id = %s", (SYNTHETIC_SIGNAL,))
        _rebuild(database, tmp_path)
    assert active_account not in _open_cases(database)
