"""Every repository path the docs cite exists: README.md, docs/*.md, fraud_detection/README.md and
the comments of .env.example. A path counts when its first folder is one of the repository's (or
of the dbt project's); it may be written from the repository root, the doc's folder or the dbt
project. Command examples and image references (`grafana/grafana:12.4.0`) are not paths."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "fraud_detection"
DOCS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        DBT_PROJECT / "README.md",
        ROOT / ".env.example",
    ]
)
# Cited though absent, on purpose: the new rule set the docs have the reader write.
EXAMPLES = {"rules/v3.yml"}
# folder/.../name or folder/: not inside a URL, a longer path or an image reference (repo:tag).
PATH = re.compile(r"(?<![\w/.:@$<{-])((?:[\w.-]+/)+(?:[\w.-]*\w)?)(?![\w/:<{*])")


def _tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:  # not a git checkout (an unpacked archive): what is on disk
        return [str(path.relative_to(ROOT)) for path in ROOT.rglob("*") if ".git" not in path.parts]
    return listed.stdout.splitlines()


TRACKED = _tracked()
FOLDERS = {path.split("/")[0] for path in TRACKED if "/" in path} | {
    path.split("/")[1]
    for path in TRACKED
    if path.startswith("fraud_detection/") and path.count("/") > 1
}


def cited_paths(text: str) -> set[str]:
    return {match for match in PATH.findall(text) if match.split("/")[0] in FOLDERS}


def _exists(path: str, doc: Path) -> bool:
    return path in EXAMPLES or any(
        (base / path).exists() for base in (ROOT, doc.parent, DBT_PROJECT)
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_every_cited_path_exists(doc: Path) -> None:
    missing = sorted(
        path for path in cited_paths(doc.read_text(encoding="utf-8")) if not _exists(path, doc)
    )
    assert not missing, f"{doc.relative_to(ROOT)} cites paths that do not exist: {missing}"


def test_the_check_sees_paths_and_ignores_what_is_not_one() -> None:
    text = (
        "see producers/settings.py and `docs/runbook.md`, the folder scripts/, "
        "[the rules](rules/v1.yml); not grafana/grafana:12.4.0, https://x.org/producers/a.py, "
        "rules/<version>.yml or reports/backtest.json"
    )
    assert cited_paths(text) == {
        "producers/settings.py",
        "docs/runbook.md",
        "scripts/",
        "rules/v1.yml",
    }
    assert not _exists("producers/no_such_module.py", ROOT / "README.md")
