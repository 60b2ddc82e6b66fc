"""Identifiers drawn from the seeded random source, so they repeat exactly for a seed."""

from __future__ import annotations

import random
import re
import uuid

# A run of 13+ digits reads as a card number to data-loss scanners; tokens must never look like one.
_PAN_LIKE = re.compile(r"\d{13,}")


def event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hex_token(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def card_token(rng: random.Random) -> str:
    while _PAN_LIKE.search(token := hex_token(rng, 16)):
        pass
    return f"tok_{token}"


def device_id(rng: random.Random) -> str:
    return f"dev_{hex_token(rng, 12)}"
