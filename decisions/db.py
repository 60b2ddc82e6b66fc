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

import psycopg2
import psycopg2.extensions as ext

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
) -> list[dict[str, Any]]:
    """Rows of one query as dicts."""
    cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        await _ready(conn)
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


class Pool:
    """At most `size` connections; a broken or abandoned one is closed, never reused.

    After a failed connect the pool refuses for `retry_s` (DatabaseUnavailable at once), so a
    database that is away costs each request nothing rather than a connect attempt.
    """

    def __init__(
        self,
        dsn: str,
        size: int,
        retry_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._dsn = dsn
        self._size = size
        self._retry_s = retry_s
        self._clock = clock
        self._idle: list[Connection] = []
        self._open = 0
        self._waiters: deque[asyncio.Future[Connection | None]] = deque()
        self._down_until = 0.0
        self.last_error = ""

    @property
    def open_connections(self) -> int:
        return self._open

    async def acquire(self) -> Connection:
        while True:
            if self._idle:
                return self._idle.pop()
            if self._open < self._size:
                return await self._connect()
            waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                # Handed a connection (or a slot) just as the budget ran out: pass it on.
                if waiter.done() and not waiter.cancelled():
                    handed = waiter.result()
                    if handed is not None:
                        self.release(handed, healthy=True)
                    else:
                        self._wake_one(None)
                raise
            if conn is not None:
                return conn
            # A slot was freed, not a connection: go round and open one.

    async def _connect(self) -> Connection:
        if self._clock() < self._down_until:
            raise DatabaseUnavailable(f"database unavailable ({self.last_error}); retrying soon")
        self._open += 1
        conn = None
        try:
            conn = psycopg2.connect(self._dsn, async_=True)
            await _ready(conn)
            return conn
        except BaseException as error:
            self._open -= 1
            if conn is not None:
                conn.close()
            # Cancelled (the budget ran out while connecting) or refused: either way, a stalled
            # or absent database; stop trying for a while.
            self._down_until = self._clock() + self._retry_s
            self.last_error = _one_line(error)
            self._wake_one(None)
            if isinstance(error, psycopg2.Error):
                raise DatabaseUnavailable(f"database unavailable ({self.last_error})") from error
            raise

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
        for conn in self._idle:
            conn.close()
        self._open -= len(self._idle)
        self._idle.clear()


def _one_line(error: BaseException) -> str:
    if isinstance(error, asyncio.CancelledError):
        return "connecting exceeded the budget"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
