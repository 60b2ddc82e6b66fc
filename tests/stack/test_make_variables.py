"""A make target that needs a variable names it in one line, before any work (no venv, no dbt)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.stack.conftest import require
from tests.stack.stack_files import ROOT

NEEDED = [
    ("rules-diff", {}, "A"),
    ("rules-diff", {"A": "v1"}, "B"),
    ("rules-backtest", {}, "CANDIDATE"),
    ("rules-shadow", {}, "CANDIDATE"),
    ("rules-promote", {"WHY": "tested"}, "V"),
    ("rules-promote", {"V": "v2"}, "WHY"),
    ("rules-rollback", {}, "WHY"),
]


@pytest.mark.parametrize(("target", "given", "missing"), NEEDED)
def test_a_missing_variable_stops_make_with_its_name(
    target: str, given: dict[str, str], missing: str
) -> None:
    require(shutil.which("make") is not None, "make is not installed")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"A", "B", "CANDIDATE", "V", "WHY", "MAKEFLAGS"}
    }
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--dry-run",
            target,
            *(f"{k}={v}" for k, v in given.items()),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        timeout=30,
    )
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert f"make {target} needs {missing}, e.g. make {target} " in line
    assert result.stdout == ""


def test_with_its_variables_the_target_runs() -> None:
    require(shutil.which("make") is not None, "make is not installed")
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--dry-run",
            "--old-file=.venv/.installed",
            "rules-diff",
            "A=v1",
            "B=v2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("-m rules diff v1 v2")
