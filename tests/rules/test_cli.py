"""The rules CLI and the backtest's new options as a user runs them: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def test_validate_and_diff() -> None:
    validated = _run("-m", "rules", "validate")
    assert validated.returncode == 0, validated.stderr
    assert "v1: ok" in validated.stdout
    assert "active: v1" in validated.stdout
    changed = _run("-m", "rules", "diff", "v1", "v2")
    assert changed.returncode == 0, changed.stderr
    assert "velocity_min_transactions" in changed.stdout


def test_vars_print_the_active_rule_set_as_dbt_vars() -> None:
    printed = _run("-m", "rules.vars")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["velocity_min_transactions"] == 5


def test_an_unknown_version_is_one_line_and_exit_2() -> None:
    for args in (
        ("-m", "rules", "diff", "v1", "v99"),
        ("-m", "rules.vars", "v99"),
        ("-m", "backtest", "--rules", "v99", "--minutes", "1"),
        ("-m", "rules", "backtest", "v99", "--minutes", "1"),
    ):
        result = _run(*args)
        assert result.returncode == 2, args
        assert result.stderr.strip().splitlines() == [
            "rule set 'v99': no file v99.yml (known: v1, v2, v3)"
        ], args


def test_a_missing_input_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _run("-m", "backtest", "--input", str(tmp_path / "none.ndjson"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"INPUT: no such file '{tmp_path / 'none.ndjson'}'"


def test_without_risingwave_the_stack_commands_say_so_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rules", "history"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "RW_HOST": "127.0.0.1", "RW_PORT": "1"},
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("rules: database unreachable (RW_HOST, RW_PORT): ")


def test_vars_keep_the_rule_sets_order_of_risk_weights() -> None:
    # The risk view's columns and reason codes follow this order; the backtest passes it as is.
    from rules import store

    printed = _run("-m", "rules.vars")
    expected = store.dbt_vars(store.load(store.active_version()))["risk_weights"]
    assert list(json.loads(printed.stdout)["risk_weights"]) == list(expected)


def test_validate_reports_every_problem_of_every_file(tmp_path: Path, capsys) -> None:
    from rules.__main__ import _validate

    good = (ROOT / "rules" / "v1.yml").read_text(encoding="utf-8")
    (tmp_path / "v1.yml").write_text(good, encoding="utf-8")
    broken = good.replace("velocity_min_transactions: 5", "velocity_min_transactions: -1")
    broken = broken.replace("velocity_window_seconds: 60", "velocity_window_seconds: none")
    (tmp_path / "v2.yml").write_text(broken.replace("version: v1", "version: v2"), "utf-8")
    (tmp_path / "v3.yml").write_text("version: v3\nrules: [", encoding="utf-8")
    (tmp_path / "active").write_text("v9\n", encoding="utf-8")

    assert _validate(tmp_path) == 2
    out, err = capsys.readouterr()
    assert "v1: ok" in out
    lines = err.strip().splitlines()
    assert any(line.startswith("v2.yml: rules.velocity_min_transactions: ") for line in lines)
    assert any(line.startswith("v2.yml: rules.velocity_window_seconds: ") for line in lines)
    assert any(line.startswith("v3.yml: not valid YAML") for line in lines)
    assert any("v9" in line for line in lines)
    assert lines[-1] == f"rules: {len(lines) - 1} problem(s)"


def test_a_backtest_may_compare_two_rule_sets_neither_active(tmp_path: Path) -> None:
    # The dbt unit tests' fixtures are written for the active rule set's values: a build with
    # another set leaves them out (offline.replay.project_rule_values) instead of failing them.
    report = tmp_path / "report.json"
    result = _run(
        *("-m", "rules", "backtest", "v3", "--active", "v2", "--minutes", "1"),
        # the dense flat stream: a small pool
        *("--activity", "flat", "--transaction-rate", "20", "--customer-pool-size", "500"),
        *("--lookalike-rate", "0.1", "--report", str(report)),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "overall" in result.stdout
    assert report.exists()


def test_only_the_active_rule_values_run_the_dbt_unit_tests() -> None:
    from offline.dbt import dbt_args
    from offline.replay import project_rule_values
    from rules import store

    assert project_rule_values(store.dbt_vars(store.load(store.active_version()), env={}))
    assert not project_rule_values(store.dbt_vars(store.load("v3"), env={}))

    def build(*, unit_tests: bool) -> list[str]:
        return dbt_args(
            "build",
            target="postgres",
            variables={},
            target_dir=Path("target"),
            unit_tests=unit_tests,
        )

    assert "unit_test" not in build(unit_tests=True)
    assert build(unit_tests=False)[-2:] == ["--exclude-resource-type", "unit_test"]
