"""The other account of a transfer: who is paid (or, for a deposit, who paid in).

Derived by hashing, not drawn from the seeded random source, so adding payees changed no other
byte of a world's stream. Honest customers mostly pay the same few people (rent, family, bills);
a fraudster's transfer goes to a mule account the victim never paid before.
"""

from __future__ import annotations

import hashlib

# Recurring payees per account, and the share of honest transfers that go to one of them.
RECURRING_PAYEES = 4
RECURRING_SHARE = 0.9


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(parts).encode(), digest_size=8).digest(), "big")


def _payee(value: int) -> str:
    # Letters only: a run of digits could read as a card number to data-loss scanners.
    letters = []
    for _ in range(12):
        value, digit = divmod(value, 26)
        letters.append(chr(ord("a") + digit))
    return "payee_" + "".join(letters)


def honest_payee(account_id: str, event_id: str) -> str:
    """One of the account's recurring payees, or now and then a one-off one."""
    draw = _digest("draw", event_id)
    if (draw % 10_000) / 10_000 < RECURRING_SHARE:
        return _payee(_digest("recurring", account_id, str(draw % RECURRING_PAYEES)))
    return _payee(_digest("one-off", event_id))


def mule_payee(instance_id: str) -> str:
    """The new payee of one fraud instance: every transfer of the instance pays it."""
    return _payee(_digest("mule", instance_id))
