"""`make backtest` and `make rules-backtest` state which history settings they used and where each
came from: a flag (a make variable), the environment, .env or the default, in that order of
precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.__main__ import parse_args
from offline.history_settings import PRECEDENCE, load_settings, settings_line
from rules.__main__ import _parser as rules_parser

# The default world's pace (producers/settings.py): named after the three settings above.
DEFAULT_WORLD = (
    "ACTIVITY=cycles (default), TRANSACTION_RATE=2.5 (default),"
    " CUSTOMER_POOL_SIZE=144000 (default), LOOKALIKE_RATE=0.005 (default)"
)


@pytest.fixture
def env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """./.env of an empty folder (Settings reads ./.env, as the backtests do from the repo), and
    none of the history settings in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "FRAUD_RATE",
        "SEED",
        "WORLD",
        "ACTIVITY",
        "TRANSACTION_RATE",
        "CUSTOMER_POOL_SIZE",
        "LOOKALIKE_RATE",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / ".env"


def test_each_setting_names_its_source(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file.write_text("FRAUD_RATE=0.02\nWORLD=clean\n", encoding="utf-8")
    monkeypatch.setenv("WORLD", "realistic")
    args = parse_args(["--minutes", "5", "--seed", "7"])

    line = settings_line(args, load_settings(args), env_file)

    assert line == (
        "settings: FRAUD_RATE=0.02 (.env), SEED=7 (flag), WORLD=realistic (environment),"
        f" {DEFAULT_WORLD}; precedence: {PRECEDENCE}"
    )


def test_without_flags_environment_or_env_file_the_defaults_are_named(env_file: Path) -> None:
    args = parse_args(["--minutes", "5"])
    line = settings_line(args, load_settings(args), env_file)
    assert line.startswith("settings: FRAUD_RATE=0.002 (default), SEED=42 (default), WORLD=")


def test_the_rules_backtest_takes_and_names_the_same_settings(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEED", "9")
    args = rules_parser().parse_args(["backtest", "v2", "--minutes", "5", "--world", "clean"])
    settings = load_settings(args)
    assert (settings.seed, settings.world) == (9, "clean")
    line = settings_line(args, settings, env_file)
    assert line == (
        "settings: FRAUD_RATE=0.002 (default), SEED=9 (environment), WORLD=clean (flag),"
        f" {DEFAULT_WORLD}; precedence: {PRECEDENCE}"
    )
