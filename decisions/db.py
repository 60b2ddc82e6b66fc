"""A small pool of non-blocking PostgreSQL-protocol connections on the asyncio loop.

psycopg2's asynchronous mode: every connect and query is polled from the event loop, so a
lookup past its budget is abandoned by cancelling the awaiting coroutine, and its connection
(possibly stalled mid-answer) is closed, not waited for. No thread is ever stuck on a socket.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
import psycopg2
import psycopg2.extensions as ext
import psycopg2.extras

Connection = ext.connection


class DatabaseUnavailable(Exception):
    """No connection could be had: the message is one line for the log and the decision."""


async def _ready(conn: Connection) -> None:
    """Drive `conn`'s pending operation to its end without blocking the loop."""
    loop = asyncio.get_running_loop()
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        waiter: asyncio.Future[None] = loop.create_future()
        fd = conn.fileno()

        def wake(future: asyncio.Future[None] = waiter) -> None:
            if not future.done():
                future.set_result(None)

        if state == ext.POLL_READ:
            loop.add_reader(fd, wake)
            remove: Callable[[int], bool] = loop.remove_reader
        elif state == ext.POLL_WRITE:
            loop.add_writer(fd, wake)
            remove = loop.remove_writer
        else:  # pragma: no cover - psycopg2 answers only the three states above
            raise psycopg2.OperationalError(f"unexpected poll state {state}")
        try:
            await waiter
        finally:
            remove(fd)


async def fetch(
    conn: Connection, sql: str, params: Mapping[str, Any] | Sequence[Any]
) -> list[tuple[Any, ...]]:
    """Rows of one query, as the driver gives them (tuples in select-list order)."""
    cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        await _ready(conn)
        return cursor.fetchall()
    finally:
        cursor.close()


class Pool:
    """At most `size` connections; a broken or abandoned one is closed, never reused.

    Connections are opened in the background (at start, and whenever one is missing), never
    inside a request's budget: a request only waits for an idle connection, so a slow connect
    delays nobody beyond the budget and is not abandoned half-way either. A connect that fails
    or takes longer than `connect_timeout_s` marks the database down for `retry_s`: meanwhile
    requests get DatabaseUnavailable at once.
    """

    def __init__(
        self,
        dsn: str,
        size: int,
        retry_s: float,
        connect_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dsn = dsn
        self._size = size
        self._retry_s = retry_s
        self._connect_timeout_s = connect_timeout_s
        self._clock = clock
        self._idle: list[Connection] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[Connection | None]] = deque()
        self._down_until = 0.0
        self._opening: set[asyncio.Task[None]] = set()
        self.last_error = ""

    @property
    def open_connections(self) -> int:
        return self._open

    def warm(self) -> None:
        """Open every connection in the background (call from the running loop)."""
        while self._open < self._size:
            self._start_opening()

    async def acquire(self) -> Connection:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._clock() < self._down_until:
                raise DatabaseUnavailable(f"database unavailable ({self.last_error})")
            if self._open < self._size:
                self._start_opening()
            waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                # Handed a connection just as the budget ran out: pass it on.
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    handed = waiter.result()
                    if handed is not None:
                        self.release(handed, healthy=True)
                raise
            if conn is not None:
                return conn
            # A slot was freed, not a connection: go round and open one.

    def _start_opening(self) -> None:
        self._open += 1
        task = asyncio.get_running_loop().create_task(self._opened())
        self._opening.add(task)
        task.add_done_callback(self._opening.discard)

    async def _opened(self) -> None:
        conn = None
        try:
            conn = psycopg2.connect(self._dsn, async_=True)
            await asyncio.wait_for(_ready(conn), self._connect_timeout_s)
        except (Exception, asyncio.CancelledError) as error:
            self._open -= 1
            if conn is not None:
                conn.close()
            self._down_until = self._clock() + self._retry_s
            self.last_error = _one_line(error)
            # Everyone waiting degrades now rather than at the end of their budget.
            failure = DatabaseUnavailable(f"database unavailable ({self.last_error})")
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(failure)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        self.last_error = ""
        # The lookup's rows are jsonb: the stdlib's json.loads was a fifth of the service's CPU
        # per request (profiled under make bench-decisions); orjson parses them several times
        # faster. By the type's fixed OID, without a query.
        psycopg2.extras.register_default_jsonb(conn, loads=orjson.loads)
        self.release(conn, healthy=True)

    def release(self, conn: Connection, *, healthy: bool) -> None:
        if not healthy or conn.closed:
            conn.close()
            self._open -= 1
            self._wake_one(None)
            return
        if not self._wake_one(conn):
            self._idle.append(conn)

    def _wake_one(self, conn: Connection | None) -> bool:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def close(self) -> None:
        for task in self._opening:
            task.cancel()
        for conn in self._idle:
            conn.close()
        self._open -= len(self._idle)
        self._idle.clear()


def _one_line(error: BaseException) -> str:
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return "connecting timed out"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
