"""`python -m rules validate` (a YAML check) starts without importing dbt, XGBoost or sklearn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("dbt", "xgboost", "sklearn")
# Runs the command as `python -m rules validate` does, then lists the heavy modules it loaded.
PROBE = """
{prelude}
import json, runpy, sys
sys.argv = ["rules", *sys.argv[1:]]
try:
    runpy.run_module("rules", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    code = stop.code
heavy = sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def _loaded(*args: str, prelude: str = "") -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(HEAVY), prelude=prelude), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rules_validate_imports_no_dbt_xgboost_or_sklearn() -> None:
    outcome = _loaded("validate")
    assert outcome["code"] == 0
    assert outcome["heavy"] == []


def test_the_probe_sees_a_heavy_import() -> None:
    outcome = _loaded("validate", prelude="import xgboost")
    assert outcome["code"] == 0
    assert "xgboost" in outcome["heavy"]
