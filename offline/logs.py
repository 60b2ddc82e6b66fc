"""Logging of the offline jobs, set up so that no dependency can silence it."""

from __future__ import annotations

import logging
import sys

# The project's packages log at INFO; dependencies (the embedded PostgreSQL's chatter) only warn.
OWN_LOGGERS = ("backtest", "offline", "rules", "scoring")


def setup_logging(level: int = logging.INFO) -> None:
    """Plain lines on stderr. snowplow_tracker (imported with dbt) calls logging.basicConfig() at
    import: that made every later basicConfig a no-op and left the root at WARNING, so the jobs'
    own lines never showed. Its plain stderr handler is replaced by ours; other handlers (a test
    runner's capture) stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
