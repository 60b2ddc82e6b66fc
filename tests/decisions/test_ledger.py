"""The idempotency ledger: one decision per event_id, held as bytes outside the collector."""

from __future__ import annotations

import asyncio
import gc

import pytest

from decisions.ledger import IdempotencyConflict, Ledger

BODY = b'{"outcome":"approve"}'


def test_a_retry_gets_the_first_decision_and_another_transaction_is_refused() -> None:
    async def run() -> None:
        ledger = Ledger(10)
        future, mine = ledger.begin("e1", "print-1")
        waiting, second = ledger.begin("e1", "print-1")  # a retry while it is being made
        assert (mine, second) == (True, False)
        ledger.finish("e1", BODY)
        assert (await future, await waiting) == (BODY, BODY)
        later, third = ledger.begin("e1", "print-1")
        assert (await later, third, ledger.get("e1")) == (BODY, False, BODY)
        with pytest.raises(IdempotencyConflict):
            ledger.begin("e1", "print-2")

    asyncio.run(run())


def test_the_oldest_decided_event_is_forgotten_never_one_being_made() -> None:
    async def run() -> None:
        ledger = Ledger(2)
        ledger.begin("making", "p")
        ledger.begin("e1", "p")
        ledger.finish("e1", BODY)
        ledger.begin("e2", "p")  # over capacity, but the oldest is still being made
        assert len(ledger) == 3
        ledger.finish("making", BODY)
        ledger.begin("e3", "p")
        assert (ledger.get("making"), ledger.get("e1"), len(ledger)) == (None, None, 2)

    asyncio.run(run())


def test_decided_events_hold_nothing_the_garbage_collector_walks() -> None:
    async def run() -> Ledger:
        ledger = Ledger(100)
        for index in range(50):
            event_id = f"e{index}"
            ledger.begin(event_id, "p")
            ledger.finish(event_id, BODY)
        return ledger

    ledger = asyncio.run(run())
    gc.collect()
    held = [item for value in vars(ledger).values() for item in gc.get_referents(value)]
    assert len(held) >= 100  # keys and entries
    assert not [item for item in held if gc.is_tracked(item)]
