"""Logging of the offline jobs, set up so that no dependency can silence it."""

from __future__ import annotations

import logging
import sys

# The project's packages log at INFO; dependencies (the embedded PostgreSQL's chatter) only warn.
OWN_LOGGERS = ("backtest", "offline", "rules", "scoring")


def setup_logging(level: int = logging.INFO) -> None:
    """Plain lines on stderr. `force`: snowplow_tracker (imported with dbt) calls
    logging.basicConfig() at import, which made every later basicConfig a no-op, so the jobs'
    own lines never showed."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s", force=True)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
