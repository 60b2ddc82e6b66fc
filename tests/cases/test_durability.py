"""Decisions survive: concurrent closures, a restart of the service, a kill -9 with a retried
request, and `dbt --full-refresh`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from cases.store import Session
from tests.cases.conftest import auth
from tests.cases.service_process import free_port, start_service, stop_service


def test_two_closures_at_once_give_one_closure_and_a_conflict(
    make_client, cases_pool, monkeypatch
) -> None:
    case_id = cases_pool.take()
    alice, bob = make_client(), make_client()
    # Both requests read the case before either writes: the race the primary key must settle.
    both_read = threading.Barrier(2, timeout=20)
    read_state = Session.state

    def state_then_wait(self: Session, wanted: str):
        state = read_state(self, wanted)
        if wanted == case_id:
            both_read.wait()
        return state

    monkeypatch.setattr(Session, "state", state_then_wait)

    def close(client_user) -> httpx.Response:
        client, user = client_user
        body = {"outcome": "false_positive" if user == "alice" else "confirmed_fraud", "note": user}
        return client.post(f"/api/cases/{case_id}/close", headers=auth(user), json=body)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(close, [(alice, "alice"), (bob, "bob")]))
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()["decision"]["actor"]
    loser = next(r for r in responses if r.status_code == 409).json()["detail"]
    assert f"{winner} recorded close first" in loser
    monkeypatch.undo()
    timeline = alice.get(f"/api/cases/{case_id}", headers=auth("lee")).json()["timeline"]
    assert [(row["action"], row["actor"]) for row in timeline] == [("close", winner)]


def test_a_restart_loses_no_decision(fraud_replay, cases_pool) -> None:
    case_id = cases_pool.take()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    service = start_service(fraud_replay.database.dsn, port)
    try:
        for user, action, body in [
            ("alice", "assign", {}),
            ("alice", "comments", {"note": "before the restart"}),
            ("alice", "close", {"outcome": "benign_but_useful", "note": "payroll run"}),
        ]:
            url = f"{base}/api/cases/{case_id}/{action}"
            httpx.post(url, headers=auth(user), json=body, timeout=10).raise_for_status()
    finally:
        stop_service(service)
    service = start_service(fraud_replay.database.dsn, port)
    try:
        story = httpx.get(f"{base}/api/cases/{case_id}", headers=auth("vic"), timeout=10).json()
    finally:
        stop_service(service)
    assert [row["action"] for row in story["timeline"]] == ["assign", "comment", "close"]
    assert (story["case"]["status"], story["case"]["outcome"]) == ("closed", "benign_but_useful")


def test_a_retry_after_a_kill_9_is_recorded_once(fraud_replay, cases_pool) -> None:
    case_id = cases_pool.take()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {**auth("alice"), "Idempotency-Key": f"kill-9-{case_id}"}
    body = {"note": "written just before the crash"}
    service = start_service(fraud_replay.database.dsn, port)
    try:
        first = httpx.post(f"{base}/api/cases/{case_id}/comments", headers=headers, json=body)
        assert first.status_code == 200, first.text
    finally:
        service.kill()  # SIGKILL: as if the answer never reached the client
        service.wait(timeout=20)
    service = start_service(fraud_replay.database.dsn, port)
    try:
        retried = httpx.post(f"{base}/api/cases/{case_id}/comments", headers=headers, json=body)
        story = httpx.get(f"{base}/api/cases/{case_id}", headers=auth("vic"), timeout=10).json()
    finally:
        stop_service(service)
    assert retried.status_code == 200
    assert retried.json()["decision"] == first.json()["decision"]
    assert [row["note"] for row in story["timeline"]] == [body["note"]]


def test_decisions_survive_a_full_refresh(fraud_replay, client, cases_pool, tmp_path) -> None:
    from offline.dbt import run_dbt

    case_id = cases_pool.take()
    client.post(
        f"/api/cases/{case_id}/close",
        headers=auth("alice"),
        json={"outcome": "false_positive", "note": "refresh"},
    ).raise_for_status()
    run_dbt(
        fraud_replay.database,
        "run",
        variables={},
        target_dir=tmp_path / "dbt-target",
        # mv_case_queue is a view on mv_case_status: rebuilt with it (a refresh drops it).
        select="mv_case_status mv_case_queue mv_rule_performance",
        full_refresh=True,
    )
    story = client.get(f"/api/cases/{case_id}", headers=auth("alice")).json()
    assert [row["note"] for row in story["timeline"]] == ["refresh"]
    assert story["case"]["status"] == "closed"


def test_bad_settings_exit_2_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cases"],
        env={**os.environ, "CASES_TOKENS": "alice:boss:" + "0" * 64},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "case-service: invalid setting: CASES_TOKENS: entry 'alice': role must be one of"
        " viewer, analyst, lead"
    )
