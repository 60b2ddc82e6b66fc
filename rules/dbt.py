"""The dbt commands a rule change runs, built as argument lists (testable offline), and running
them in this process on either target."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

from backtest.dbt import DbtError
from backtest.schema import DBT_PROJECT_DIR

SHADOW_SELECTION = ("path:models/signals", "path:models/shadow")


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


def compiled_models(target_dir: Path) -> dict[str, str]:
    """Model name -> its compiled SQL, from a `dbt compile` into `target_dir`."""
    root = target_dir / "compiled" / DBT_PROJECT_DIR.name / "models"
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.sql"))
        if len(path.relative_to(root).parts) == 2  # models/<folder>/<model>.sql, not data tests
    }
