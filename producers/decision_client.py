"""Send a share of the transactions through the decision service (DECISION_API_URL).

The service decides the payment and publishes it to `transactions` itself; when it cannot be
reached or refuses (429, 5xx, timeout), the producer publishes the transaction directly, so no
event is lost either way. Which transactions go is a pure function of the event_id and the share:
the same seed routes the same transactions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from producers.models import Transaction

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0


def selected(event_id: str, share: float) -> bool:
    """Whether `event_id` falls in the `share` (0..1) of transactions sent to the service."""
    digest = hashlib.sha256(event_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


@dataclass
class DecisionClient:
    url: str
    api_key: str
    share: float
    outcomes: dict[str, int] = field(default_factory=dict)
    fell_back: int = 0

    def wants(self, record: object) -> bool:
        return isinstance(record, Transaction) and selected(record.event_id, self.share)

    def decide(self, transaction: Transaction) -> bool:
        """True when the service decided it (its publication then is the service's, even if not
        acknowledged yet); False when it did not, and the caller publishes it."""
        request = urllib.request.Request(
            self.url.rstrip("/") + "/v1/decisions",
            data=transaction.payload(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.api_key}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                decision = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            self.fell_back += 1
            if self.fell_back in {1, 10, 100} or self.fell_back % 1000 == 0:
                log.warning("decision service unavailable (%s): published directly", error)
            return False
        outcome = str(decision.get("outcome"))
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return True

    def summary(self) -> str:
        counts = " ".join(f"{name}={count}" for name, count in sorted(self.outcomes.items()))
        return f"decisions: {counts or 'none'} published_directly={self.fell_back}"
