"""The PostgreSQL query type the SDK lacks, and the reference to our one datasource.

Grafana's PostgreSQL datasource reads `rawSql` in `code` mode; `format` is `time_series` (needs a
`time` column) or `table`. RisingWave speaks the PostgreSQL protocol, so this is all panels need.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models.dashboard import DataSourceRef

# Fixed in grafana/provisioning/datasources/risingwave.yml; every panel points at this uid.
DATASOURCE_UID = "risingwave"
DATASOURCE_TYPE = "grafana-postgresql-datasource"
DATASOURCE = DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)

QueryFormat = Literal["time_series", "table"]


@dataclass(frozen=True)
class SqlQuery(cogvariants.Dataquery):
    """One SQL statement of a panel (Grafana runs it as a single prepared statement)."""

    ref_id: str
    raw_sql: str
    format: QueryFormat

    def to_json(self) -> dict[str, object]:
        return {
            "refId": self.ref_id,
            "datasource": DATASOURCE.to_json(),
            "editorMode": "code",
            "format": self.format,
            "rawQuery": True,
            "rawSql": self.raw_sql,
        }


class Sql(cogbuilder.Builder[SqlQuery]):
    """Builder form, so a query plugs into the SDK's `with_target`."""

    def __init__(self, raw_sql: str, *, format: QueryFormat = "table", ref_id: str = "A") -> None:
        self._query = SqlQuery(ref_id=ref_id, raw_sql=_tidy(raw_sql), format=format)

    def build(self) -> SqlQuery:
        return self._query


def _tidy(sql: str) -> str:
    """Drop the common indentation of triple-quoted SQL so the JSON stays readable."""
    return textwrap.dedent(sql).strip()
