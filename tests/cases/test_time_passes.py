"""Time passes for the case service: cases an analyst acted on outlive retention.

One history, retention 1 h, built at the history's end; an analyst takes, comments and closes a
case, a lead reopens it, another case is only taken and investigated. Then the clock moves past
retention and the expiry of the raw events (the views rebuilt at end + 4 h 30 min, as
tests/detection/test_time_passes.py does): both cases have left the open-case view, and the
service still lists them, tells their story from the signal log (saying the raw events
expired), and takes and records every action up to the closure. Nothing answers 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from offline.database import Database, open_database
from offline.dbt import run_dbt
from offline.load import create_raw_tables, load_messages, records_as_messages
from offline.replay import history
from tests.cases.conftest import TOKEN_SETTING, StepClock, auth
from tests.support.replay import replay_end, replay_settings
from tests.support.sql import rows

RETENTION_HOURS = 1
MINUTES = 60
LATER = timedelta(hours=4, minutes=30)  # past retention and the raw events' expiry (3 h + 1 h)


@dataclass
class World:
    database: Database
    variables: dict[str, object]
    target_dir: Path


@pytest.fixture(scope="module")
def world(embedded_postgres: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = replay_settings(0.1).model_copy(
        update={"transaction_rate": 10.0, "customer_pool_size": 300}
    )
    work_dir: Path = tmp_path_factory.mktemp("cases-time-passes")
    with open_database(work_dir / "pgdata") as database:
        conn = database.connect()
        try:
            create_raw_tables(conn)
            records = history(settings, end=replay_end(), minutes=MINUTES, events=None)
            load_messages(conn, records_as_messages(records))
        finally:
            conn.close()
        variables = {
            "retention_hours": RETENTION_HOURS,
            "structuring_threshold": str(settings.structuring_threshold),
        }
        target_dir = work_dir / "dbt-target"
        run_dbt(database, "run", variables=variables, target_dir=target_dir, clock=replay_end())
        yield World(database, variables, target_dir)


@pytest.fixture(scope="module")
def client(world: World, tmp_path_factory):
    from fastapi.testclient import TestClient

    from cases.app import create_app
    from cases.settings import CaseServiceSettings

    settings = CaseServiceSettings(
        _env_file=None,
        database_url=world.database.dsn,
        tokens=TOKEN_SETTING,
        page_size=500,
        journal_path=tmp_path_factory.mktemp("journal") / "journal.sqlite",
    )
    with TestClient(create_app(settings, StepClock(replay_end()))) as test_client:
        yield test_client


def _ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _act(client, user: str, case_id: str, action: str, body: dict[str, object]) -> dict:
    return _ok(client.post(f"/api/cases/{case_id}/{action}", headers=auth(user), json=body))


def _listed(client, case_id: str, *statuses: str) -> dict:
    """The queue row of `case_id` among `statuses` (default: open and investigating)."""
    found = _find(client, case_id, *statuses)
    assert found is not None, f"{case_id} is not listed"
    return found


def _find(client, case_id: str, *statuses: str) -> dict | None:
    page = _ok(client.get("/api/cases", headers=auth("vic"), params={"status": list(statuses)}))
    assert page["next_cursor"] is None
    return next((item for item in page["items"] if item["case_id"] == case_id), None)


def test_acted_on_cases_outlive_retention(world: World, client) -> None:
    open_cases = [row[0] for row in rows(world.database, "select case_id from mv_open_fraud_cases")]
    assert len(open_cases) >= 2
    reopened, investigated = open_cases[0], open_cases[1]

    _act(client, "alice", reopened, "assign", {})
    _act(client, "alice", reopened, "comments", {"note": "called the customer"})
    _act(client, "alice", reopened, "close", {"outcome": "false_positive", "note": "travel"})
    _act(client, "lee", reopened, "reopen", {"note": "the customer denies it after all"})
    _act(client, "bob", investigated, "assign", {})
    _act(client, "bob", investigated, "status", {"status": "investigating"})
    _act(client, "bob", investigated, "comments", {"note": "waiting for the merchant"})
    before = {
        case_id: _ok(client.get(f"/api/cases/{case_id}", headers=auth("vic")))
        for case_id in (reopened, investigated)
    }
    assert all(story["evidence_note"] is None for story in before.values())

    run_dbt(
        world.database,
        "run",
        variables=world.variables,
        target_dir=world.target_dir,
        clock=replay_end() + LATER,
    )
    still_open = {row[0] for row in rows(world.database, "select case_id from mv_open_fraud_cases")}
    assert not {reopened, investigated} & still_open, "the cases must have aged out of the view"

    assert _listed(client, reopened)["status"] == "open"
    assert _listed(client, investigated)["status"] == "investigating"
    assert _listed(client, investigated, "investigating")["assignee"] == "bob"
    for case_id in (reopened, investigated):
        story = _ok(client.get(f"/api/cases/{case_id}", headers=auth("vic")))
        assert story["signals"] == before[case_id]["signals"], "signals come from signal_log"
        assert story["transactions"] == [], "the raw events have expired"
        assert "older than retention" in story["evidence_note"]
        assert story["timeline"] == before[case_id]["timeline"]

    _act(client, "alice", reopened, "comments", {"note": "still on it, days later"})
    _act(client, "alice", reopened, "close", {"outcome": "confirmed_fraud", "note": "chargeback"})
    _act(client, "bob", investigated, "close", {"outcome": "benign_but_useful", "note": "ok"})
    for case_id in (reopened, investigated):
        story = _ok(client.get(f"/api/cases/{case_id}", headers=auth("vic")))
        assert story["case"]["status"] == "closed"
        assert _find(client, case_id) is None
        assert _listed(client, case_id, "closed")["status"] == "closed"
    actions = [
        row["action"]
        for row in _ok(client.get(f"/api/cases/{reopened}", headers=auth("vic")))["timeline"]
    ]
    assert actions == ["assign", "comment", "close", "reopen", "comment", "close"]
