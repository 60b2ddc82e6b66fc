"""Keyset pagination: rows written between pages neither repeat nor push others out of reach."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cases.conftest import auth

PAGE = 50


def _page(client, path: str, **params: object) -> dict:
    response = client.get(path, headers=auth("alice"), params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def inserted_cases(fraud_replay):
    """Insert cases into the open-case table (a table on PostgreSQL) as new detections would;
    removed again afterwards so other tests see the replay as it was."""
    conn = fraud_replay.database.connect()
    conn.autocommit = True
    made: list[str] = []

    def insert(case_id: str, opened_at) -> None:
        with conn.cursor() as cur:
            cur.execute(
                "insert into mv_open_fraud_cases (case_id, account_id, customer_id, severity,"
                " risk_score, recommended_action, reason_codes, opened_at, updated_at)"
                " values (%s, %s, 'C_TEST', 'high', 0.7, 'step_up_authentication_and_review',"
                " 'velocity', %s, %s)",
                (case_id, case_id.removeprefix("case_"), opened_at, opened_at),
            )
        made.append(case_id)

    yield insert
    with conn.cursor() as cur:
        cur.execute("delete from mv_open_fraud_cases where case_id = any(%s)", (made,))
    conn.close()


def test_case_pages_with_inserts_in_between(client, inserted_cases) -> None:
    everything = _page(client, "/api/cases", limit=500)
    assert everything["next_cursor"] is not None, "the replay must hold more than one page"
    first_pages = []
    cursor = None
    seen: list[str] = []
    inserted_behind, inserted_ahead = [], []
    pages = 0
    while True:
        page = _page(client, "/api/cases", limit=PAGE, **({"cursor": cursor} if cursor else {}))
        pages += 1
        items = page["items"]
        assert len(items) <= PAGE
        seen += [item["case_id"] for item in items]
        first_pages.append(items)
        cursor = page["next_cursor"]
        if cursor is None:
            break
        last = items[-1]["opened_at"]
        # One new case sorts before the cursor (already passed: not served) and one after.
        behind = f"case_TB{pages:04d}_1"
        ahead = f"case_TA{pages:04d}_1"
        from datetime import datetime

        at = datetime.fromisoformat(last)
        inserted_cases(behind, at - timedelta(seconds=1))
        inserted_cases(ahead, at + timedelta(days=1, seconds=pages))
        inserted_behind.append(behind)
        inserted_ahead.append(ahead)
    assert pages > 2
    assert len(seen) == len(set(seen)), "a row was served twice"
    start = {item["case_id"] for item in _listing_at_start(everything, client)}
    assert start <= set(seen), "a row present throughout was skipped"
    assert set(inserted_ahead) <= set(seen), "rows added ahead of the cursor are served"
    assert not set(inserted_behind) & set(seen), "rows added behind the cursor are not"


def _listing_at_start(first: dict, client) -> list[dict]:
    items, cursor = list(first["items"]), first["next_cursor"]
    while cursor:
        page = _page(client, "/api/cases", limit=500, cursor=cursor)
        items += page["items"]
        cursor = page["next_cursor"]
    return [item for item in items if not item["case_id"].startswith(("case_TA", "case_TB"))]


def test_decision_pages_with_writes_in_between(client, cases_pool) -> None:
    case_id = cases_pool.take()
    for number in range(7):
        client.post(
            f"/api/cases/{case_id}/comments", headers=auth("bob"), json={"note": f"n{number}"}
        ).raise_for_status()
    seen: list[int] = []
    cursor = None
    written = 7
    while True:
        params = {"case_id": case_id, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = _page(client, "/api/decisions", **params)
        seen += [item["seq"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        if written < 12:
            client.post(
                f"/api/cases/{case_id}/comments", headers=auth("bob"), json={"note": "more"}
            ).raise_for_status()
            written += 1
    assert seen == list(range(1, written + 1))


@pytest.mark.parametrize(
    ("params", "status_code", "message"),
    [
        ({"cursor": "not-a-cursor"}, 400, "cursor: not a cursor this service issued"),
        ({"cursor": "WyJ4IiwieSIsInoiXQ"}, 400, "cursor: it was issued for other filters"),
        ({"limit": 0}, 422, "limit: must be between 1 and 500"),
        ({"limit": 501}, 422, "limit: must be between 1 and 500"),
        ({"status": "archived"}, 422, "status: 'archived' is not one of"),
        ({"severity": "low"}, 422, "severity: must be high or critical"),
        ({"signal_type": "vibes"}, 422, "signal_type: must be one of"),
        ({"opened_after": "yesterday"}, 422, "opened_after"),
    ],
    ids=["garbage", "foreign", "zero", "too-many", "status", "severity", "signal", "time"],
)
def test_bad_list_input_is_a_clear_4xx(client, params, status_code, message) -> None:
    response = client.get("/api/cases", headers=auth("alice"), params=params)
    assert response.status_code == status_code
    assert message in response.text


def test_a_cursor_is_bound_to_its_filters(client) -> None:
    page = _page(client, "/api/cases", limit=2)
    other = client.get(
        "/api/cases",
        headers=auth("alice"),
        params={"limit": 2, "severity": "critical", "cursor": page["next_cursor"]},
    )
    assert other.status_code == 400
    assert "issued for other filters" in other.json()["detail"]
    audit = client.get(
        "/api/decisions", headers=auth("alice"), params={"cursor": page["next_cursor"]}
    )
    assert audit.status_code == 400
