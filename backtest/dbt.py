"""Running the dbt project on the `postgres` target, in this process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from dbt.cli.main import dbtRunner

from backtest.clock import SESSION_OPTIONS, set_clock
from backtest.database import Database
from backtest.schema import DBT_PROJECT_DIR


class DbtError(RuntimeError):
    """A dbt command failed; the message names the failing nodes."""


def run_dbt(
    database: Database,
    command: str,
    *,
    variables: Mapping[str, object],
    target_dir: Path,
    select: str | None = None,
    extra_args: tuple[str, ...] = (),
    clock: datetime | None = None,
) -> None:
    """`dbt <command>` on the postgres target with `variables` as --vars, evaluated with NOW()
    = `clock` when given (backtest.clock), else the database's own time."""
    args = [
        command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "postgres",
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
        "--vars",
        json.dumps(dict(variables)),
        "--quiet",
        *extra_args,
    ]
    if select:
        args += ["--select", select]
    env = database.dbt_env()
    if clock is not None:
        conn = database.connect()
        try:
            set_clock(conn, clock)
        finally:
            conn.close()
        env["PGOPTIONS"] = SESSION_OPTIONS
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
        raise DbtError(f"dbt {command} failed: {detail}")
