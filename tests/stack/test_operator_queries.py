"""The SQL operators run through make (risk, cases, ...) and `make validate`, on replayed views."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.stack.stack_files import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
CHECK_PIPELINE = (ROOT / "scripts" / "check_pipeline.sh").read_text(encoding="utf-8")
# `target: ## help` followed by `$(RW_QUERY) "sql"` on the recipe line.
MAKE_QUERIES = dict(re.findall(r'^([a-z-]+):[^\n]*\n\t\$\(RW_QUERY\) "([^"]+)"', MAKEFILE, re.M))
_VIEW_LOOP = re.search(r"for view in ([^;]+); do", CHECK_PIPELINE)
assert _VIEW_LOOP is not None, "check_pipeline.sh has no `for view in ...` loop"
VALIDATED_VIEWS = [word for word in _VIEW_LOOP.group(1).split() if word != "\\"]


@pytest.fixture(scope="module")
def replay_cursor(fraud_replay: Any) -> Iterator[Any]:
    connection = fraud_replay.database.connect()
    connection.autocommit = True
    with connection.cursor() as cursor:
        yield cursor
    connection.close()


def test_make_targets_with_queries_are_found() -> None:
    assert set(MAKE_QUERIES) == {"risk", "cases", "kpis", "fraud-rate"}
    assert len(VALIDATED_VIEWS) >= 8 and all(view.startswith("mv_") for view in VALIDATED_VIEWS)


@pytest.mark.parametrize("target", sorted(MAKE_QUERIES))
def test_make_query_returns_rows(replay_cursor: Any, target: str) -> None:
    replay_cursor.execute(MAKE_QUERIES[target])
    assert replay_cursor.fetchall(), f"make {target} shows nothing after a replay"


@pytest.mark.parametrize("view", [*VALIDATED_VIEWS, "mv_open_fraud_cases"])
def test_views_validate_checks_are_filled_by_a_replay(replay_cursor: Any, view: str) -> None:
    replay_cursor.execute(f"select count(*) from {view}")
    assert replay_cursor.fetchone()[0] > 0


STATUS_QUERY = re.search(r'^status:.*?--command "([^"]+)"', MAKEFILE, re.M | re.S)


def test_make_status_counts_the_key_views(replay_cursor: Any) -> None:
    assert STATUS_QUERY is not None, "make status shows no row counts"
    replay_cursor.execute(STATUS_QUERY.group(1))
    counts = dict(replay_cursor.fetchall())
    assert {"mv_signals", "mv_account_risk_score_realtime", "mv_open_fraud_cases"} <= set(counts)
    assert counts["mv_signals"] > 0 and counts["mv_open_fraud_cases"] > 0
