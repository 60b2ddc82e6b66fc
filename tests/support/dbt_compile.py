"""The dbt project compiled for the risingwave target, offline (no server: --no-populate-cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from offline.dbt import NO_TELEMETRY, dbt_args

DBT = Path(sys.executable).with_name("dbt")


def compile_risingwave(
    target_dir: Path,
    *,
    inline: str | None = None,
    env: Mapping[str, str] | None = None,
    variables: Mapping[str, object] | None = None,
) -> str:
    """`dbt compile` of the whole project into `target_dir` (with `variables` as --vars, e.g. a
    rule set's), or of `inline` Jinja; returns what an inline compile renders (empty for the
    project: read target_dir/compiled)."""
    args = dbt_args(
        "compile",
        target="risingwave",
        variables=variables or {},
        target_dir=target_dir,
        offline=True,
    )
    if inline is not None:
        args += ["--output", "json", "--inline", inline]
    completed = subprocess.run(
        [str(DBT), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), **NO_TELEMETRY},
    )
    return json.loads(completed.stdout)["compiled"] if inline is not None else ""
