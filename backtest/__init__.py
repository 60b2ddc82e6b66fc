"""Backtest: replay generated history through the detection SQL on an embedded PostgreSQL."""

from backtest.replay import ReplayResult, run

__all__ = ["ReplayResult", "run"]
