"""The case API on the replayed PostgreSQL: every action and transition, auth, read-after-write."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.cases.conftest import auth


def _act(client, user: str, case_id: str, action: str, body: Mapping[str, object]):
    return client.post(f"/api/cases/{case_id}/{action}", headers=auth(user), json=body)


def _ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _listed(client, user: str, case_id: str, **params: object) -> bool:
    """Whether `case_id` is on any page of the queue filtered by `params`."""
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = _ok(client.get("/api/cases", headers=auth(user), params=query))
        if any(item["case_id"] == case_id for item in page["items"]):
            return True
        cursor = page["next_cursor"]
        if cursor is None:
            return False


def test_health_needs_no_token(client) -> None:
    assert _ok(client.get("/health")) == {"status": "ok"}


def test_a_case_through_every_action(client, cases_pool) -> None:
    case_id = cases_pool.take()
    story = _ok(client.get(f"/api/cases/{case_id}", headers=auth("alice")))
    assert story["case"]["status"] == "open"
    assert story["signals"], "a case rests on signals"
    assert story["risk"]["account_id"] == story["case"]["account_id"]
    assert {signal["signal_type"] for signal in story["signals"]} == set(
        story["case"]["reason_codes"].split(",")
    )
    assert story["timeline"] == []

    taken = _ok(_act(client, "alice", case_id, "assign", {}))
    assert (taken["decision"]["previous_assignee"], taken["case"]["assignee"]) == (None, "alice")
    started = _ok(_act(client, "alice", case_id, "status", {"status": "investigating"}))
    assert (started["decision"]["previous_status"], started["case"]["status"]) == (
        "open",
        "investigating",
    )
    _ok(_act(client, "alice", case_id, "comments", {"note": "customer called back"}))
    closed = _ok(
        _act(
            client,
            "alice",
            case_id,
            "close",
            {"outcome": "confirmed_fraud", "note": "card used abroad"},
        )
    )
    assert closed["case"]["status"] == "closed"
    assert closed["case"]["outcome"] == "confirmed_fraud"

    # Read-after-write: the very next reads show every record, in order, with the prior state.
    timeline = _ok(client.get(f"/api/cases/{case_id}", headers=auth("bob")))["timeline"]
    assert [(row["seq"], row["action"], row["actor"]) for row in timeline] == [
        (1, "assign", "alice"),
        (2, "status", "alice"),
        (3, "comment", "alice"),
        (4, "close", "alice"),
    ]
    assert [row["previous_status"] for row in timeline] == [
        "open",
        "open",
        "investigating",
        "investigating",
    ]
    assert timeline[2]["note"] == "customer called back"
    assert not _listed(client, "bob", case_id)
    assert _listed(client, "bob", case_id, status="closed")

    reopened = _ok(_act(client, "lee", case_id, "reopen", {"note": "chargeback disputed"}))
    assert (reopened["case"]["status"], reopened["case"]["outcome"]) == ("open", None)
    assert reopened["case"]["assignee"] == "alice"
    assert _listed(client, "bob", case_id)
    audit = _ok(client.get("/api/decisions", headers=auth("vic"), params={"case_id": case_id}))
    assert [row["seq"] for row in audit["items"]] == [1, 2, 3, 4, 5]
    assert audit["items"][-1]["actor_role"] == "lead"


def test_filters(client, cases_pool) -> None:
    case_id = cases_pool.take()
    case = _ok(client.get(f"/api/cases/{case_id}", headers=auth("alice")))["case"]
    signal = case["reason_codes"].split(",")[0]
    _ok(_act(client, "bob", case_id, "assign", {}))
    assert _listed(client, "bob", case_id, assignee="me", signal_type=signal)
    assert not _listed(client, "alice", case_id, assignee="me")
    assert not _listed(client, "alice", case_id, assignee="none")
    other = "critical" if case["severity"] == "high" else "high"
    assert _listed(client, "alice", case_id, severity=case["severity"])
    assert not _listed(client, "alice", case_id, severity=other)
    assert _listed(client, "alice", case_id, opened_after=case["opened_at"])
    assert not _listed(client, "alice", case_id, opened_before=case["opened_at"])
    items = _ok(client.get("/api/cases", headers=auth("alice"), params={"signal_type": signal}))
    assert all(signal in item["reason_codes"].split(",") for item in items["items"])


@pytest.mark.parametrize(
    ("setup", "action", "body", "status_code", "message"),
    [
        ([], "close", {"outcome": "false_positive"}, 422, "close: a note is required"),
        ([], "close", {"outcome": "false_positive", "note": "   "}, 422, "a note is required"),
        ([], "close", {"outcome": "fraud", "note": "x"}, 422, "confirmed_fraud"),
        ([], "status", {"status": "closed"}, 409, "cannot go from open to closed"),
        ([], "status", {"status": "open"}, 409, "cannot go from open to open"),
        ([], "status", {"status": "done"}, 422, "investigating"),
        ([], "comments", {"note": ""}, 422, "comment: a note is required"),
        ([], "reopen", {}, 409, "only a closed case reopens"),
        ([("alice", "assign", {})], "assign", {}, 409, "already assigned to alice"),
        (
            [("alice", "status", {"status": "investigating"})],
            "status",
            {"status": "investigating"},
            409,
            "cannot go from investigating to investigating",
        ),
        (
            [("alice", "close", {"outcome": "benign_but_useful", "note": "known merchant"})],
            "comments",
            {"note": "late thought"},
            409,
            "is closed: a lead must reopen it first",
        ),
        (
            [("alice", "close", {"outcome": "benign_but_useful", "note": "known merchant"})],
            "close",
            {"outcome": "false_positive", "note": "again"},
            409,
            "is closed",
        ),
    ],
    ids=[
        "close-without-note",
        "close-blank-note",
        "close-unknown-outcome",
        "status-to-closed",
        "status-open-to-open",
        "status-unknown",
        "empty-comment",
        "reopen-open-case",
        "assign-to-same",
        "investigate-twice",
        "comment-on-closed",
        "close-closed",
    ],
)
def test_illegal_input_is_a_clear_4xx(
    client, cases_pool, setup, action, body, status_code, message
) -> None:
    case_id = cases_pool.take()
    for user, step, step_body in setup:
        _ok(_act(client, user, case_id, step, step_body))
    before = _ok(client.get(f"/api/cases/{case_id}", headers=auth("alice")))
    response = _act(client, "lee" if action == "reopen" else "alice", case_id, action, body)
    assert response.status_code == status_code
    assert message in response.text
    after = _ok(client.get(f"/api/cases/{case_id}", headers=auth("alice")))
    assert after["timeline"] == before["timeline"], "a refused action records nothing"


def test_legal_moves_back_and_forth(client, cases_pool) -> None:
    case_id = cases_pool.take()
    _ok(_act(client, "alice", case_id, "status", {"status": "investigating"}))
    released = _ok(_act(client, "alice", case_id, "status", {"status": "open"}))
    assert released["case"]["status"] == "open"
    closed = _ok(_act(client, "bob", case_id, "close", {"outcome": "false_positive", "note": "n"}))
    assert closed["decision"]["previous_status"] == "open"


def test_unknown_case_is_a_404(client) -> None:
    response = _act(
        client, "alice", "case_nobody_1", "close", {"outcome": "false_positive", "note": "x"}
    )
    assert response.status_code == 404
    assert "unknown case 'case_nobody_1'" in response.json()["detail"]
    assert client.get("/api/cases/case_nobody_1", headers=auth("alice")).status_code == 404


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing bearer token"),
        ({"Authorization": "Bearer cst_not-a-token"}, "unknown, revoked or expired token"),
        ({"Authorization": "Basic YWxpY2U6cHc="}, "missing bearer token"),
    ],
    ids=["no-token", "wrong-token", "not-bearer"],
)
def test_every_route_but_health_needs_a_token(client, headers, detail) -> None:
    for method, path in [
        ("get", "/api/cases"),
        ("get", "/api/cases/case_x_1"),
        ("get", "/api/decisions"),
        ("get", "/api/rule-performance"),
        ("get", "/api/rule-history"),
        ("get", "/api/me"),
        ("post", "/api/cases/case_x_1/close"),
    ]:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["detail"].startswith(detail)
        assert response.headers["www-authenticate"] == "Bearer"


def test_roles(client, cases_pool) -> None:
    case_id = cases_pool.take()
    assert _ok(client.get("/api/me", headers=auth("vic"))) == {"user": "vic", "role": "viewer"}
    assert client.get(f"/api/cases/{case_id}", headers=auth("vic")).status_code == 200
    for action, body in [
        ("assign", {}),
        ("comments", {"note": "x"}),
        ("status", {"status": "investigating"}),
        ("close", {"outcome": "false_positive", "note": "x"}),
    ]:
        response = _act(client, "vic", case_id, action, body)
        assert response.status_code == 403, action
        assert "viewers can read cases but not act" in response.text
    _ok(_act(client, "alice", case_id, "assign", {}))
    refused = _act(client, "bob", case_id, "assign", {})
    assert refused.status_code == 403
    assert "only a lead may reassign" in refused.text
    moved = _ok(_act(client, "lee", case_id, "assign", {"assignee": "bob"}))
    assert (moved["decision"]["previous_assignee"], moved["case"]["assignee"]) == ("alice", "bob")
    _ok(_act(client, "bob", case_id, "close", {"outcome": "false_positive", "note": "x"}))
    refused = _act(client, "bob", case_id, "reopen", {})
    assert refused.status_code == 403
    assert "only a lead may reopen" in refused.text
    assert (
        _ok(client.get(f"/api/cases/{case_id}", headers=auth("vic")))["case"]["status"] == "closed"
    )
