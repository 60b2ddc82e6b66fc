"""Input retention covers the longest window of the rule set in use, path by path
(macros/retention.sql over the contract's input spans): a detection path that is off (its window
var null, as rules/schema.py requires of an off path) needs no input, one that is on keeps its
windows' worth."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import store
from tests.support.dbt_compile import compile_risingwave

RETENTION = 24
# v3's day-long paths (cumulative structuring, the new payee's look-back) turned off, so the
# card testing paths' own spans show.
WITHOUT_DAY_PATHS = {
    "structuring_cumulative_window_minutes": None,
    "structuring_cumulative_low_pct": None,
    "structuring_cumulative_high_pct": None,
    "structuring_cumulative_min_transactions": None,
    "takeover_payee_history_minutes": None,
}


def _input_retention_hours(target: Path, version: str, **overrides: object) -> int:
    variables = {**store.dbt_vars(store.load(version), env={}), **overrides}
    rendered = compile_risingwave(
        target, inline="{{ input_retention_hours() }}", variables=variables
    )
    return int(rendered.strip())


@pytest.mark.parametrize(
    ("version", "overrides", "hours"),
    [
        # Geo's 120-min gap and structuring's two 60-min windows, plus 5 min of skew: 3 h.
        ("v1", {}, RETENTION + 3),
        # v3's cumulative structuring sums a day, kept for two windows, plus 5 min of skew: 49 h.
        ("v3", {}, RETENTION + 25),
        # Without the day-long paths, v3's drip (two 60-min windows) and merchant view (three
        # 10-min windows) fit in v1's 3 h.
        ("v3", WITHOUT_DAY_PATHS, RETENTION + 3),
        # A 4-hour drip keeps 8 h 5 min of input: 9 h.
        ("v3", {**WITHOUT_DAY_PATHS, "cnp_drip_window_minutes": 240}, RETENTION + 9),
        # A merchant window of 3 hours counts in threes: 9 h 5 min, 10 h.
        ("v3", {**WITHOUT_DAY_PATHS, "cnp_merchant_window_minutes": 180}, RETENTION + 10),
    ],
)
def test_input_retention_follows_the_paths_that_are_on(
    tmp_path: Path, version: str, overrides: dict[str, object], hours: int
) -> None:
    assert _input_retention_hours(tmp_path, version, **overrides) == hours
