"""The PostgreSQL stand-in for the live scorer: between two dbt steps, run the scorer's pure
scoring function over mv_transaction_features and load the scores into raw.ml_scores, the table
the ml_scores source reads. The SQL after it is the SQL RisingWave runs on the scores topic."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from psycopg2.extensions import connection as Connection

from backtest.load import Message, load_messages
from scoring.features import missing_columns
from scoring.model import Model
from scoring.score import score_records

FEATURES_VIEW = "public.mv_transaction_features"
SCORES_TOPIC = "ml_scores"
BATCH_ROWS = 5000


def read_features(conn: Connection) -> list[dict[str, Any]]:
    """Every row of mv_transaction_features, oldest first; a schema mismatch is an error."""
    with conn.cursor() as cursor:
        cursor.execute(f"select * from {FEATURES_VIEW} order by event_time, event_id")
        names = [column.name for column in cursor.description or ()]
        missing = missing_columns(names)
        if missing:
            raise ValueError(f"{FEATURES_VIEW} lacks feature columns: {', '.join(missing)}")
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def score_features(conn: Connection, model: Model) -> int:
    """Score every feature row and load one ml_scores message per row; returns the count.

    A score arrives on the broker right after its transaction: its ingested_at is the
    transaction's, so the scores obey the same input retention.
    """
    records = read_features(conn)
    messages = []
    for start in range(0, len(records), BATCH_ROWS):
        batch = records[start : start + BATCH_ROWS]
        for record, score in zip(batch, score_records(model, batch), strict=True):
            arrived: datetime = record["ingested_at"]
            body = json.dumps(score.as_message(arrived.isoformat()), default=_default)
            messages.append(Message(SCORES_TOPIC, arrived, body.encode()))
    load_messages(conn, messages)
    return len(messages)
