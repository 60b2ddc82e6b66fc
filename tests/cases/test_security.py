"""The case service attacked as an attacker and a careless analyst would: every attack of issue 18
runs against the real process (`python -m cases` on a loopback port over the replayed
PostgreSQL; chromium where a browser is involved) and the refusal is asserted.

High: a huge body is refused before it is read (and a slow one times out) while every other
route keeps answering; a page on another port of the same host cannot act or sign in in an
analyst's browser; pages cannot be framed. Medium and Low: NUL bytes, offsets and cursors give
one clear 4xx and write nothing; ownership, known assignees, stale pages, idempotent retries;
headers, sessions, banners, notes, the audit log.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.cases.conftest import TOKENS, auth
from tests.cases.service_process import free_port, start_service, stop_service
from tests.cases.test_page_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser
from tests.support.slow_clients import closed_within, send_raw, slowloris, status_line

MAX_BODY = 65536
BODY_TIMEOUT_S = 2
HEADER_TIMEOUT_S = 2


class Service:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = ""

    def get(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = auth(user) if user else {}
        return httpx.get(self.url + path, headers=headers, timeout=10, **kwargs)

    def post(self, path: str, user: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {**(auth(user) if user else {}), **kwargs.pop("headers", {})}
        return httpx.post(self.url + path, headers=headers, timeout=10, **kwargs)

    def timeline(self, case_id: str) -> list[dict]:
        story = self.get(f"/api/cases/{case_id}", "lee")
        assert story.status_code == 200, story.text
        return story.json()["timeline"]

    def status(self, case_id: str) -> str:
        return self.get(f"/api/cases/{case_id}", "lee").json()["case"]["status"]


@pytest.fixture(scope="module")
def service(fraud_replay) -> Iterator[Service]:
    port = free_port()
    process = start_service(
        fraud_replay.database.dsn,
        port,
        max_body_bytes=str(MAX_BODY),
        body_timeout_s=str(BODY_TIMEOUT_S),
        header_timeout_s=str(HEADER_TIMEOUT_S),
    )
    running = Service(port)
    try:
        yield running
    finally:
        running.log = stop_service(process)


@contextmanager
def _page_client(service: Service, user: str) -> Iterator[tuple[httpx.Client, str]]:
    """An httpx client signed in on the page as `user`, and its CSRF token."""
    with httpx.Client(base_url=service.url, timeout=10) as client:
        yield _signed_in(client, user)


def _signed_in(client: httpx.Client, user: str) -> tuple[httpx.Client, str]:
    form = client.get("/ui/login")
    login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert login_csrf, form.text
    signed = client.post(
        "/ui/login", data={"token": TOKENS[user][1], "csrf_token": login_csrf.group(1)}
    )
    assert signed.status_code == 303, signed.text
    page = client.get("/ui/cases")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    return client, csrf.group(1)


# High: limits before work -------------------------------------------------------------------


def test_an_unauthenticated_huge_body_is_refused_before_it_is_read(service, cases_pool) -> None:
    case_id = cases_pool.take()
    # 16 MiB announced, 64 KiB sent: the answer must come without the rest (today's code waited
    # for all 16 MiB before it looked at the token).
    head = (
        f"POST /api/cases/{case_id}/comments HTTP/1.1\nHost: 127.0.0.1:{service.port}\n"
        f"Content-Type: application/json\nContent-Length: {16 * 1024 * 1024}\n"
    )
    assert status_line(send_raw(service.port, head, b"x" * 65536)) == "HTTP/1.1 401 Unauthorized"
    assert service.get("/health").status_code == 200


def test_an_authenticated_huge_body_gets_413_without_being_read(service, cases_pool) -> None:
    case_id = cases_pool.take()
    head = (
        f"POST /api/cases/{case_id}/comments HTTP/1.1\nHost: 127.0.0.1:{service.port}\n"
        f"Authorization: Bearer {TOKENS['alice'][1]}\nContent-Type: application/json\n"
        f"Content-Length: {16 * 1024 * 1024}\n"
    )
    assert status_line(send_raw(service.port, head, b"x" * 4096)).startswith("HTTP/1.1 413")
    assert service.timeline(case_id) == []


def test_a_chunked_body_past_the_cap_gets_413(service, cases_pool) -> None:
    case_id = cases_pool.take()
    head = (
        f"POST /api/cases/{case_id}/comments HTTP/1.1\nHost: 127.0.0.1:{service.port}\n"
        f"Authorization: Bearer {TOKENS['alice'][1]}\nContent-Type: application/json\n"
        "Transfer-Encoding: chunked\n"
    )
    sock = send_raw(service.port, head)
    chunk = b"x" * 16384
    try:
        for _ in range(MAX_BODY // len(chunk) * 4):  # four times the cap, then stop
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed: read what it said
    assert status_line(sock).startswith("HTTP/1.1 413")
    assert service.timeline(case_id) == []


def test_a_half_sent_body_times_out_and_holds_nothing_up(service, cases_pool) -> None:
    case_id = cases_pool.take()
    head = (
        f"POST /api/cases/{case_id}/comments HTTP/1.1\nHost: 127.0.0.1:{service.port}\n"
        f"Authorization: Bearer {TOKENS['alice'][1]}\nContent-Type: application/json\n"
        "Content-Length: 2000\n"
    )
    stalled = send_raw(service.port, head, b'{"note": "', timeout=BODY_TIMEOUT_S * 5)
    # While the body hangs, every route answers.
    assert service.get("/api/me", "bob").json() == {"user": "bob", "role": "analyst"}
    assert status_line(stalled).startswith("HTTP/1.1 408")
    assert service.timeline(case_id) == []


def test_half_sent_headers_are_cut_off_and_hold_nothing_up(service) -> None:
    """Slowloris: connections that send a header line now and then, or nothing at all, are closed
    once the headers are late, however often a byte trickles in."""
    began = time.monotonic()
    trickling, silent = slowloris(service.port, "GET /api/me HTTP/1.1", HEADER_TIMEOUT_S)
    # While they hang, every route answers.
    assert service.get("/api/me", "bob").json() == {"user": "bob", "role": "analyst"}
    assert closed_within(trickling, HEADER_TIMEOUT_S * 3)
    assert closed_within(silent, HEADER_TIMEOUT_S * 3)
    assert time.monotonic() - began < HEADER_TIMEOUT_S * 4


def test_a_kept_alive_connection_gets_the_same_header_deadline(service) -> None:
    head = f"GET /health HTTP/1.1\nHost: 127.0.0.1:{service.port}\n"
    sock = send_raw(service.port, head)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(65536)
    head_part, _, body = answer.partition(b"\r\n\r\n")
    assert head_part.startswith(b"HTTP/1.1 200")
    length = int(re.search(rb"content-length: (\d+)", head_part.lower()).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        body += sock.recv(65536)
    sock.sendall(b"GET /health HTTP/1.1\r\n")  # the next request's headers, never finished
    assert closed_within(sock, HEADER_TIMEOUT_S * 3)


# High: cross-site request forgery, framing ---------------------------------------------------


@pytest.fixture
def attacker_site() -> Iterator[tuple[str, dict[str, str]]]:
    """A web server on another port of the same host (the same *site*, like Grafana :3000):
    it serves whatever HTML the test puts under a path."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode("utf-8")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser_page(service):
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=service.url)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()


def _sign_in(page, user: str) -> None:
    page.goto("/ui/login")
    page.fill("#token", TOKENS[user][1])
    page.click("#sign-in")
    page.wait_for_url("**/ui/cases")


def _auto_post(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(f'<input name="{name}" value="{value}">' for name, value in fields.items())
    return (
        f'<form id="forged" method="post" action="{action}">{inputs}</form>'
        "<script>document.getElementById('forged').submit()</script>"
    )


def test_a_page_on_another_port_cannot_close_a_case_in_the_analysts_name(
    service, browser_page, attacker_site, cases_pool
) -> None:
    case_id = cases_pool.take()
    attacker, pages = attacker_site
    _sign_in(browser_page, "alice")
    pages["/win-a-prize"] = _auto_post(
        f"{service.url}/ui/cases/{case_id}/close",
        {"outcome": "false_positive", "note": "csrf", "confirm": "yes", "seen_seq": "0"},
    )
    answer = browser_page.goto(f"{attacker}/win-a-prize")
    browser_page.wait_for_url(f"{service.url}/**")
    answer = browser_page.context.request.get(f"{service.url}/ui/cases")  # still signed in
    assert answer.status == 200
    assert service.timeline(case_id) == [], "the forged close was recorded"
    assert service.status(case_id) == "open"


def test_a_form_without_the_csrf_token_is_refused(service, cases_pool) -> None:
    case_id = cases_pool.take()
    with _page_client(service, "alice") as (client, csrf):
        note = {"note": "no token", "seen_seq": "0"}
        refused = client.post(f"/ui/cases/{case_id}/comment", data=note)
        assert refused.status_code == 403
        wrong = client.post(f"/ui/cases/{case_id}/comment", data={**note, "csrf_token": "x" * 64})
        assert wrong.status_code == 403
        assert service.timeline(case_id) == []
        kept = client.post(f"/ui/cases/{case_id}/comment", data={**note, "csrf_token": csrf})
        assert kept.status_code == 303
        assert [row["note"] for row in service.timeline(case_id)] == ["no token"]


def test_a_cross_origin_api_post_is_refused_even_with_a_token(service, cases_pool) -> None:
    case_id = cases_pool.take()
    for headers in ({"Origin": "http://127.0.0.1:3000"}, {"Sec-Fetch-Site": "same-site"}):
        refused = service.post(
            f"/api/cases/{case_id}/comments", "alice", json={"note": "x"}, headers=headers
        )
        assert refused.status_code == 403, headers
    assert service.timeline(case_id) == []


def test_another_site_cannot_sign_the_browser_in(service, browser_page, attacker_site) -> None:
    attacker, pages = attacker_site
    # The attacker's own (viewer) token: signed in as them, an analyst would type notes into
    # the attacker's session.
    pages["/login"] = _auto_post(f"{service.url}/ui/login", {"token": TOKENS["vic"][1]})
    browser_page.goto(f"{attacker}/login")
    browser_page.wait_for_url(f"{service.url}/**")
    browser_page.goto("/ui/cases")
    assert browser_page.url.endswith("/ui/login"), "the forged sign-in took"


def test_pages_cannot_be_framed(service, browser_page, attacker_site) -> None:
    attacker, pages = attacker_site
    pages["/frame"] = f'<iframe id="victim" src="{service.url}/ui/login"></iframe>'
    browser_page.goto(f"{attacker}/frame")
    browser_page.wait_for_load_state("load")
    assert browser_page.frame_locator("#victim").locator("#token").count() == 0
    response = service.get("/ui/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


# Medium: bad input is a clear 4xx and writes nothing ------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases/case%00x",
        "/api/cases?assignee=a%00b",
        "/api/cases?severity=%00",
        "/api/decisions?actor=%00",
        "/ui/cases?severity=%00",
        "/ui/cases/case%00x",
    ],
)
def test_a_nul_in_a_path_or_filter_is_400(service, path: str) -> None:
    answer = httpx.get(
        service.url + path, headers=auth("alice"), cookies={}, timeout=10, follow_redirects=False
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"detail": "the request contains a NUL character"}


def test_a_nul_in_a_note_or_form_is_422_and_nothing_is_written(service, cases_pool) -> None:
    case_id = cases_pool.take()
    for action, body in (
        ("comments", {"note": "a\u0000b"}),
        ("close", {"outcome": "false_positive", "note": "\u0000"}),
        ("assign", {"assignee": "alice\u0000"}),
    ):
        answer = service.post(f"/api/cases/{case_id}/{action}", "alice", json=body)
        assert answer.status_code == 422, (action, answer.text)
        assert "NUL" in answer.json()["detail"]
    with _page_client(service, "alice") as (client, csrf):
        form = {"note": "x\u0000y", "seen_seq": "0", "csrf_token": csrf}
        answer = client.post(f"/ui/cases/{case_id}/comment", data=form)
    assert answer.status_code == 422
    assert "must not contain a NUL character" in answer.text
    assert service.timeline(case_id) == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases?opened_after=2026-01-01T00:00:00%2B16:00",
        "/api/decisions?decided_before=2026-01-01T00:00:00-15:30",
    ],
)
def test_an_impossible_utc_offset_is_422(service, path: str) -> None:
    answer = service.get(path, "alice")
    assert answer.status_code == 422, answer.text
    assert "UTC offset must be within" in answer.json()["detail"]


def _cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("[" * 3_000),  # today's service parsed it into a RecursionError: 500
        _cursor("[" * 300 + "]" * 300),
        _cursor(json.dumps(["2026-01-01T00:00:00+16:00", "x", "0" * 16])),
        "%%%",
    ],
)
def test_a_forged_cursor_is_400(service, cursor: str) -> None:
    answer = service.get("/api/cases", "alice", params={"cursor": cursor})
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"].startswith("cursor:")


def test_only_the_assignee_or_a_lead_acts_on_an_assigned_case(service, cases_pool) -> None:
    case_id = cases_pool.take()
    assert service.post(f"/api/cases/{case_id}/assign", "alice", json={}).status_code == 200
    for action, body in (
        ("comments", {"note": "mine now"}),
        ("status", {"status": "investigating"}),
        ("close", {"outcome": "false_positive", "note": "not yours"}),
    ):
        refused = service.post(f"/api/cases/{case_id}/{action}", "bob", json=body)
        assert refused.status_code == 403, action
        assert "assigned to alice: only they or a lead" in refused.json()["detail"]
    closed = service.post(
        f"/api/cases/{case_id}/close",
        "lee",
        json={"outcome": "confirmed_fraud", "note": "lead decides"},
    )
    assert closed.status_code == 200
    assert [row["actor"] for row in service.timeline(case_id)] == ["alice", "lee"]


@pytest.mark.parametrize(
    ("assignee", "status", "detail"),
    [
        ("mallory", 422, "'mallory' is not a known analyst or lead"),
        ("vic", 422, "'vic' is not a known analyst or lead"),
        ("a" * 1000, 422, "at most 64 characters"),
        ("a" * 100_000, 413, "larger than"),
    ],
)
def test_an_assignee_must_be_a_known_analyst_or_lead(
    service, cases_pool, assignee: str, status: int, detail: str
) -> None:
    case_id = cases_pool.take()
    answer = service.post(f"/api/cases/{case_id}/assign", "lee", json={"assignee": assignee})
    assert answer.status_code == status
    assert detail in answer.text
    assert service.timeline(case_id) == []


def test_a_close_from_a_stale_page_gets_409_naming_what_changed(service, cases_pool) -> None:
    case_id = cases_pool.take()
    with _page_client(service, "alice") as (client, csrf):
        loaded = client.get(f"/ui/cases/{case_id}")
        seen = re.search(r'name="seen_seq" value="(\d+)"', loaded.text)
        assert seen and seen.group(1) == "0"
        comment = service.post(
            f"/api/cases/{case_id}/comments", "bob", json={"note": "it is fraud", "seen_seq": 0}
        )
        assert comment.status_code == 200
        stale = client.post(
            f"/ui/cases/{case_id}/close",
            data={
                "outcome": "false_positive",
                "note": "looks fine",
                "confirm": "yes",
                "seen_seq": "0",
                "csrf_token": csrf,
            },
        )
    assert stale.status_code == 409
    assert "changed since you loaded it (step 0): bob comment" in stale.text
    assert [row["action"] for row in service.timeline(case_id)] == ["comment"]


def test_the_close_form_preselects_nothing_and_needs_a_confirmation(service, cases_pool) -> None:
    case_id = cases_pool.take()
    with _page_client(service, "alice") as (client, csrf):
        page = client.get(f"/ui/cases/{case_id}").text
        close_form = page[page.index('id="close-outcome"') :]
        close_form = close_form[: close_form.index("</select>")]
        assert '<option value="" selected disabled>' in close_form
        assert re.findall(r"<option[^>]*selected", close_form) == ['<option value="" selected']
        unconfirmed = client.post(
            f"/ui/cases/{case_id}/close",
            data={"outcome": "false_positive", "note": "x", "seen_seq": "0", "csrf_token": csrf},
        )
    assert unconfirmed.status_code == 422
    assert "tick the confirmation" in unconfirmed.text
    assert service.timeline(case_id) == []


def test_a_retry_with_the_same_idempotency_key_is_recorded_once(service, cases_pool) -> None:
    case_id = cases_pool.take()
    headers = {"Idempotency-Key": f"retry-{case_id}"}
    first = service.post(
        f"/api/cases/{case_id}/comments", "alice", json={"note": "once"}, headers=headers
    )
    again = service.post(
        f"/api/cases/{case_id}/comments", "alice", json={"note": "once"}, headers=headers
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["decision"] == again.json()["decision"]
    assert [row["note"] for row in service.timeline(case_id)] == ["once"]


# Low: headers, sessions, banners, notes --------------------------------------------------------


@pytest.mark.parametrize("path", ["/ui/login", "/ui/cases", "/api/cases", "/health"])
def test_every_answer_carries_the_security_headers(service, path: str) -> None:
    answer = service.get(path, "alice", follow_redirects=False)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["cache-control"] == "no-store"
    assert "script-src" not in answer.headers["content-security-policy"]
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")


def test_sign_out_revokes_the_session(service) -> None:
    with _page_client(service, "alice") as (client, csrf):
        copied = dict(client.cookies)
        assert client.post("/ui/logout", data={"csrf_token": csrf}).status_code == 303
    replayed = httpx.get(f"{service.url}/ui/cases", cookies=copied, timeout=10)
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/ui/login"


def test_the_banner_cannot_be_spoofed_by_a_link(service, cases_pool) -> None:
    case_id = cases_pool.take()
    with _page_client(service, "alice") as (client, _):
        page = client.get(
            f"/ui/cases/{case_id}",
            # Words no page holds by chance (a phone number may be part of an event id).
            params={"message": "Call SPOOFER to unlock", "error": "Call SPOOFER", "recorded": "7"},
        )
    assert page.status_code == 200
    assert "SPOOFER" not in page.text
    assert 'class="message"' not in page.text


def test_a_note_of_invisible_characters_is_no_note(service, cases_pool) -> None:
    case_id = cases_pool.take()
    answer = service.post(
        f"/api/cases/{case_id}/comments", "alice", json={"note": "\u200b\u200d\u2060 \u00a0"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "comment: a note is required"


def test_reads_and_refusals_are_in_the_audit_log(fraud_replay) -> None:
    port = free_port()
    process = start_service(fraud_replay.database.dsn, port)
    url = f"http://127.0.0.1:{port}"
    try:
        assert httpx.post(f"{url}/api/cases/x/comments", json={}).status_code == 401
        stolen = {"Authorization": "Bearer cst_stolen"}
        assert httpx.get(f"{url}/api/cases", headers=stolen).status_code == 401
        assert httpx.get(f"{url}/api/rule-history", headers=auth("vic")).status_code == 200
    finally:
        log = stop_service(process)
    assert "refused POST /api/cases/x/comments from 127.0.0.1:" in log
    assert "missing bearer token" in log
    assert "refused GET /api/cases from 127.0.0.1:" in log
    assert "unknown, revoked or expired token" in log
    assert "vic(viewer) GET /api/rule-history" in log
    assert "cst_stolen" not in log


def test_api_tokens_expire_on_their_date(case_settings) -> None:
    """An entry with an expiry date: the token works until 00:00 UTC that day, for the API and
    the sign-in form, and is refused (401) from then on."""
    from fastapi.testclient import TestClient

    from cases.app import create_app
    from cases.security import hash_token, parse_entries

    entries = parse_entries(f"tess:analyst:{hash_token('cst_tess')}:2026-12-02")
    now = [datetime(2026, 12, 1, 23, 59, tzinfo=UTC)]
    app = create_app(case_settings.model_copy(update={"tokens": entries}), lambda: now[0])
    bearer = {"Authorization": "Bearer cst_tess"}
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/api/me", headers=bearer).json() == {"user": "tess", "role": "analyst"}
        now[0] += timedelta(minutes=1)
        refused = client.get("/api/me", headers=bearer)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/login").text)
        assert csrf
        form = client.post("/ui/login", data={"token": "cst_tess", "csrf_token": csrf.group(1)})
    assert refused.status_code == 401
    assert refused.json() == {"detail": "unknown, revoked or expired token"}
    assert form.status_code == 401


def test_sessions_expire(case_settings) -> None:
    from fastapi.testclient import TestClient

    from cases.app import create_app

    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    app = create_app(case_settings.model_copy(update={"session_hours": 8.0}), lambda: now[0])
    with TestClient(app, follow_redirects=False) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/login").text)
        assert csrf
        signed = client.post(
            "/ui/login", data={"token": TOKENS["alice"][1], "csrf_token": csrf.group(1)}
        )
        assert signed.status_code == 303
        assert client.get("/ui/rules").status_code == 200
        now[0] += timedelta(hours=8, seconds=1)
        expired = client.get("/ui/rules")
    assert (expired.status_code, expired.headers["location"]) == (303, "/ui/login")


def test_statements_have_a_timeout(case_settings) -> None:
    from cases.store import Store

    store = Store(case_settings.database_url.get_secret_value(), statement_timeout_s=7)
    with store.session() as session:
        assert session._rows("show statement_timeout") == [{"statement_timeout": "7s"}]


def test_health_is_503_until_the_tables_exist(fraud_replay, case_settings) -> None:
    from fastapi.testclient import TestClient

    from cases.app import create_app

    conn = fraud_replay.database.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("drop database if exists cases_empty")
            cur.execute("create database cases_empty")
    finally:
        conn.close()
    from psycopg2.extensions import make_dsn

    dsn = make_dsn(fraud_replay.database.dsn, dbname="cases_empty")
    app = create_app(case_settings.model_copy(update={"database_url": SecretStr(dsn)}))
    with TestClient(app) as client:
        answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json() == {"detail": "the database lacks case_decisions (run dbt first)"}


def test_a_pasted_token_is_never_echoed_and_hashes_are_unique() -> None:
    from cases.security import hash_token, parse_entries

    token = "cst_" + "s3cr3t" * 7
    for text in (token, f"alice:{token}", f"alice:analyst:{token}"):
        with pytest.raises(ValueError) as error:
            parse_entries(text)
        assert "s3cr3t" not in str(error.value)
    digest = hash_token("cst_shared")
    with pytest.raises(ValueError, match="shares its token hash"):
        parse_entries(f"alice:analyst:{digest},bob:lead:{digest}")


def test_the_timeline_keeps_every_record_past_ten_thousand(fraud_replay, service, cases_pool):
    case_id = cases_pool.take()
    conn = fraud_replay.database.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                "insert into case_decisions (decision_id, case_id, seq, action, actor,"
                " actor_role, decided_at, previous_status, status, note, account_id, severity,"
                " reason_codes, case_opened_at, request_id)"
                " select %(case_id)s || '#' || lpad(seq::text, 6, '0'), %(case_id)s, seq,"
                " 'comment', 'alice', 'analyst', %(at)s, 'open', 'open', 'bulk', 'acct',"
                " 'high', 'velocity', %(at)s, 'bulk-' || seq from generate_series(1, 10000) seq",
                {"case_id": case_id, "at": datetime(2026, 1, 1, tzinfo=UTC)},
            )
    finally:
        conn.close()
    closed = service.post(
        f"/api/cases/{case_id}/close", "alice", json={"outcome": "false_positive", "note": "end"}
    )
    assert closed.status_code == 200, closed.text
    timeline = service.timeline(case_id)
    assert len(timeline) == 10_001
    assert timeline[-1]["action"] == "close"
