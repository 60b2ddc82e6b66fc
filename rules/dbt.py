"""The dbt commands a rule change runs, built as argument lists (testable offline), and running
them in this process (offline.dbt) on either target."""

from __future__ import annotations

from pathlib import Path

from offline.schema import DBT_PROJECT_DIR

SHADOW_SELECTION = ("path:models/signals", "path:models/shadow")


def compiled_models(target_dir: Path) -> dict[str, str]:
    """Model name -> its compiled SQL, from a `dbt compile` into `target_dir`."""
    root = target_dir / "compiled" / DBT_PROJECT_DIR.name / "models"
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.sql"))
        if len(path.relative_to(root).parts) == 2  # models/<folder>/<model>.sql, not data tests
    }
