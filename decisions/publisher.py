"""Publication of decided transactions and decisions: an idempotent Kafka producer, keyed.

librdkafka (confluent-kafka) with enable.idempotence: the broker drops the duplicates its own
retries would make, and per partition the order is kept, so each accepted request reaches
`transactions` and `decisions` once. The ledger (decisions/ledger.py) keeps a retried request
from being published twice. Delivery reports arrive on a polling thread and resolve futures on
the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from confluent_kafka import KafkaError, Producer

from common.librdkafka import producer_config


class PublishError(Exception):
    """The broker refused or the local queue is full: one line."""


class Publisher:
    def __init__(self, bootstrap_servers: str) -> None:
        self._producer = Producer(
            producer_config(
                bootstrap_servers,
                "decision-service",
                # A decision waits for its acknowledgement: batch only what arrives together.
                # Nagle's algorithm holds a small write until the last one is acknowledged,
                # which a delayed ACK may hold for tens of milliseconds: a decision's tail.
                **{"linger.ms": 1, "socket.nagle.disable": True},
            )
        )
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="kafka-delivery", daemon=True)
        self._thread.start()
        self.failed = 0

    def _poll(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.05)

    async def publish(self, messages: list[tuple[str, str, bytes]], timeout_s: float) -> bool:
        """Send every (topic, key, value); True once all are acknowledged within `timeout_s`.

        Past the timeout the messages stay queued in the producer, which keeps retrying them
        (idempotently): the answer goes out, the publication completes later.
        """
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        # The delivery reports arrive on the polling thread: the loop is woken once, by the last
        # of them (or the first refusal), not once per message.
        waiting = [len(messages)]

        def delivered(error: KafkaError | None, _message: Any) -> None:
            waiting[0] -= 1
            if error is not None or waiting[0] == 0:
                loop.call_soon_threadsafe(_settle, done, error)

        for topic, key, value in messages:
            try:
                self._producer.produce(topic, value=value, key=key.encode(), on_delivery=delivered)
            except BufferError as error:
                raise PublishError("the producer's queue is full") from error
        await asyncio.wait((done,), timeout=timeout_s)
        if not done.done():
            # A refusal may still come: retrieved then, so asyncio does not warn of it.
            done.add_done_callback(lambda future: future.exception())
            return False
        if done.exception() is not None:
            self.failed += 1
        done.result()  # raises the refusal
        return True

    def close(self, timeout_s: float = 10.0) -> int:
        """Deliver what is queued (up to `timeout_s`); the number of messages left undelivered."""
        left = self._producer.flush(timeout_s)
        self._stopping.set()
        self._thread.join(timeout=1.0)
        # The last reference: librdkafka's client and its threads go with it.
        del self._producer
        return left


def _settle(future: asyncio.Future[None], error: KafkaError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(PublishError(f"the broker refused a message: {error}"))
