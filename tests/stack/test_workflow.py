"""The CI workflow: valid for GitHub (schema and actionlint) and shaped as the project asks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.stack.conftest import require
from tests.stack.stack_files import ROOT, WORKFLOW, load_yaml, venv_tool

ACTIONLINT_VERSION = "v1.7.12"
ACTIONLINT = f"github.com/rhysd/actionlint/cmd/actionlint@{ACTIONLINT_VERSION}"
CACHE = ROOT / ".cache"
WORKFLOW_DOC: dict[str, Any] = load_yaml(WORKFLOW)
JOBS: dict[str, Any] = WORKFLOW_DOC["jobs"]


def _actionlint() -> Path:
    """The pinned actionlint, built once through the Go module proxy and kept under .cache/."""
    binary = CACHE / "bin" / "actionlint"
    if binary.exists():
        version = subprocess.run([binary, "-version"], capture_output=True, text=True, check=False)
        if version.stdout.startswith(ACTIONLINT_VERSION + "\n"):
            return binary
    go = shutil.which("go")
    require(go is not None, "go is not installed (actionlint is built from the Go proxy)")
    assert go is not None
    environment = {
        **os.environ,
        "GOBIN": str(binary.parent),
        "GOPATH": str(CACHE / "go"),
        "GOCACHE": str(CACHE / "go" / "build"),
    }
    build = subprocess.run(
        [go, "install", ACTIONLINT], env=environment, capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, build.stderr
    return binary


def test_actionlint_accepts_the_workflow() -> None:
    result = subprocess.run(
        [str(_actionlint()), "-no-color", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    broken.write_text(text.replace("needs: lint", "needs: linter", 1), encoding="utf-8")
    result = subprocess.run(
        [str(_actionlint()), "-no-color", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "linter" in result.stdout


def test_workflow_matches_the_github_schema() -> None:
    tool = venv_tool("check-jsonschema")
    require(tool is not None, "check-jsonschema is not installed (pip install -e '.[dev]')")
    assert tool is not None
    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_jobs_are_the_pipeline_checks() -> None:
    assert set(JOBS) == {"lint", "test", "docker-build", "dbt-compile", "compose-validate", "e2e"}
    assert JOBS["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]
    assert any(step.get("run") == "make test" for step in JOBS["test"]["steps"])


def test_the_test_job_obtains_the_engine_the_runner_lacks() -> None:
    """GitHub's runners have no ../shared/bin: `make engine` copies the server out of the image
    compose runs, before `make test` (which needs it for the engine tests)."""
    job = JOBS["test"]
    assert job["env"]["ENGINE_FROM"] == "image"
    runs = [step.get("run") for step in job["steps"]]
    assert runs.index("make engine") < runs.index("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    image = re.search(r"^RISINGWAVE_IMAGE := (\S+)$", makefile, re.MULTILINE)
    assert image, "Makefile: no RISINGWAVE_IMAGE"
    risingwave = load_yaml(ROOT / "docker-compose.yml")["services"]["risingwave"]["image"]
    assert re.sub(r"\$\{[A-Z_]+:-([^}]+)\}", r"\1", risingwave) == image[1]


def test_least_privilege_and_one_run_per_ref() -> None:
    assert WORKFLOW_DOC["permissions"] == {}
    for name, job in JOBS.items():
        assert job["permissions"] == {"contents": "read"}, name
        assert job.get("timeout-minutes"), f"{name} has no timeout"
    assert WORKFLOW_DOC["concurrency"]["cancel-in-progress"] is True


@pytest.mark.parametrize("job", sorted(JOBS))
def test_actions_are_pinned_to_current_majors(job: str) -> None:
    allowed = {"actions/checkout@v5", "actions/setup-python@v6"}
    for step in JOBS[job]["steps"]:
        if "uses" in step:
            action = step["uses"]
            assert "@" in action and not action.endswith(("@main", "@master")), action
            name = action.split("@")[0]
            if name in {"actions/checkout", "actions/setup-python"}:
                assert action in allowed, action
        if step.get("uses") == "actions/checkout@v5":
            assert step["with"]["persist-credentials"] is False


def _recipe(target: str) -> str:
    """The recipe lines of a Makefile target."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"Makefile: no target {target}"
    return match.group(1)


def test_every_step_is_a_make_target() -> None:
    """CI's shell lives in the Makefile and scripts/: a step runs one `make` command."""
    for name, job in JOBS.items():
        for step in job["steps"]:
            if "run" in step:
                assert re.fullmatch(r"make [^\n;&|]+", step["run"].strip()), (name, step["run"])


def test_e2e_runs_on_pull_requests_to_main_and_always_tears_down() -> None:
    e2e = JOBS["e2e"]
    assert "pull_request" in e2e["if"] and "main" in e2e["if"]
    steps = e2e["steps"]
    runs = [step.get("run", "") for step in steps]
    assert runs.index("make up") < runs.index("make validate-wait")
    # The services read .env only: the world of the matrix goes there before the stack starts.
    settings = next(step for step in steps if "set-env" in step.get("run", ""))
    assert "matrix.world" in settings["env"]["WORLD"] and "WORLD=$WORLD" in settings["run"]
    assert runs.index(settings["run"]) < runs.index("make up")
    assert "make bench-e2e-summary" in runs
    assert "GITHUB_STEP_SUMMARY" in _recipe("bench-e2e-summary")
    assert "make check-no-critical" in runs
    invariant = _recipe("check-no-critical")
    assert invariant.index("FRAUD_RATE=0") < invariant.index("reset")
    script = (ROOT / "scripts" / "check_no_critical.sh").read_text(encoding="utf-8")
    assert "risk_level = 'critical'" in script
    assert steps[-1]["if"] == "always()" and steps[-1]["run"] == "make destroy"
    assert "down --volumes" in _recipe("destroy")
    assert any(step.get("if") == "failure()" and step["run"] == "make stack-logs" for step in steps)
    assert "logs" in _recipe("stack-logs")


VALIDATE_WAIT = ROOT / "scripts" / "validate_wait.sh"


def _run_validate_loop(tmp_path: Path, fake_make: str, deadline_s: int) -> tuple[int, float, str]:
    """scripts/validate_wait.sh (what `make validate-wait` runs) with `make` replaced."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    make = bin_dir / "make"
    make.write_text(f"#!/usr/bin/env bash\n{fake_make}\n", encoding="utf-8")
    make.chmod(0o755)
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "VALIDATE_DEADLINE_SECONDS": str(deadline_s),
        "VALIDATE_RETRY_SECONDS": "1",
        "CALLS": str(tmp_path / "calls"),
    }
    began = time.monotonic()
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", str(VALIDATE_WAIT)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.returncode, time.monotonic() - began, result.stdout


def test_validate_waits_against_a_deadline_in_seconds() -> None:
    assert "make validate-wait" in [step.get("run") for step in JOBS["e2e"]["steps"]]
    assert "validate_wait.sh" in _recipe("validate-wait")
    script = VALIDATE_WAIT.read_text(encoding="utf-8")
    assert "${VALIDATE_DEADLINE_SECONDS:-300}" in script
    assert "seq " not in script, "a count of attempts is not a time bound"


def test_validate_loop_succeeds_as_soon_as_validate_passes(tmp_path: Path) -> None:
    # Fails twice, then passes.
    fake = 'echo x >> "$CALLS"; (( $(wc -l < "$CALLS") >= 3 ))'
    code, _, _ = _run_validate_loop(tmp_path, fake, deadline_s=30)
    assert code == 0
    assert len((tmp_path / "calls").read_text().splitlines()) == 3


def test_validate_loop_gives_up_at_the_deadline(tmp_path: Path) -> None:
    code, elapsed, stdout = _run_validate_loop(tmp_path, "exit 1", deadline_s=3)
    assert code == 1
    assert 3 <= elapsed < 8
    assert "did not validate within 3 s" in stdout


def test_a_hanging_validate_cannot_outlast_the_deadline(tmp_path: Path) -> None:
    code, elapsed, _ = _run_validate_loop(tmp_path, "sleep 50", deadline_s=3)
    assert code == 1
    assert elapsed < 8
