"""The case service on the replayed PostgreSQL: an app per test, a stepping clock, four users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import psycopg2
import pytest

from cases.security import hash_token
from cases.store import Session, Store
from cases.workflow import Action, Principal, decide
from rules import history

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from psycopg2.extensions import connection as Connection

    from backtest.replay import ReplayResult

# Fixed test tokens: only their hashes go into the settings, as in production.
TOKENS = {
    "alice": ("analyst", "cst_alice-test-token"),
    "bob": ("analyst", "cst_bob-test-token"),
    "lee": ("lead", "cst_lee-test-token"),
    "vic": ("viewer", "cst_vic-test-token"),
}
TOKEN_SETTING = ",".join(
    f"{user}:{role}:{hash_token(token)}" for user, (role, token) in TOKENS.items()
)


def auth(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[user][1]}"}


class StepClock:
    """A clock that moves one second per reading, from a fixed start."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def case_settings(fraud_replay: ReplayResult, tmp_path):
    from cases.settings import CaseServiceSettings

    return CaseServiceSettings(
        _env_file=None,
        database_url=fraud_replay.database.dsn,
        tokens=TOKEN_SETTING,
        page_size=5,
        journal_path=tmp_path / "journal.sqlite",
        # Page actions answer once confirmed (PostgreSQL confirms at once), so a test reads its
        # decision right after; the tests of the pending answer set 0.
        page_wait_s=30.0,
    )


@pytest.fixture
def make_client(case_settings) -> Iterator[Callable[..., TestClient]]:
    from fastapi.testclient import TestClient

    from cases.app import create_app

    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        # A journal of its own: each client is another instance of the service.
        journal = case_settings.journal_path.with_name(f"journal-{len(clients)}.sqlite")
        settings = case_settings.model_copy(update={"journal_path": journal, **overrides})
        clock = StepClock(datetime.now(UTC).replace(microsecond=0))
        client = TestClient(create_app(settings, clock))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def open_case_ids(fraud_replay: ReplayResult) -> list[str]:
    """Every case of the replay, oldest first; each test takes cases no other test acts on."""
    conn = fraud_replay.database.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("select case_id from mv_open_fraud_cases order by opened_at, case_id")
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


class CasePool:
    def __init__(self, case_ids: list[str]) -> None:
        self._ids = iter(case_ids)

    def take(self, accept: Callable[[str], bool] | None = None) -> str:
        """The next case nobody took yet (that `accept` accepts, when given)."""
        for case_id in self._ids:
            if accept is None or accept(case_id):
                return case_id
        pytest.fail("the replay has too few cases for the case-service tests")


@pytest.fixture(scope="session")
def cases_pool(open_case_ids: list[str]) -> CasePool:
    return CasePool(open_case_ids)


@pytest.fixture
def record_rule_changes(
    fraud_replay: ReplayResult,
) -> Iterator[Callable[..., None]]:
    """Write rule set changes into the replay's rule_history, as `python -m rules` does; they are
    deleted after the test, since the replay is shared (mv_rule_history is a view there)."""
    conn = fraud_replay.database.connect()
    written: list[str] = []

    def record(*changes: history.RuleChange) -> None:
        for change in changes:
            history.record(conn, change, flush=False)
            written.append(change.change_id)

    try:
        yield record
        with conn.cursor() as cur:
            cur.execute("delete from rule_history where change_id = any(%s)", (written,))
        conn.commit()
    finally:
        conn.close()


def rule_change(
    change_id: str, at: datetime, action: str, versions: tuple[str, str]
) -> history.RuleChange:
    return history.RuleChange(
        change_id=change_id,
        changed_at=at,
        action=action,
        from_version=versions[0],
        to_version=versions[1],
        changed_by=f"{change_id}@bank",
        reason=f"why {change_id}",
        rebuilt_models="mv_velocity_alerts,mv_signals",
    )


BOB = Principal("bob", "analyst")


@contextmanager
def first_by_bob(dsn: str, case_id: str) -> Iterator[Connection]:
    """Bob's comment on the case's next step, inserted in a transaction left open: a writer of
    that step waits until the test commits (Bob wins) or rolls back (he never acted)."""
    with Store(dsn).session() as session:
        state = session.state(case_id)
    decision = decide(state, Action("comment", note="bob was first"), BOB, datetime.now(UTC))
    conn = psycopg2.connect(dsn)
    try:
        Session(conn, risingwave=False).insert(decision, "bob-request")
        yield conn
    finally:
        conn.rollback()
        conn.close()
