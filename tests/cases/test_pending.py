"""A page action answers at once, pending, while the database cannot confirm its decision; the
confirmer then settles it (recorded, or not recorded with who acted first), and a kill -9 after
the pending answer loses nothing.

The database is made unable to confirm for real: another transaction holds an uncommitted record
of the same (case, step), so the confirmer's insert waits on it (as it waits on RisingWave's
FLUSH); rolling that transaction back lets the decision through, committing it wins the step.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cases.journal import Entry, Journal, confirmed
from cases.store import Store
from cases.workflow import Action, CaseState, decide
from tests.cases.conftest import BOB, TOKENS, StepClock, auth, first_by_bob
from tests.cases.service_process import free_port, start_service, stop_service


def signed_in(client, user: str) -> str:
    """Sign `client` in on the page as `user`; the page's CSRF token."""
    form = client.get("/ui/login")
    login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert login_csrf, form.text
    client.post("/ui/login", data={"token": TOKENS[user][1], "csrf_token": login_csrf.group(1)})
    page = client.get("/ui/cases")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    return csrf.group(1)


def comment(client, csrf: str, case_id: str, note: str) -> httpx.Response:
    form = {"note": note, "seen_seq": "0", "csrf_token": csrf}
    return client.post(f"/ui/cases/{case_id}/comment", data=form)


def request_id_of(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)["decision"][0]


@pytest.mark.parametrize("bob", ["never acted", "acted first"])
def test_the_page_answers_pending_then_confirmed_or_not_recorded(
    case_settings, fraud_replay, cases_pool, tmp_path, bob
) -> None:
    from fastapi.testclient import TestClient

    from cases.app import create_app

    case_id = cases_pool.take()
    settings = case_settings.model_copy(update={"page_wait_s": 0.0})
    app = create_app(settings, StepClock(datetime.now(UTC).replace(microsecond=0)))
    with (
        TestClient(app, follow_redirects=False) as client,
        first_by_bob(fraud_replay.database.dsn, case_id) as blocker,
    ):
        csrf = signed_in(client, "alice")
        answer = comment(client, csrf, case_id, "alice's note")
        request_id = request_id_of(answer)
        shown = client.get(answer.headers["location"])
        assert "Pending: Commented" in shown.text
        assert '<meta http-equiv="refresh"' in shown.text
        # The next step is unknown while this one is pending: refused, plainly.
        again = comment(client, csrf, case_id, "a second note")
        assert again.status_code == 409
        assert "comment (step 1) is still being confirmed by the database" in again.text
        # Another user cannot read alice's outcome through her link.
        with TestClient(app, follow_redirects=False) as lee:
            signed_in(lee, "lee")
            assert "Pending:" not in lee.get(answer.headers["location"]).text

        if bob == "acted first":
            blocker.commit()
        else:
            blocker.rollback()
        journal: Journal = app.state.confirmer.journal
        pending = journal.get(case_id, request_id)
        assert pending is not None
        settled = app.state.confirmer.wait(pending, 60)
        shown = client.get(answer.headers["location"])
    timeline = client.get(f"/api/cases/{case_id}", headers=auth("vic")).json()["timeline"]
    if bob == "acted first":
        assert (settled.state, settled.winner_actor) == ("lost", "bob")
        assert shown.status_code == 409
        assert "Not recorded: your decision (Commented" in shown.text
        assert "because bob acted first on this step (step 1: Commented)" in shown.text
        assert [row["note"] for row in timeline] == ["bob was first"]
    else:
        assert settled.state == "confirmed"
        assert shown.status_code == 200
        assert "Recorded: Commented" in shown.text and "refresh" not in shown.text
        assert [row["note"] for row in timeline] == ["alice's note"]


def test_a_kill_9_after_the_pending_answer_records_it_once(
    fraud_replay, cases_pool, tmp_path
) -> None:
    case_id = cases_pool.take()
    dsn = fraud_replay.database.dsn
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    journal = str(tmp_path / "journal.sqlite")
    with first_by_bob(dsn, case_id) as blocker:
        service = start_service(dsn, port, journal_path=journal, page_wait_s="0")
        try:
            with httpx.Client(base_url=base, timeout=10) as client:
                answer = comment(client, signed_in(client, "alice"), case_id, "before the crash")
                location = answer.headers["location"]
                assert "Pending: Commented" in client.get(location).text
        finally:
            service.kill()
            service.wait(timeout=20)
        # The crash took the write in flight with it: end the dead process's waiting insert.
        with blocker.cursor() as cur:
            cur.execute(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                " where query like 'insert into case_decisions%' and pid <> pg_backend_pid()"
            )
        blocker.rollback()
    with Store(dsn).session() as session:
        assert session.timeline(case_id) == [], "nothing reached the database before the crash"
    service = start_service(dsn, port, journal_path=journal, page_wait_s="0")
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            signed_in(client, "alice")
            # The start-up re-drive confirms it; the page says so once it has.
            deadline = time.monotonic() + 60
            shown = client.get(location)
            while "Pending:" in shown.text and time.monotonic() < deadline:
                time.sleep(0.2)
                shown = client.get(location)
            assert "Recorded: Commented" in shown.text
            timeline = client.get(f"/api/cases/{case_id}", headers=auth("vic")).json()
    finally:
        stop_service(service)
    assert [(row["actor"], row["note"]) for row in timeline["timeline"]] == [
        ("alice", "before the crash")
    ]


def test_the_journal_prunes_settled_entries_only(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    now = datetime(2026, 1, 5, tzinfo=UTC)
    for number, case_id in enumerate(["C-1", "C-2"]):
        state = CaseState(case_id, "ACC-1", now - timedelta(days=1), "high", "velocity")
        journal.add(Entry(f"r{number}", decide(state, Action("assign"), BOB, now)), now)
    journal.settle(confirmed(journal.pending("C-1")[0]), now)
    assert journal.prune(now - timedelta(seconds=1)) == 0, "settled just now: kept"
    assert journal.prune(now + timedelta(seconds=1)) == 1
    assert [entry.decision.case_id for entry in journal.pending()] == ["C-2"]
    assert journal.prune(now + timedelta(days=30)) == 0, "a pending entry is never pruned"
