"""The analyst page in a real browser: Debian's chromium, headless, driven by Playwright.

The service runs in this process on a loopback port over the replayed PostgreSQL. A screenshot of
the closed case is kept in reports/test-artifacts/ (TEST_ARTIFACTS_DIR overrides it), and so are
the README's pictures of the queue and a case page: `make screenshots` (DOC_SCREENSHOTS=1) writes
those into docs/images/ instead, so a test run leaves the tree as it was. Every page walked fails
the test if it shows a raw column name of the views it reads.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cases.conftest import TOKENS, first_by_bob, rule_change

# The binary `make browser` provides; CHROMIUM names another one (as in the Makefile).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# What headless chromium needs as root on our machines, plus no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = (
    Path(os.environ.get("TEST_ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "reports"))
    / "test-artifacts"
)
# Where the README's pictures go: docs/images/ only when asked (`make screenshots`).
IMAGES = (
    Path(__file__).resolve().parents[2] / "docs" / "images"
    if os.environ.get("DOC_SCREENSHOTS") == "1"
    else ARTIFACTS
)
# What the page reads: none of their column names may reach the page's text.
READ_RELATIONS = (
    "mv_open_fraud_cases",
    "mv_case_status",
    "mv_account_risk_score_realtime",
    "mv_signals",
    "int_transactions",
    "int_logins",
    "int_alerts",
    "int_customers",
    "int_ml_scores",
    "case_decisions",
)
SEVERITY_RANK = {"Critical": 0, "High": 1}


def _require_browser() -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (make browser)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser prerequisite missing under CI: {reason}")
    pytest.skip(reason)


@contextmanager
def _served(settings) -> Iterator[str]:
    """The service on a loopback port in this process; its base URL."""
    import uvicorn

    from cases.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the case service did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def _tab(service_url: str):
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=service_url, viewport={"width": 1400, "height": 1000}
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()
        browser.close()


@pytest.fixture
def service_url(case_settings) -> Iterator[str]:
    with _served(case_settings.model_copy(update={"page_size": 100})) as url:
        yield url


@pytest.fixture
def page(service_url):
    with _tab(service_url) as tab:
        yield tab


@pytest.fixture(scope="module")
def raw_names(fraud_replay) -> re.Pattern[str]:
    """Column names (with an underscore: single words are words) and codes the views speak in."""
    from cases.labels import RECOMMENDED, SIGNALS

    conn = fraud_replay.database.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select distinct column_name from information_schema.columns"
                " where table_name = any(%s) and column_name like '%%\\_%%'",
                (list(READ_RELATIONS),),
            )
            names = {row[0] for row in cur.fetchall()}
    finally:
        conn.close()
    assert "login_storm_contribution" in names and "risk_level" in names
    names |= set(RECOMMENDED) | {code for code in SIGNALS if "_" in code}
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")


def _no_raw_names(page, raw_names: re.Pattern[str]) -> None:
    text = page.inner_text("body")
    found = sorted(set(raw_names.findall(text)))
    assert not found, f"{page.url} shows raw names: {found}"


def _sign_in(page, user: str) -> None:
    page.goto("/ui/cases")
    assert page.url.endswith("/ui/login"), "without a token the page asks for one"
    page.fill("#token", TOKENS[user][1])
    page.click("#sign-in")
    page.wait_for_url("**/ui/cases")


def _find_in_queue(page, case_id: str) -> bool:
    """Walk the queue's pages from the first; whether `case_id` is on one of them."""
    page.goto("/ui/cases")
    while True:
        if page.locator(f'tr[data-case-id="{case_id}"]').count():
            return True
        following = page.locator("#next-page")
        if not following.count():
            return False
        following.click()
        page.wait_for_load_state()


def _rule_counts(page, signal_type: str) -> tuple[int, int]:
    page.goto("/ui/rules")
    row = page.locator(f'tr[data-signal-type="{signal_type}"]')
    return int(row.locator(".cases-closed").inner_text()), int(
        row.locator(".false-positives").inner_text()
    )


def test_an_analyst_closes_a_case_as_a_false_positive(page, cases_pool, raw_names) -> None:
    case_id = cases_pool.take()
    _sign_in(page, "alice")
    assert _find_in_queue(page, case_id)
    page.click(f'tr[data-case-id="{case_id}"] a')
    page.wait_for_url(f"**/ui/cases/{case_id}")
    assert page.inner_text("#case-status") == "open"
    signal_type = page.locator("#signals tbody tr").first.get_attribute("data-signal-type")
    assert page.locator("#signals tbody tr").count() > 0
    closed_before, false_positives_before = _rule_counts(page, signal_type)

    page.goto(f"/ui/cases/{case_id}")
    # No outcome is preselected, and the browser asks for one and for the confirmation.
    assert page.input_value("#close-outcome") == ""
    page.click("#close")
    assert page.url.endswith(f"/ui/cases/{case_id}"), "nothing was submitted"
    page.select_option("#close-outcome", "false_positive")
    page.check("#close-confirm")
    page.click("#close")  # no note yet: refused, nothing recorded
    assert "close: a note is required" in page.inner_text(".error")
    assert page.inner_text("#case-status") == "open"
    page.select_option("#close-outcome", "false_positive")
    page.fill("#close-note", "Customer confirmed the purchases; travel notice missing.")
    page.check("#close-confirm")
    page.click("#close")
    page.wait_for_selector(".message")
    assert page.inner_text("#case-status") == "closed"
    _no_raw_names(page, raw_names)
    assert "Customer confirmed the purchases" in page.inner_text("#timeline")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-closed-false-positive.png"), full_page=True)

    assert not _find_in_queue(page, case_id), "a closed case leaves the queue"
    assert _rule_counts(page, signal_type) == (closed_before + 1, false_positives_before + 1)
    page.screenshot(path=str(ARTIFACTS / "rule-performance.png"), full_page=True)


def test_a_viewer_sees_the_story_but_no_actions(page, cases_pool) -> None:
    case_id = cases_pool.take()
    page.goto("/ui/login")
    page.fill("#token", "cst_wrong")
    page.click("#sign-in")
    assert "Unknown or expired token." in page.inner_text(".error")
    _sign_in(page, "vic")
    page.goto(f"/ui/cases/{case_id}")
    assert page.locator("#timeline").count() == 1
    assert page.locator("#actions").count() == 0
    page.goto("/ui/cases/case_nobody_1")
    assert "unknown case 'case_nobody_1'" in page.inner_text(".error")


def test_the_rule_history_and_the_rules_a_case_opened_under(
    page, cases_pool, case_settings, record_rule_changes
) -> None:
    from cases.store import Store

    case_id = cases_pool.take()
    with Store(case_settings.database_url.get_secret_value()).session() as session:
        opened_at = session.case(case_id)["opened_at"]
    _sign_in(page, "vic")
    page.goto(f"/ui/cases/{case_id}")
    assert page.inner_text("#rules-version") == "not recorded"
    page.goto("/ui/rules")
    assert page.inner_text("#rule-history tbody") == "No rule set change recorded yet."

    record_rule_changes(
        rule_change("promote-v2", opened_at - timedelta(minutes=1), "promote", ("v1", "v2")),
        rule_change("rollback-v1", opened_at + timedelta(hours=1), "rollback", ("v2", "v1")),
    )
    page.goto(f"/ui/cases/{case_id}")
    assert page.inner_text("#rules-version") == "v2"
    page.goto("/ui/rules")
    rows = page.locator("#rule-history tbody tr")
    assert [rows.nth(i).get_attribute("data-change-id") for i in range(rows.count())] == [
        "rollback-v1",
        "promote-v2",
    ]
    newest = rows.nth(0)
    cells = [
        newest.locator(f".{name}").inner_text() for name in ("action", "from-version", "to-version")
    ]
    assert cells == ["rollback", "v2", "v1"]
    assert "mv_velocity_alerts, mv_signals" in newest.inner_text()
    assert "why rollback-v1" in newest.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "rule-history.png"), full_page=True)


def _queue_rows(page) -> list[tuple[int, float, str]]:
    """(severity rank, risk, opened at) of each row of the queue page shown."""
    rows = page.locator("#queue tbody tr")
    found = []
    for index in range(rows.count()):
        row = rows.nth(index)
        severity = row.locator("td").nth(1).inner_text().strip()
        risk = float(row.locator(".risk").get_attribute("data-risk") or "nan")
        found.append(
            (SEVERITY_RANK[severity], risk, row.locator(".age").get_attribute("data-opened-at"))
        )
    return found


def test_the_queue_in_triage_order_a_case_page_and_a_pivot(page, raw_names) -> None:
    _sign_in(page, "vic")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "queue.png"))
    rows = _queue_rows(page)
    while page.locator("#next-page").count():  # the whole queue, page after page
        _no_raw_names(page, raw_names)
        page.click("#next-page")
        page.wait_for_load_state()
        rows += _queue_rows(page)
    assert len(rows) > 5
    assert rows == sorted(rows, key=lambda row: (row[0], -row[1], row[2])), "triage order"
    assert len({row[0] for row in rows}) == 2, "the replay has critical and high cases"
    _no_raw_names(page, raw_names)
    page.goto("/ui/cases")

    page.click("#sort-risk")  # first click: highest risk first
    risks = [row[1] for row in _queue_rows(page)]
    assert risks == sorted(risks, reverse=True)
    page.click("#sort-risk")
    risks = [row[1] for row in _queue_rows(page)]
    assert risks == sorted(risks)
    page.click("#sort-age")  # first click: oldest first
    opened = [row[2] for row in _queue_rows(page)]
    assert opened == sorted(opened)
    page.click("#sort-age")
    opened = [row[2] for row in _queue_rows(page)]
    assert opened == sorted(opened, reverse=True)

    page.click("#triage-order")
    first = page.locator("#queue tbody tr").first
    case_id = first.get_attribute("data-case-id")
    first.locator("a").click()
    page.wait_for_url(f"**/ui/cases/{case_id}")
    summary = page.inner_text("#why-flagged")
    assert "was flagged critical" in summary and "Strongest first:" in summary
    signal_names = page.locator("#signals tbody tr .chip").all_inner_texts()
    assert signal_names and all(name in summary for name in signal_names)
    marks = page.locator("#timeline-chart .signal-mark").count()
    assert marks == page.locator("#signals tbody tr").count()
    customer = page.inner_text("#customer")
    assert "Customer for" in customer and "Typical spend" in customer
    assert re.search(r"\d+ (year|month|day)", page.inner_text("#tenure"))
    flagged = page.locator("#transactions tr.flagged").count()
    assert 0 < flagged < page.locator("#transactions tbody tr").count(), "normal activity too"
    assert page.locator("#logins details").get_attribute("open") is None, "logins start collapsed"
    assert re.match(r"Sign-ins \(\d+: \d+ failed", page.inner_text("#logins summary"))
    _no_raw_names(page, raw_names)
    page.screenshot(path=str(IMAGES / "case.png"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-page.png"), full_page=True)

    pivot = page.locator("#transactions a.pivot[href*='/entities/device/']").first
    device = pivot.inner_text()
    pivot.click()
    page.wait_for_url("**/ui/entities/device/**")
    assert page.inner_text("#entity-value") == device
    assert page.locator(f'#entity-cases tr[data-case-id="{case_id}"]').count() == 1
    _no_raw_names(page, raw_names)


def test_a_decision_shows_pending_until_the_database_confirms_it(
    case_settings, fraud_replay, cases_pool
) -> None:
    case_id = cases_pool.take()
    # The page answers at once; the database cannot confirm while bob's write of the same step
    # is in an open transaction (rolled back: he never acted).
    settings = case_settings.model_copy(update={"page_wait_s": 0.0})
    with (
        _served(settings) as url,
        _tab(url) as page,
        first_by_bob(fraud_replay.database.dsn, case_id) as blocker,
    ):
        _sign_in(page, "alice")
        page.goto(f"/ui/cases/{case_id}")
        page.fill("#comment-note", "Called the customer; waiting for the branch.")
        page.click("#comment")
        page.wait_for_selector(".pending")
        assert page.inner_text(".pending").startswith("Pending: Commented")
        assert page.locator(".message").count() == 0
        blocker.rollback()
        # The page reloads itself until the confirmation (no script: a meta refresh).
        page.wait_for_selector(".message")
        assert page.inner_text(".message").startswith("Recorded: Commented")
        assert page.locator(".pending").count() == 0
        assert "waiting for the branch" in page.inner_text("#timeline")
