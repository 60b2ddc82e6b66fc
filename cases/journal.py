"""The journal of decisions the database has not confirmed yet: SQLite in one file, fsynced.

An action is answered once its decision is in the journal; the confirmer (cases/confirmer.py)
writes it to case_decisions and settles the entry: confirmed when the record kept for its
(case, step) is its own, lost when another writer's record was kept first. An entry written is
never lost by a crash of the service: the confirmer re-drives every pending entry at start-up.
Settled entries are kept a day (the page shows their outcome), then pruned.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from cases.workflow import Decision

State = Literal["pending", "confirmed", "lost"]

_SCHEMA = """
create table if not exists entries (
    case_id text not null,
    request_id text not null,
    seq integer not null,
    actor text not null,
    decision text not null,
    state text not null check (state in ('pending', 'confirmed', 'lost')),
    winner_actor text,
    winner_action text,
    created_at text not null,
    settled_at text,
    primary key (case_id, request_id)
);
create index if not exists entries_state on entries (state, created_at);
"""
_DATETIMES = ("decided_at", "case_opened_at")


@dataclass(frozen=True)
class Entry:
    request_id: str
    decision: Decision
    state: State = "pending"
    winner_actor: str | None = None
    winner_action: str | None = None

    def lost_message(self) -> str:
        """What the API's 409 says: who recorded this step first."""
        return (
            f"{self.decision.case_id} changed while you acted: {self.winner_actor} recorded"
            f" {self.winner_action} first; reload the case and try again"
        )


def _encode(decision: Decision) -> str:
    values = asdict(decision)
    for name in _DATETIMES:
        values[name] = values[name].isoformat()
    return json.dumps(values, sort_keys=True)


def _decode(text: str) -> Decision:
    values = json.loads(text)
    for name in _DATETIMES:
        values[name] = datetime.fromisoformat(values[name])
    return Decision(**values)


class Journal:
    """One file per service; a connection per call (the request threads and the confirmer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as conn:
            # FULL: a write is on disk when it returns, so an answered action survives kill -9
            # and a power cut alike.
            conn.execute("pragma journal_mode = wal")
            conn.execute("pragma synchronous = full")
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            yield conn

    def add(self, entry: Entry, at: datetime) -> None:
        with self._connect() as conn:
            conn.execute(
                "insert into entries (case_id, request_id, seq, actor, decision, state,"
                " created_at) values (?, ?, ?, ?, ?, 'pending', ?)",
                (
                    entry.decision.case_id,
                    entry.request_id,
                    entry.decision.seq,
                    entry.decision.actor,
                    _encode(entry.decision),
                    at.isoformat(),
                ),
            )

    def _entries(self, where: str, params: tuple[object, ...]) -> list[Entry]:
        with self._connect() as conn:
            rows = conn.execute(
                "select request_id, decision, state, winner_actor, winner_action from entries"
                f" where {where} order by created_at, case_id, seq",
                params,
            ).fetchall()
        return [Entry(row[0], _decode(row[1]), row[2], row[3], row[4]) for row in rows]

    def get(self, case_id: str, request_id: str) -> Entry | None:
        found = self._entries("case_id = ? and request_id = ?", (case_id, request_id))
        return found[0] if found else None

    def pending(self, case_id: str | None = None) -> list[Entry]:
        """Unsettled entries, oldest first (of one case, when given)."""
        if case_id is None:
            return self._entries("state = 'pending'", ())
        return self._entries("state = 'pending' and case_id = ?", (case_id,))

    def settle(self, entry: Entry, at: datetime) -> None:
        with self._connect() as conn:
            conn.execute(
                "update entries set state = ?, winner_actor = ?, winner_action = ?,"
                " settled_at = ? where case_id = ? and request_id = ? and state = 'pending'",
                (
                    entry.state,
                    entry.winner_actor,
                    entry.winner_action,
                    at.isoformat(),
                    entry.decision.case_id,
                    entry.request_id,
                ),
            )

    def prune(self, before: datetime) -> int:
        """Delete the entries settled before `before`; pending ones are never pruned."""
        with self._connect() as conn:
            cursor = conn.execute(
                "delete from entries where state <> 'pending' and settled_at < ?",
                (before.isoformat(),),
            )
            return cursor.rowcount


def confirmed(entry: Entry) -> Entry:
    return replace(entry, state="confirmed")


def lost(entry: Entry, winner_actor: str, winner_action: str) -> Entry:
    return replace(entry, state="lost", winner_actor=winner_actor, winner_action=winner_action)
