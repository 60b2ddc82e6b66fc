"""The settings that shape generated history (the producer's Settings) as the replays take them
(`python -m backtest`, `python -m rules backtest`): a flag, which a make variable becomes, wins;
unset, the environment, then .env, then the default decide. One line at start says which."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from producers.settings import Settings

PRECEDENCE = "flag (make variable), environment, .env, default"
# The history settings a command line may set (each command has the flags it offers).
FLAGGED = (
    "fraud_rate",
    "seed",
    "world",
    "activity",
    "transaction_rate",
    "customer_pool_size",
    "lookalike_rate",
)


def _flag(args: argparse.Namespace, field: str) -> Any:
    return getattr(args, field, None)


def load_settings(args: argparse.Namespace) -> Settings:
    """The producer's settings for a replay: its flags over the environment, .env and defaults."""
    overrides: dict[str, Any] = {"sink": "jsonl"}
    for field in FLAGGED:
        if _flag(args, field) is not None:
            overrides[field] = _flag(args, field)
    return Settings(**overrides)


def settings_line(
    args: argparse.Namespace, settings: Settings, env_file: Path = Path(".env")
) -> str:
    """The history settings in force and where each came from, printed at start."""
    in_file = set()
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8").splitlines():
            name, sep, _ = line.strip().partition("=")
            if sep and not name.startswith("#"):
                in_file.add(name.strip())
    parts = []
    for field in FLAGGED:
        env = Settings.env_name(field)
        if _flag(args, field) is not None:
            source = "flag"
        elif env in os.environ:
            source = "environment"
        elif env in in_file:
            source = ".env"
        else:
            source = "default"
        parts.append(f"{env}={getattr(settings, field)} ({source})")
    return f"settings: {', '.join(parts)}; precedence: {PRECEDENCE}"
