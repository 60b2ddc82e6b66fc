"""The confirmer: writes the journal's pending decisions and settles each from what was kept.

A thread that runs while the journal has pending entries: each round inserts every pending
decision (again: a second insert of a key is dropped, so a record lost to an engine restart
before its checkpoint is written anew), runs one FLUSH for all of them (RisingWave; nothing on
PostgreSQL), then reads back each (case, step): its own record confirms it, another writer's
loses it. A round that fails (database down, a statement timeout) is retried after a pause.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import timedelta

import psycopg2

from cases import journal
from cases.journal import Entry, Journal
from cases.service import Clock
from cases.store import Store

log = logging.getLogger("cases")
# How long a settled entry stays in the journal for the page to show its outcome.
KEEP_SETTLED = timedelta(days=1)


class Confirmer:
    def __init__(self, journal: Journal, store: Store, clock: Clock, retry_s: float = 2.0):
        self.journal = journal
        self._store = store
        self._clock = clock
        self._retry_s = retry_s
        self._lock = threading.Lock()
        self._work = threading.Event()
        self._settled = threading.Condition()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """New work (or the start-up re-drive): run a round now, starting the thread if idle."""
        with self._lock:
            self._work.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="confirmer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._work.clear()
            try:
                self.confirm_round()
            except (psycopg2.Error, sqlite3.Error) as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else "error"
                log.warning("confirmer: decisions stay pending, retrying: %s", first)
            except Exception:  # a bug must not stop the thread: the entries stay pending
                log.exception("confirmer: round failed; decisions stay pending, retrying")
            with self._lock:
                if not self.journal.pending():
                    self._thread = None
                    return
            self._work.wait(self._retry_s)

    def confirm_round(self) -> None:
        entries = self.journal.pending()
        if entries:
            with self._store.session() as session:
                for entry in entries:
                    session.insert(entry.decision, entry.request_id)
                session.flush()  # one checkpoint for the whole batch
                for entry in entries:
                    kept = session.kept(entry.decision.decision_id)
                    if kept is None:
                        continue  # not there after the FLUSH: inserted again next round
                    if kept["request_id"] == entry.request_id:
                        settled = journal.confirmed(entry)
                    else:
                        settled = journal.lost(entry, kept["actor"], kept["action"])
                    self.journal.settle(settled, self._clock())
            with self._settled:
                self._settled.notify_all()
        self.journal.prune(self._clock() - KEEP_SETTLED)

    def wait(self, entry: Entry, timeout_s: float) -> Entry:
        """The entry once settled, or still pending after `timeout_s` seconds."""
        deadline = time.monotonic() + timeout_s
        with self._settled:
            while True:
                now = self.journal.get(entry.decision.case_id, entry.request_id) or entry
                remaining = deadline - time.monotonic()
                if now.state != "pending" or remaining <= 0:
                    return now
                # Woken by each settled round; the bound re-checks after a failed one.
                self._settled.wait(min(remaining, self._retry_s))
