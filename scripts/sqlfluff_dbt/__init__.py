"""dbt's template context for the jinja templater of sqlfluff (fraud_detection/.sqlfluff).

The models render as dbt renders them for the `postgres` target: `var()` reads the project's vars,
`adapter.dispatch` picks the `default__` macro, and `execute` is false (no graph, no database).
The RisingWave-only SQL (the `risingwave__` macros and models/sinks) is not linted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from jinja2 import pass_context
from jinja2.runtime import Context

_PROJECT = Path(__file__).resolve().parents[2] / "fraud_detection" / "dbt_project.yml"
_VARS: dict[str, Any] = yaml.safe_load(_PROJECT.read_text(encoding="utf-8"))["vars"]
_MISSING = object()

execute = False


class _Target:
    name = "postgres"
    type = "postgres"
    database = "postgres"
    schema = "public"


target = _Target()


def env_var(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def var(name: str, default: Any = _MISSING) -> Any:
    value = _VARS.get(name, default)
    if value is _MISSING:
        raise KeyError(f"dbt var {name!r} is not in dbt_project.yml")
    if isinstance(value, str) and value.startswith("{{ env_var("):
        # The only templated vars read an environment variable with a default.
        return value.split("'")[3]
    return value


class _Adapter:
    @pass_context
    def dispatch(self, context: Context, name: str, package: str | None = None) -> Any:
        return context.resolve(f"default__{name}")


adapter = _Adapter()


class _Relation:
    @staticmethod
    def create(database: str = "", schema: str = "", identifier: str = "") -> str:
        return f"{schema}.{identifier}" if schema else identifier


class _Api:
    Relation = _Relation


api = _Api()
