"""The raw columns of every topic, as the dbt project declares them (one list for all)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "fraud_detection"
RAW_SOURCES_FILE = DBT_PROJECT_DIR / "models" / "sources" / "_raw_sources.yml"
RAW_SCHEMA = "raw"
INGESTED_AT = "ingested_at"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str


@cache
def raw_columns() -> dict[str, tuple[Column, ...]]:
    """Topic -> its payload columns in declaration order (ingested_at not included)."""
    document = yaml.safe_load(RAW_SOURCES_FILE.read_text())
    (source,) = (item for item in document["sources"] if item["name"] == RAW_SCHEMA)
    return {
        table["name"]: tuple(
            Column(column["name"], column["data_type"]) for column in table["columns"]
        )
        for table in source["tables"]
    }


@cache
def dbt_vars() -> dict[str, Any]:
    """The vars of dbt_project.yml (thresholds, weights) as written there."""
    document = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(document["vars"])
