"""Payees: honest accounts mostly pay the same few people; a fraud instance pays one mule."""

from __future__ import annotations

import re
from collections import Counter

from producers.payees import RECURRING_PAYEES, honest_payee, mule_payee


def test_an_honest_account_pays_a_few_recurring_payees_and_now_and_then_a_new_one() -> None:
    payees = Counter(honest_payee("A00000001", f"event-{n}") for n in range(2_000))
    recurring = payees.most_common(RECURRING_PAYEES)
    assert sum(count for _, count in recurring) / 2_000 > 0.85
    assert len(payees) > RECURRING_PAYEES + 100  # the one-offs are each new
    assert not set(dict(recurring)) & {honest_payee("A00000002", f"event-{n}") for n in range(50)}


def test_a_fraud_instance_pays_one_payee_that_looks_like_no_card_number() -> None:
    assert mule_payee("instance-1") == mule_payee("instance-1") != mule_payee("instance-2")
    ids = [mule_payee(f"instance-{n}") for n in range(500)]
    assert all(re.fullmatch(r"payee_[a-z]{12}", payee) for payee in ids)
