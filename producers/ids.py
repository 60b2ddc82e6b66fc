"""Identifiers drawn from the seeded random source, so they repeat exactly for a seed."""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from datetime import datetime

# A run of 13+ digits reads as a card number to data-loss scanners; tokens must never look like one.
_PAN_LIKE = re.compile(r"\d{13,}")


def event_id(rng: random.Random, salt: int = 0) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128) ^ salt, version=4))


def run_salt(start: datetime) -> int:
    """128 bits that differ per run start: a restarted producer (same seed) must not repeat the
    event ids of its previous run, while a replay with the same start repeats them exactly."""
    return int.from_bytes(hashlib.sha256(start.isoformat().encode()).digest()[:16], "big")


def hex_token(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def card_token(rng: random.Random) -> str:
    while _PAN_LIKE.search(token := hex_token(rng, 16)):
        pass
    return f"tok_{token}"


def device_id(rng: random.Random) -> str:
    return f"dev_{hex_token(rng, 12)}"
