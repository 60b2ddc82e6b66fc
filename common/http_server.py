"""The HTTP services' server: uvicorn, with a deadline on a request's headers.

uvicorn limits the idle time between requests (keep-alive) but not the time a client takes to
send a request's headers: a client that opens connections and sends a header line now and then
(slowloris) holds each one for ever. Here the headers must all arrive within `header_timeout_s`
of the connection opening, or of the previous response on a kept-alive connection; after that
the connection is closed. The body has its own limit in each service (a 408).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

audit = logging.getLogger("common.http_server")


def header_deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (the C parser when installed, else h11) with the deadline."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class HeaderDeadline(base):
        _deadline: asyncio.TimerHandle | None = None
        # The cycle (request) in progress when the deadline was armed: a new one means the next
        # request's headers were parsed.
        _armed_after: object = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._deadline is not None and self.cycle is not self._armed_after:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Only when no pipelined request is already parsed and waiting for its turn.
            if not self.transport.is_closing() and self.cycle.response_complete:
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._armed_after = self.cycle
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
                audit.warning("closed %s: no complete request headers within %s s", client, seconds)
                self.transport.close()

    return HeaderDeadline


def serve(app: Any, *, host: str, port: int, header_timeout_s: float, **options: Any) -> None:
    """Run `app` until SIGTERM, as uvicorn.run does, with the header deadline."""
    import uvicorn

    uvicorn.run(
        app, host=host, port=port, http=header_deadline_protocol(header_timeout_s), **options
    )
