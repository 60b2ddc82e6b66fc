"""The decision store's DDL on RisingWave (compiled offline): the construct RisingWave's own
e2e test runs (e2e_test/streaming/on_conflict.slt: a primary key, APPEND ONLY, ON CONFLICT DO
NOTHING), with exactly the columns the service writes."""

from __future__ import annotations

import re
from pathlib import Path

from cases.store import DECISION_COLUMNS
from offline.schema import DBT_PROJECT_DIR
from tests.support.dbt_compile import compile_risingwave


def test_risingwave_ddl_keeps_the_first_record_of_a_step(tmp_path: Path) -> None:
    ddl = compile_risingwave(tmp_path, inline="{{ create_case_decisions() }}")
    match = re.fullmatch(
        r"create table if not exists public\.case_decisions \((?P<body>.*)\)"
        r" append only on conflict do nothing",
        ddl,
        flags=re.DOTALL,
    )
    assert match, ddl
    lines = [line.strip().rstrip(",") for line in match["body"].strip().splitlines()]
    assert lines[-1] == "primary key (decision_id)"
    assert tuple(line.split()[0] for line in lines[:-1]) == DECISION_COLUMNS


def test_the_hook_creates_it_on_every_run() -> None:
    project = (DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    assert '  - "{{ create_case_decisions() }}"' in project.split("on-run-start:")[1]
