"""What the stack's memory limits add up to, in both profiles, as `docker compose config` sees it.

`make up` uses the defaults; `make up-small` the smaller limits of the Makefile's SMALL_MEMORY.
docs/runbook.md states both totals; these checks keep it true and the small profile workable.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import Any

import pytest

from tests.stack.conftest import require
from tests.stack.stack_files import COMPOSE, ROOT, compose_variables, required_secrets
from tests.stack.test_compose import _compose_command

GIB = 1 << 30
# An 8 GB laptop has about 7.4 GiB; the OS, Docker's VM and a browser need the other ~1.9 GiB.
SMALL_BUDGET = 5.5 * GIB
RISINGWAVE_MINIMUM = 2 * GIB  # single_node gives compute 3/4 of its limit; compute needs more
REDPANDA_HEAP = GIB  # --memory=1G: Redpanda's minimum per core


def small_profile() -> dict[str, str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^SMALL_MEMORY := (.+)$", makefile, re.MULTILINE)
    assert line, "Makefile: SMALL_MEMORY := NAME=value ..."
    return dict(item.split("=", 1) for item in line.group(1).split())


def resolved(overrides: dict[str, str]) -> dict[str, Any]:
    """The compose file as `docker compose config` resolves it with only `overrides` set."""
    variables = compose_variables(COMPOSE.read_text(encoding="utf-8"))
    environment = {key: value for key, value in os.environ.items() if key not in variables}
    result = subprocess.run(
        [*_compose_command(), "--file", str(COMPOSE), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={**environment, **required_secrets(), **overrides},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def limits(services: dict[str, Any]) -> dict[str, int]:
    return {name: int(spec["mem_limit"]) for name, spec in services.items() if "mem_limit" in spec}


def _runbook_memory_section() -> str:
    text = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    section = re.search(r"^## Memory\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert section, "docs/runbook.md: no '## Memory' section"
    return section.group(1)


def _gib(amount: int) -> str:
    return f"{amount / GIB:.1f} GiB"


def test_the_small_profile_sets_only_documented_variables() -> None:
    variables = compose_variables(COMPOSE.read_text(encoding="utf-8"))
    assert set(small_profile()) <= variables
    assert set(small_profile()) == {"RISINGWAVE_MEMORY", "REDPANDA_MEMORY"}


@pytest.mark.parametrize("profile", ["default", "small"])
def test_every_long_running_service_has_a_limit(profile: str) -> None:
    services = resolved({} if profile == "default" else small_profile())
    running = {name for name, spec in services.items() if spec.get("restart") != "no"}
    assert running <= set(limits(services)), (
        f"no mem_limit: {sorted(running - set(limits(services)))}"
    )


def test_the_small_profile_fits_an_8_gb_laptop_and_keeps_each_service_workable() -> None:
    small = limits(resolved(small_profile()))
    default = limits(resolved({}))

    assert sum(small.values()) <= SMALL_BUDGET
    assert sum(small.values()) < sum(default.values())
    for memory in (small, default):
        assert memory["risingwave"] >= RISINGWAVE_MINIMUM
        # Room beside Redpanda's own heap for what seastar does not allocate.
        assert memory["redpanda"] >= REDPANDA_HEAP + 256 * (1 << 20)


def test_redpanda_heap_is_the_one_the_limits_leave_room_for() -> None:
    command = resolved({})["redpanda"]["command"]
    assert "--memory=1G" in command


def _row(section: str, target: str) -> str:
    row = re.search(rf"^\| `{re.escape(target)}` \|.*$", section, re.MULTILINE)
    assert row, f"docs/runbook.md, Memory: no row for `{target}`"
    return row.group(0)


def test_the_runbook_states_both_profiles_and_their_totals() -> None:
    section = _runbook_memory_section()
    default = limits(resolved({}))
    small = limits(resolved(small_profile()))
    assert _gib(sum(default.values())) in _row(section, "make up")
    small_row = _row(section, "make up-small")
    assert _gib(sum(small.values())) in small_row
    for value in small_profile().values():
        assert f"| {value} |" in small_row


def test_make_up_small_starts_the_stack_with_the_small_profile() -> None:
    require(shutil.which("make") is not None, "make is not installed")
    listed = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert re.search(r"^  up-small\s+\S", listed, re.MULTILINE)
    dry = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "up-small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    first = dry.stdout.splitlines()[0]
    assert first.split()[:-2] == [f"{name}={value}" for name, value in small_profile().items()]
    assert first.endswith(" up")
