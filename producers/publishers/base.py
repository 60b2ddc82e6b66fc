"""What every publisher promises: each send confirmed or counted lost."""

from __future__ import annotations

import abc
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from producers.models import Record

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Built once: constructing it per record was a visible share of a send's cost.
_ONE_MS = timedelta(milliseconds=1)


def timestamp_ms(moment: datetime) -> int:
    """Epoch milliseconds, computed exactly (no float rounding)."""
    return (moment - _EPOCH) // _ONE_MS


class Publisher(abc.ABC):
    """Sends records with acks=all and idempotence; counts every outcome in `stats`.

    Each record sent is acknowledged or counted failed by the end of `flush` or `close`;
    `last_failure` then holds the latest failure as one line (None when there was none).
    `topic_suffix` is appended to every topic name, so tests can use topics of their own.
    """

    last_failure: str | None

    @abc.abstractmethod
    def publish(self, record: Record) -> None:
        """Queue one record; raise BrokerLost when the client cannot even queue it."""

    @abc.abstractmethod
    def flush(self) -> None:
        """Wait for every queued record's outcome (at most the delivery timeout)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the client; records still unresolved then are reported."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
