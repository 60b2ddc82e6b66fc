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


# First octets whose whole /8 is public unicast: the private (10, 172.16, 192.168), shared
# (100.64), loopback (127), link-local (169.254) and documentation (192.0.2, 198.51.100,
# 203.0.113) ranges are left out with their whole /8, multicast and reserved (224+) too.
_PUBLIC_FIRST_OCTETS = tuple(
    octet for octet in range(1, 224) if octet not in {10, 100, 127, 169, 172, 192, 198, 203}
)


def public_ipv4(rng: random.Random) -> str:
    return (
        f"{_PUBLIC_FIRST_OCTETS[rng.randrange(len(_PUBLIC_FIRST_OCTETS))]}"
        f".{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    )
