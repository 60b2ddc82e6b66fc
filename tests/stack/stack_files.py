"""Paths and parsers of the stack's files, shared by the offline checks."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
DATASOURCES = ROOT / "grafana" / "provisioning" / "datasources" / "risingwave.yml"
DASHBOARD_PROVIDER = ROOT / "grafana" / "provisioning" / "dashboards" / "fraud.yml"

_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?+][^}]*)?\}")
_ENV_LINE = re.compile(r"^#?\s*([A-Z_][A-Z0-9_]*)=", re.MULTILINE)


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE)


def compose_variables(text: str) -> set[str]:
    """Names of `${VAR}`, `${VAR:-default}`, `${VAR:?error}` references (`$$` is an escape)."""
    return set(_VARIABLE.findall(text.replace("$$", "")))


# The secrets compose refuses to start without (`${NAME:?...}`): no default credentials ship.
_REQUIRED = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):\?")


def required_secrets() -> dict[str, str]:
    """Each required variable of the compose file with a test value."""
    names = set(_REQUIRED.findall(COMPOSE.read_text(encoding="utf-8")))
    return {name: f"test-{name.lower().replace('_', '-')}" for name in sorted(names)}


def documented_variables() -> set[str]:
    """Variables `.env.example` lists, set or commented out (`# NAME=`)."""
    return set(_ENV_LINE.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def venv_tool(name: str) -> str | None:
    """A console script of this interpreter's environment, else one on PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)
