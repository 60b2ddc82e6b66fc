"""The stack's dbt job builds with the active rule set: the --vars it gives dbt are rules.vars'.

RisingWave cannot run here: `psql` and `dbt` are stand-ins on PATH that record their arguments;
Python is the project's (the dbt image installs the same pydantic).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rules import store

ROOT = Path(__file__).resolve().parents[2]


def _stand_ins(bin_dir: Path, log: Path) -> None:
    bin_dir.mkdir()
    for name in ("psql", "dbt"):
        script = bin_dir / name
        script.write_text(
            f'#!/usr/bin/env bash\nprintf "%s\\0" {name} "$@" >> {log}\nprintf "\\n" >> {log}\n',
            encoding="utf-8",
        )
        script.chmod(0o755)
    (bin_dir / "python3").symlink_to(sys.executable)


def _calls(log: Path) -> list[list[str]]:
    return [line.strip("\0").split("\0") for line in log.read_text().splitlines() if line]


def _job(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "calls.log"
    _stand_ins(tmp_path / "bin", log)
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "dbt_job.sh")],
        env={
            **os.environ,
            "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
            "GRAFANA_DB_PASSWORD": "x",
            "CASE_SERVICE_DB_PASSWORD": "y",
            "DECISION_SERVICE_DB_PASSWORD": "w",
            "RW_PASSWORD": "z",
            "SQL_WAIT_SECONDS": "0",
            **environment,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_dbt_job_passes_the_active_rule_set_to_run(tmp_path: Path) -> None:
    result = _job(tmp_path, DBT_RUN_ARGS="--select mv_velocity_alerts+")
    assert result.returncode == 0, result.stderr
    assert f"dbt job: rule set {store.active_version()}" in result.stdout
    dbt_calls = [call[1:] for call in _calls(tmp_path / "calls.log") if call[0] == "dbt"]
    # No seeds: the scenario map is the detection contract's, built as a model.
    assert [call[0] for call in dbt_calls] == ["run"]
    expected = store.dbt_vars(store.load(store.active_version()))
    for call in dbt_calls:
        assert json.loads(call[call.index("--vars") + 1]) == expected
    assert dbt_calls[0][-2:] == ["--select", "mv_velocity_alerts+"]
    # After the views: Grafana's reader, the case service's user, the decision service's
    # (SELECT-only, as the reader), then root's password.
    psql_files = [
        Path(call[call.index("--file") + 1]).name
        for call in _calls(tmp_path / "calls.log")
        if call[0] == "psql" and "--file" in call
    ]
    assert psql_files == [
        "grant_reader.sql",
        "grant_case_service.sql",
        "grant_reader.sql",
        "-",
    ]


def test_a_bad_structuring_threshold_stops_the_job_in_one_line(tmp_path: Path) -> None:
    result = _job(tmp_path, STRUCTURING_THRESHOLD="lots")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "dbt job: STRUCTURING_THRESHOLD: must be a number above 0 (got 'lots')"
    )
