"""The rule history in the case API: every change newest first, and the rule set version that
was live when a case opened (mv_rule_history on the replayed PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.cases.conftest import auth, rule_change


def _story(client, case_id: str) -> dict:
    response = client.get(f"/api/cases/{case_id}", headers=auth("vic"))
    assert response.status_code == 200, response.text
    return response.json()


def _opened_at(client, case_id: str) -> datetime:
    return datetime.fromisoformat(_story(client, case_id)["case"]["opened_at"])


def _history(client) -> list[dict]:
    response = client.get("/api/rule-history", headers=auth("vic"))
    assert response.status_code == 200, response.text
    return response.json()


def test_without_history_the_version_is_not_recorded(client, cases_pool) -> None:
    assert _history(client) == []
    assert _story(client, cases_pool.take())["rules_version_at_open"] is None


def test_history_newest_first_and_the_version_live_at_each_opening(
    client, cases_pool, record_rule_changes
) -> None:
    early = cases_pool.take()
    early_at = _opened_at(client, early)
    late = cases_pool.take(lambda case_id: _opened_at(client, case_id) > early_at)
    late_at = _opened_at(client, late)
    between = early_at + (late_at - early_at) / 2
    changes = [
        rule_change("c1", between, "promote", ("v1", "v2")),
        # At the very moment the late case opened: it opened under v3.
        rule_change("c2", late_at, "promote", ("v2", "v3")),
        rule_change("c3", late_at + timedelta(hours=1), "rollback", ("v3", "v2")),
    ]
    record_rule_changes(changes[1], changes[2], changes[0])

    history = _history(client)
    assert [row["change_id"] for row in history] == ["c3", "c2", "c1"]
    newest = history[0]
    assert datetime.fromisoformat(newest["changed_at"]) == changes[2].changed_at
    assert {key: value for key, value in newest.items() if key != "changed_at"} == {
        "change_id": "c3",
        "action": "rollback",
        "from_version": "v3",
        "to_version": "v2",
        "changed_by": "c3@bank",
        "reason": "why c3",
        "rebuilt_models": "mv_velocity_alerts,mv_signals",
    }
    # Before the first change: the version that change replaced.
    assert _story(client, early)["rules_version_at_open"] == "v1"
    assert _story(client, late)["rules_version_at_open"] == "v3"


def test_a_case_opened_after_a_rollback_shows_the_version_rolled_back_to(
    client, cases_pool, record_rule_changes
) -> None:
    case_id = cases_pool.take()
    opened_at = _opened_at(client, case_id)
    record_rule_changes(
        rule_change("p1", opened_at - timedelta(hours=3), "promote", ("v1", "v2")),
        rule_change("p2", opened_at - timedelta(hours=2), "promote", ("v2", "v3")),
        rule_change("r1", opened_at - timedelta(hours=1), "rollback", ("v3", "v2")),
    )
    assert _story(client, case_id)["rules_version_at_open"] == "v2"
    assert [row["change_id"] for row in _history(client)] == ["r1", "p2", "p1"]
