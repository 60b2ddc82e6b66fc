"""Reading a replayed database in tests."""

from __future__ import annotations

from typing import Any

from offline.database import Database


def rows(database: Database, query: str) -> list[tuple[Any, ...]]:
    """Every row of `query`, on a connection of its own."""
    conn = database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()
    finally:
        conn.close()
