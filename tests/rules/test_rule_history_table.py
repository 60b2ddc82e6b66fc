"""A promote on a database without the rule history creates it first (rules/deploy.py)."""

from __future__ import annotations

from pathlib import Path

from backtest.database import open_database
from rules import store
from rules.deploy import Deployer, Target
from tests.support.sql import rows

EXISTS = "select to_regclass('public.rule_history') is not null"


def test_ensure_history_creates_the_table_on_an_empty_database(
    embedded_postgres: None, tmp_path: Path
) -> None:
    with open_database(tmp_path / "pgdata") as database:
        assert rows(database, EXISTS) == [(False,)]
        target = Target("postgres", database.dsn, database.dbt_env())
        deployer = Deployer(target, work_dir=tmp_path / "deploy")

        deployer._ensure_history(store.load("v1"))

        assert rows(database, EXISTS) == [(True,)]
        # Idempotent: a second promote finds the table and keeps it.
        deployer._ensure_history(store.load("v1"))
        assert rows(database, "select count(*) from rule_history") == [(0,)]
