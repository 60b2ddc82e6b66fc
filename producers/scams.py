"""Fraud no rule covers (realistic world only): the customer is deceived into sending the money.

In an authorised push-payment scam the victim logs in on their own phone, as always, and
transfers to a payee they have never paid, believing a caller, a message or a romance. Nothing in
the session is the fraudster's: no new device, no burst, no place. It is in the contract with no
signal meant to catch it, so the quality views show it as missed fraud.
"""

from __future__ import annotations

import math

from producers import ids
from producers.models import Scenario
from producers.pool import Merchant
from producers.scenarios import Builder, ScenarioInstance

# Transfers of one scam: usually one, sometimes a second or third when the story demands more
# ("a release fee"); sizes log-normal around 2,500 with a long tail (investment scams).
MEDIAN_AMOUNT = 2500.0
AMOUNT_SPREAD = 0.9


def authorised_push_payment(instance: ScenarioInstance, seconds: float) -> None:
    """A login on the victim's own device, then 1-3 transfers to one new payee."""
    rng = instance.world.rng
    device = instance.customer.devices[rng.randrange(len(instance.customer.devices))]
    payee = Merchant(f"P{ids.hex_token(rng, 10)}", "New payee", "transfer")
    instance.login(seconds, device, success=True)
    moment = seconds + rng.uniform(60.0, 600.0)
    for _ in range(rng.choices((1, 2, 3), (70, 20, 10))[0]):
        amount = MEDIAN_AMOUNT * math.exp(rng.gauss(0.0, AMOUNT_SPREAD))
        instance.transaction(
            moment, amount=amount, channel="transfer", device=device.device_id, merchant=payee
        )
        moment += rng.uniform(600.0, 4 * 3600.0)


# Scenario -> (builder, account it needs), as producers.scenarios.SCENARIOS.
SCAMS: dict[Scenario, tuple[Builder, str]] = {
    "authorised_push_payment": (authorised_push_payment, "any"),
}
# Mean transactions of a scam (1-3 at 70/20/10 %).
MEAN_SCAM_TRANSACTIONS = 1.4
