"""Labelled feature sets: a seeded replay through the shared SQL up to mv_transaction_features,
read back with each transaction's ground truth (is it part of a labelled fraud instance)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from psycopg2.extensions import connection as Connection

from offline.database import Database, open_database
from offline.dbt import run_dbt
from offline.features import FEATURES_VIEW, read_features
from offline.load import create_raw_tables, load_messages, records_as_messages
from offline.progress import Progress, tracked
from offline.replay import expected_events, history
from producers.settings import Settings
from scoring.features import missing_columns, vectorize

# The features and the labels' source view, and what they are built from.
FEATURE_SELECTOR = "+mv_transaction_features +src_fraud_labels"


@dataclass(frozen=True)
class Dataset:
    records: list[dict[str, Any]]
    matrix: np.ndarray
    labels: np.ndarray  # 1 = part of a labelled fraud instance
    evasive: np.ndarray  # 1 = part of an evasive instance
    scenario: list[str | None]
    event_time: np.ndarray  # epoch seconds

    def __len__(self) -> int:
        return len(self.records)

    def where(self, mask: np.ndarray) -> Dataset:
        index = np.flatnonzero(mask)
        return Dataset(
            [self.records[i] for i in index],
            self.matrix[index],
            self.labels[index],
            self.evasive[index],
            [self.scenario[i] for i in index],
            self.event_time[index],
        )

    @property
    def span(self) -> tuple[str, str]:
        if not len(self):
            return ("", "")
        low, high = float(self.event_time.min()), float(self.event_time.max())
        return (_iso(low), _iso(high))


def concat(datasets: list[Dataset]) -> Dataset:
    """The rows of several datasets (several worlds), in the given order."""
    return Dataset(
        [record for dataset in datasets for record in dataset.records],
        np.concatenate([dataset.matrix for dataset in datasets]),
        np.concatenate([dataset.labels for dataset in datasets]),
        np.concatenate([dataset.evasive for dataset in datasets]),
        [scenario for dataset in datasets for scenario in dataset.scenario],
        np.concatenate([dataset.event_time for dataset in datasets]),
    )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def feature_rows(conn: Connection) -> list[dict[str, Any]]:
    """offline.features.read_features; a schema mismatch with the model's features is an error."""
    records = read_features(conn)
    missing = missing_columns(list(records[0])) if records else []
    if missing:
        raise ValueError(f"{FEATURES_VIEW} lacks feature columns: {', '.join(missing)}")
    return records


def read_truth(conn: Connection) -> dict[str, tuple[str, bool]]:
    """event_id -> (scenario, is_evasive) of every transaction in a labelled fraud instance."""
    with conn.cursor() as cursor:
        cursor.execute(
            """
            select distinct unnest(event_ids) as event_id, scenario, coalesce(is_evasive, false)
            from public.src_fraud_labels
            where event_ids is not null
            """
        )
        return {event_id: (scenario, evasive) for event_id, scenario, evasive in cursor}


def labelled(records: list[dict[str, Any]], truth: dict[str, tuple[str, bool]]) -> Dataset:
    found = [truth.get(record["event_id"]) for record in records]
    return Dataset(
        records,
        vectorize(records),
        np.array([item is not None for item in found], dtype=np.int8),
        np.array([item is not None and item[1] for item in found], dtype=np.int8),
        [None if item is None else item[0] for item in found],
        np.array([record["event_time"].timestamp() for record in records], dtype=np.float64),
    )


def build_features(database: Database, *, clock: datetime, work_dir: Path, span: timedelta) -> None:
    """dbt run of the features and the label source only (the rest is not needed to train)."""
    run_dbt(
        database,
        "run",
        variables={"retention_hours": 24 + int(span.total_seconds() // 3600) + 2},
        target_dir=work_dir / "dbt-target",
        select=FEATURE_SELECTOR,
        clock=clock,
    )


@contextlib.contextmanager
def replay_dataset(
    settings: Settings, *, minutes: float, end: datetime, work_dir: Path | None = None
) -> Iterator[Dataset]:
    """The labelled features of `minutes` of seeded history ending at `end`."""
    with contextlib.ExitStack() as stack:
        base = work_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="train-")))
        database = stack.enter_context(open_database(base / "pgdata"))
        records = history(settings, end=end, minutes=minutes, events=None)
        progress = Progress(
            "generate and load",
            total=expected_events(settings, minutes=minutes, events=None),
            unit="events",
        )
        conn = database.connect()
        try:
            create_raw_tables(conn)
            load_messages(conn, tracked(records_as_messages(records), progress))
        finally:
            conn.close()
        progress.finish()
        build_features(database, clock=end, work_dir=base, span=timedelta(minutes=minutes))
        conn = database.connect()
        try:
            yield labelled(feature_rows(conn), read_truth(conn))
        finally:
            conn.close()


def time_split(dataset: Dataset, train_share: float) -> tuple[Dataset, Dataset]:
    """Earlier rows train, later rows test: no future leaks into training."""
    cut = np.quantile(dataset.event_time, train_share) if len(dataset) else 0.0
    return dataset.where(dataset.event_time <= cut), dataset.where(dataset.event_time > cut)
