"""Running the dbt project on the `postgres` target, in this process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

from backtest.clock import SESSION_OPTIONS, set_clock
from backtest.database import Database
from backtest.schema import DBT_PROJECT_DIR


class DbtError(RuntimeError):
    """A dbt command failed; the message names the failing nodes."""


def dbt_args(
    command: str,
    *,
    target: str,
    variables: Mapping[str, Any],
    target_dir: Path,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    offline: bool = False,
) -> list[str]:
    """`dbt <command>` on `target` with `variables` as --vars, in their order: the risk view's
    columns follow the order of risk_weights."""
    args = [
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
        "--vars",
        json.dumps(dict(variables)),
        "--quiet",
    ]
    if offline:
        args.append("--no-populate-cache")
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select]
    return args


def invoke(args: list[str], env: Mapping[str, str]) -> None:
    """Run dbt with `env` added to the environment for the call; DbtError naming failed nodes."""
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        result = dbtRunner().invoke(args)
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if not result.success:
        failed = []
        if result.result is not None and hasattr(result.result, "results"):
            failed = [
                f"{item.node.name}: {item.message}"
                for item in result.result.results
                if str(item.status) in {"error", "fail"}
            ]
        detail = "; ".join(failed) or str(result.exception)
        raise DbtError(f"dbt {args[0]} failed: {detail}")


def run_dbt(
    database: Database,
    command: str,
    *,
    variables: Mapping[str, object],
    target_dir: Path,
    select: str | None = None,
    full_refresh: bool = False,
    clock: datetime | None = None,
) -> None:
    """`dbt <command>` on the postgres target with `variables` as --vars, evaluated with NOW()
    = `clock` when given (backtest.clock), else the database's own time."""
    args = dbt_args(
        command,
        target="postgres",
        variables=variables,
        target_dir=target_dir,
        select=(select,) if select else (),
        full_refresh=full_refresh,
    )
    env = database.dbt_env()
    if clock is not None:
        conn = database.connect()
        try:
            set_clock(conn, clock)
        finally:
            conn.close()
        env["PGOPTIONS"] = SESSION_OPTIONS
    invoke(args, env)
