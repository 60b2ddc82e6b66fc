"""Running the dbt project on the `postgres` target, in this process."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline.clock import SESSION_OPTIONS, set_clock
from offline.database import Database
from offline.progress import Progress
from offline.schema import DBT_PROJECT_DIR

if TYPE_CHECKING:
    from dbt_common.events.base_types import EventMsg

# Nothing phones home: dbt's anonymous usage events are off in every invocation (the project's
# flags say so too; the environment covers a dbt that reads the flags late or not at all).
NO_TELEMETRY = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


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
    unit_tests: bool = True,
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
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    return args


class _NodeProgress:
    """dbt's per-node result events as a progress line (they carry the node's index and the
    total even under --quiet, which only silences dbt's own log lines)."""

    def __init__(self, command: str) -> None:
        self.progress = Progress(f"dbt {command}", unit="nodes")

    def __call__(self, event: EventMsg) -> None:
        data = event.data
        # Model, seed and snapshot results name the total `total`; test results `num_models`.
        total = getattr(data, "total", 0) or getattr(data, "num_models", 0)
        if event.info.name.endswith("Result") and total:
            self.progress.update(max(self.progress.done, int(data.index)), total=int(total))


def invoke(args: list[str], env: Mapping[str, str]) -> None:
    """Run dbt with `env` (and NO_TELEMETRY) added to the environment for the call, with a
    progress line per node; DbtError naming failed nodes."""
    env = {**env, **NO_TELEMETRY}
    previous = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    # Imported on first use: importing dbt takes seconds, and the light commands that import
    # this module (python -m rules validate) must not pay for it.
    from dbt.cli.main import dbtRunner

    nodes = _NodeProgress(args[0])
    try:
        result = dbtRunner(callbacks=[nodes]).invoke(args)
    finally:
        nodes.progress.finish()
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
    unit_tests: bool = True,
) -> None:
    """`dbt <command>` on the postgres target with `variables` as --vars, evaluated with NOW()
    = `clock` when given (offline.clock), else the database's own time; `unit_tests` false
    leaves the dbt unit tests out of a build."""
    args = dbt_args(
        command,
        target="postgres",
        variables=variables,
        target_dir=target_dir,
        select=(select,) if select else (),
        full_refresh=full_refresh,
        unit_tests=unit_tests,
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
