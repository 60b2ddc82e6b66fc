"""The PostgreSQL stand-in for the live scorer: between two dbt steps, run a scorer over
mv_transaction_features and load its scores into raw.ml_scores, the table the ml_scores source
reads. The SQL after it is the SQL RisingWave runs on the scores topic.

The scorer is passed in (the offline engine imports no model code): a function from feature
rows to one ml_scores payload per row, in order (scoring.score.replay_scorer builds it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from psycopg2.extensions import connection as Connection

from offline.load import Message, load_messages

FEATURES_VIEW = "public.mv_transaction_features"
SCORES_TOPIC = "ml_scores"
BATCH_ROWS = 5000

Scorer = Callable[[Sequence[Mapping[str, Any]]], Sequence[Mapping[str, Any]]]


def read_features(conn: Connection) -> list[dict[str, Any]]:
    """Every row of mv_transaction_features, oldest first."""
    with conn.cursor() as cursor:
        cursor.execute(f"select * from {FEATURES_VIEW} order by event_time, event_id")
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def score_features(conn: Connection, scorer: Scorer) -> int:
    """Score every feature row and load one ml_scores message per row; returns the count.

    A score arrives on the broker right after its transaction: its ingested_at is the
    transaction's, so the scores obey the same input retention.
    """
    records = read_features(conn)
    messages = []
    for start in range(0, len(records), BATCH_ROWS):
        batch = records[start : start + BATCH_ROWS]
        payloads = scorer(batch)
        if len(payloads) != len(batch):
            raise ValueError(f"the scorer returned {len(payloads)} scores for {len(batch)} rows")
        for record, payload in zip(batch, payloads, strict=True):
            arrived: datetime = record["ingested_at"]
            body = json.dumps(dict(payload), default=_default)
            messages.append(Message(SCORES_TOPIC, arrived, body.encode()))
    load_messages(conn, messages)
    return len(messages)
