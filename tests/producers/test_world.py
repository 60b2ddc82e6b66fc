"""The WORLD setting: the clean world is the world as it was, byte for byte; both worlds are
deterministic; the realistic world adds look-alikes and evasive fraud on top."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

import pytest

from producers import jsonl
from producers.generator import generate
from producers.models import FraudLabel, Login, LookalikeLabel, Transaction
from tests.producers.conftest import START, make_settings

# md5 of the first 20,000 jsonl lines of the clean world (SEED=42, FRAUD_RATE=0.1, START, the
# dense flat stream), names, e-mail addresses, IP addresses and merchant names blanked: those
# come from a source of their own since the pool stopped calling Faker per customer, and nothing
# else changed. Taken from the generator just before that change (main 935918a), whose stream
# the previous form of this test tied byte for byte to the generator before the realistic world
# existed. LEGACY has the fields that came later taken out again (the label's is_evasive and
# variant, the transfer's payee, the login's profile change); CURRENT is the same stream with them.
LEGACY_MD5 = "916d182770419f9b9636f20426a0dd29"
CURRENT_MD5 = "86809d2cc7e3ecbd7c5bc5dd4b70f3b9"
NEW_FIELDS = {
    FraudLabel.topic: ("is_evasive", "variant"),
    Transaction.topic: ("counterparty_id",),
    Login.topic: ("profile_change",),
}
IDENTITY_FIELDS = ("full_name", "email", "ip_address", "merchant_name")


def _lines(**overrides: object) -> list[bytes]:
    settings = make_settings(**overrides)
    return [jsonl.line(r) for r in generate(settings, start=START, events=20_000)]


def test_the_clean_world_is_the_world_as_it_was() -> None:
    current, legacy = hashlib.md5(), hashlib.md5()
    identities = set()
    for line in _lines(world="clean", fraud_rate=0.1):
        record = json.loads(line)
        for name in IDENTITY_FIELDS:
            if name in record["value"]:
                identities.add(record["value"][name])
                record["value"][name] = ""
        current.update(_dumped(record))
        new_fields = NEW_FIELDS.get(record["topic"], ())
        values = [record["value"].pop(name) for name in new_fields]
        if record["topic"] == FraudLabel.topic:
            assert values == [False, None]
        if record["topic"] == Transaction.topic:
            # a payee on transfers, none on card and ATM transactions
            assert (values[0] is not None) is (record["value"]["channel"] == "transfer")
        legacy.update(_dumped(record))
    assert current.hexdigest() == CURRENT_MD5
    assert legacy.hexdigest() == LEGACY_MD5
    # The blanked fields are filled: one per customer, device and merchant, nearly all distinct.
    assert len(identities) > 1_000


def _dumped(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


@pytest.mark.parametrize("world", ["clean", "realistic"])
def test_same_seed_settings_and_start_give_byte_identical_output(world: str) -> None:
    def run(seed: int) -> bytes:
        settings = make_settings(world=world, seed=seed, lookalike_rate=2.0, evasion_rate=0.5)
        records = generate(settings, start=START, duration_s=15 * 60)
        return b"".join(jsonl.line(record) for record in records)

    first = run(7)
    assert first == run(7)
    assert first != run(8)
    topics = Counter(json.loads(line)["topic"] for line in first.splitlines())
    assert (topics[LookalikeLabel.topic] > 0) is (world == "realistic")


def test_the_realistic_world_adds_to_the_clean_one_without_changing_its_pool() -> None:
    clean = _lines(world="clean")[:500]
    realistic = _lines(world="realistic")[:500]
    assert clean == realistic  # the customer profiles that open the stream


def test_realistic_traffic_has_every_kind_of_ground_truth() -> None:
    settings = make_settings(world="realistic", lookalike_rate=2.0, evasion_rate=0.5)
    records = list(generate(settings, start=START, duration_s=20 * 60))
    fraud = [r for r in records if isinstance(r, FraudLabel)]
    evasive = [label.is_evasive for label in fraud]
    assert any(evasive) and not all(evasive)
    assert any(isinstance(r, LookalikeLabel) for r in records)
