"""What every generator shares: the seeded random source, the pool, and the simulated clock."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from producers import ids
from producers.pool import Customer, Merchant
from producers.settings import Settings

CENT = Decimal("0.01")


@dataclass(slots=True)
class World:
    settings: Settings
    rng: random.Random
    customers: tuple[Customer, ...]
    merchants: tuple[Merchant, ...]
    start: datetime
    # Customer index -> simulated second until which the customer hosts a scenario (plus cooldown).
    busy_until: dict[int, float] = field(default_factory=dict)
    # Account or customer id -> (from, until) simulated seconds in which normal traffic leaves it
    # alone: a look-alike episode or an evasive instance owns it (realistic world only).
    quiet: dict[str, tuple[float, float]] = field(default_factory=dict)
    id_salt: int = field(init=False)
    # Amounts just under the reporting threshold: normal traffic never lands here.
    structuring_band: tuple[Decimal, Decimal] = field(init=False)

    def __post_init__(self) -> None:
        self.id_salt = ids.run_salt(self.start)
        threshold = self.settings.structuring_threshold
        self.structuring_band = ((threshold * Decimal("0.9")).quantize(CENT), threshold)

    def at(self, seconds: float) -> datetime:
        """The event time `seconds` after the start of the simulation."""
        return self.start + timedelta(seconds=seconds)

    def event_id(self) -> str:
        return ids.event_id(self.rng, self.id_salt)

    def money(self, amount: float) -> Decimal:
        return Decimal(str(amount)).quantize(CENT)

    def is_busy(self, customer_index: int, seconds: float) -> bool:
        return self.busy_until.get(customer_index, -1.0) > seconds

    def is_quiet(self, key: str, seconds: float) -> bool:
        window = self.quiet.get(key)
        return window is not None and window[0] <= seconds <= window[1]

    def keep_quiet(self, keys: tuple[str, ...], start: float, until: float) -> None:
        for key in keys:
            self.quiet[key] = (start, until)
