"""The haversine_km macro on PostgreSQL: NULL when any input is NULL (the engine suite runs the
same rendered SQL on RisingWave: tests/engine/test_engine_sql.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.database import open_database
from tests.support.dbt_compile import compile_risingwave
from tests.support.replay import require_embedded_postgres

# (lat1, lon1, lat2, lon2) -> km; London -> Paris is about 343.5 km.
CASES = [
    ((51.5074, -0.1278, 48.8566, 2.3522), 343.5),
    ((None, None, 48.8566, 2.3522), None),
    ((51.5074, -0.1278, None, 2.3522), None),
    ((51.5074, None, 48.8566, 2.3522), None),
    ((0.0, 0.0, 0.0, 0.0), 0.0),
]


def haversine_query(tmp_path: Path) -> str:
    """The macro rendered over four float8 parameters (same Jinja on both targets)."""
    inline = "select {{ haversine_km('lat1', 'lon1', 'lat2', 'lon2') }} as km from inputs"
    body = compile_risingwave(tmp_path, inline=inline)
    return (
        "with inputs as (select cast(%s as double precision) as lat1,"
        " cast(%s as double precision) as lon1, cast(%s as double precision) as lat2,"
        f" cast(%s as double precision) as lon2) {body}"
    )


def check_haversine(cursor: object, sql: str) -> None:
    for inputs, expected in CASES:
        cursor.execute(sql, inputs)  # type: ignore[attr-defined]
        (km,) = cursor.fetchone()  # type: ignore[attr-defined]
        if expected is None:
            assert km is None, inputs
        else:
            assert km == pytest.approx(expected, abs=0.5), inputs


@pytest.mark.slow
def test_haversine_is_null_when_an_input_is_null_on_postgres(tmp_path: Path) -> None:
    require_embedded_postgres()
    sql = haversine_query(tmp_path / "dbt")
    with open_database(tmp_path / "pg") as database:
        conn = database.connect()
        try:
            with conn.cursor() as cursor:
                check_haversine(cursor, sql)
        finally:
            conn.close()
