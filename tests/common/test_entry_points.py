"""Every entry point answers --help and --version at once: without a broker, a database or a
model, and without loading the heavy libraries that would make a newcomer wait (the Kafka client,
dbt, XGBoost, scikit-learn)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from common.cli import version

ENTRY_POINTS = [
    "producers",
    "alerter",
    "scoring",
    "grafana.dashboards",
    "decisions",
    "rules",
    "backtest",
    "scoring.offline",
]
HEAVY = {"kafka", "confluent_kafka", "dbt", "xgboost", "sklearn", "matplotlib", "uvicorn"}
# The offline jobs' modules import the scorer's libraries (not a model) at import time.
ALLOWED = {"backtest": {"xgboost", "sklearn"}, "scoring.offline": {"xgboost", "sklearn"}}
# Runs the module as `python -m` would, then reports which heavy packages it loaded.
PROBE = """
import contextlib, io, runpy, sys
sys.argv = ["python -m {module}", "{flag}"]
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        runpy.run_module("{module}", run_name="__main__")
except SystemExit as stop:
    code = stop.code
print(code)
print(",".join(sorted({{name.split(".")[0] for name in sys.modules}} & {heavy!r})))
print(out.getvalue())
"""


def _probe(module: str, flag: str) -> tuple[object, set[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, flag=flag, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        # A broker address nothing listens on: a --help that tried Kafka would fail or hang.
        env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    code, loaded, output = result.stdout.split("\n", 2)
    return code, set(filter(None, loaded.split(","))), output


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_help_answers_at_once(module: str) -> None:
    code, loaded, output = _probe(module, "--help")
    assert code in {"0", "None"}
    assert output.startswith(f"usage: python -m {module}")
    assert loaded <= ALLOWED.get(module, set()), f"--help loaded {sorted(loaded)}"


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_version_answers_at_once(module: str) -> None:
    code, loaded, output = _probe(module, "--version")
    assert code in {"0", "None"}
    assert output.strip() == f"python -m {module} {version()}"
    assert loaded <= ALLOWED.get(module, set()), f"--version loaded {sorted(loaded)}"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["backtest", "--seed", "abc"], "argument --seed: invalid int value: 'abc'"),
        (["rules", "diff"], "the following arguments are required: a, b"),
    ],
)
def test_a_bad_argument_stops_with_one_line_naming_it(argv: list[str], named: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"python -m {argv[0]}") and named in line
