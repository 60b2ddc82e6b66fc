"""Backtest: the CLI (python -m backtest) and its report over an offline replay (offline/)."""
