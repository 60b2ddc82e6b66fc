"""The event stream: a discrete-event simulation of the customer pool, with fraud injected.

Pure generation, no I/O: it yields records in event-time order; publishers decide where they go.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from faker import Faker

from producers.activity import PEAK, intensity
from producers.evasion import MEAN_EVASIVE_TRANSACTIONS, VARIANTS
from producers.lookalikes import start_episode
from producers.models import Record
from producers.normal import LOOKALIKE_QUIET_SECONDS, NormalTraffic
from producers.pool import Customer, build_customers, build_merchants, customer_index
from producers.scams import MEAN_SCAM_TRANSACTIONS, SCAMS
from producers.scenarios import (
    COOLDOWN_SECONDS,
    MEAN_FRAUD_TRANSACTIONS,
    SCENARIOS,
    EventBuilder,
    start_instance,
)
from producers.settings import Settings
from producers.world import World

# Everyday events per transaction: mobile-banking logins are common, card admin and KYC reviews
# rare, and the bank's monitoring raises a trickle of background alerts.
EVENTS_PER_TRANSACTION: dict[str, float] = {
    "transaction": 1.0,
    "login": 0.5,
    "card_event": 0.01,
    "kyc_review": 0.005,
    "noise_alert": 0.005,
}
FAKER_LOCALE = "en_AU"


def scenario_start_probability(
    fraud_rate: float, evasion_rate: float = 0.0, *, scams: bool = False
) -> float:
    """Chance that a normal transaction starts a scenario, so that about `fraud_rate` of all
    transactions are fraudulent (fewer when the pool runs out of free victims)."""
    if fraud_rate >= 1.0:
        return 1.0
    mean = MEAN_FRAUD_TRANSACTIONS
    if evasion_rate > 0:
        mean = (1.0 - evasion_rate) * mean + evasion_rate * MEAN_EVASIVE_TRANSACTIONS
    if scams:
        # Scams join the draw equally likely, and have no evasive variant.
        count = len(SCENARIOS)
        mean = (count * mean + len(SCAMS) * MEAN_SCAM_TRANSACTIONS) / (count + len(SCAMS))
    return min(1.0, fraud_rate / (mean * (1.0 - fraud_rate)))


class EventGenerator(Iterator[Record]):
    """An unbounded, time-ordered stream of records starting at `start`."""

    def __init__(
        self, settings: Settings, rng: random.Random, faker: Faker, start: datetime
    ) -> None:
        customers = build_customers(settings.customer_pool_size, rng, faker)
        merchants = build_merchants(len(customers), rng, faker)
        self._world = World(settings, rng, customers, merchants, start)
        self._normal = NormalTraffic(self._world)
        makers: list[Callable[[float], Record | None]] = [
            self._transaction,
            self._normal.login,
            self._normal.card_event,
            self._normal.kyc_review,
            self._normal.noise_alert,
        ]
        rates = [settings.transaction_rate * share for share in EVENTS_PER_TRANSACTION.values()]
        self._realistic = settings.world == "realistic"
        # Customer index -> simulated second from which the customer may live another episode.
        self._episode_free_at: dict[int, float] = {}
        if self._realistic and settings.lookalike_rate > 0:
            makers.append(self._lookalike)
            rates.append(settings.lookalike_rate * len(customers) / 3600.0)
        self._makers = tuple(makers)
        self._total_rate = sum(rates)
        # ACTIVITY=cycles thins a stream at the peak rate down to the moment's intensity; the
        # intensity changes by the hour, so it is computed once an hour.
        self._cycles = settings.activity == "cycles"
        self._tick_rate = self._total_rate * PEAK if self._cycles else self._total_rate
        self._hour = -1
        self._keep = 1.0
        self._cumulative = list(itertools.accumulate(rate / self._total_rate for rate in rates))
        self._start_probability = (
            scenario_start_probability(settings.fraud_rate, settings.evasion_rate, scams=True)
            if self._realistic
            else scenario_start_probability(settings.fraud_rate)
        )
        self._sequence = itertools.count()
        self._pending: list[tuple[float, int, Record]] = []
        self._next_tick = 0.0
        # Every customer's KYC profile opens the stream (downstream joins need it first), made
        # one at a time as it is read: a large pool's profiles are never all held at once.
        self._profiles: Iterator[Customer] | None = iter(customers)

    def _schedule(self, seconds: float, record: Record) -> None:
        heapq.heappush(self._pending, (seconds, next(self._sequence), record))

    def _emit(self, built: EventBuilder, label: Record) -> None:
        for event in built.records:
            self._schedule(self._seconds(event.timestamp), event)
        self._schedule(self._seconds(label.timestamp), label)

    def _transaction(self, seconds: float) -> Record | None:
        record = self._normal.transaction(seconds)
        rng = self._world.rng
        if record is not None and rng.random() < self._start_probability:
            instance = (
                start_instance(self._world, seconds, VARIANTS, SCAMS)
                if self._realistic
                else start_instance(self._world, seconds)
            )
            if instance is not None:
                self._emit(instance, instance.label())
        return record

    def _lookalike(self, seconds: float) -> None:
        # The episode begins a while after it is drawn, and normal traffic leaves its account
        # (or, without one, its customer) alone until a while after it ends.
        world = self._world
        episode = start_episode(world, seconds + LOOKALIKE_QUIET_SECONDS, self._episode_free_at)
        if episode is None:
            return
        _, end = episode.span
        key = episode.account.account_id if episode.account else episode.customer.customer_id
        world.keep_quiet((key,), seconds, end + LOOKALIKE_QUIET_SECONDS)
        world.busy_until[customer_index(episode.customer.customer_id)] = end + COOLDOWN_SECONDS
        self._emit(episode, episode.label())

    def _seconds(self, moment: datetime) -> float:
        return (moment - self._world.start) / timedelta(seconds=1)

    def _keep_share(self, seconds: float) -> float:
        hour = int(seconds // 3600)
        if hour != self._hour:
            self._hour = hour
            self._keep = intensity(self._world.at(hour * 3600.0)) / PEAK
        return self._keep

    def __next__(self) -> Record:
        if self._profiles is not None:
            customer = next(self._profiles, None)
            if customer is not None:
                return self._normal.kyc_profile(customer, 0.0)
            self._profiles = None
        rng = self._world.rng
        while True:
            if self._pending and self._pending[0][0] <= self._next_tick:
                return heapq.heappop(self._pending)[2]
            seconds = self._next_tick
            self._next_tick += rng.expovariate(self._tick_rate)
            if self._cycles and rng.random() >= self._keep_share(seconds):
                continue
            maker = self._makers[bisect.bisect_left(self._cumulative, rng.random())]
            record = maker(seconds)
            if record is not None:
                return record


def generate(
    settings: Settings,
    *,
    start: datetime,
    events: int | None = None,
    duration_s: float | None = None,
) -> Iterator[Record]:
    """Records from a generator seeded by `settings.seed`, up to `events` records or until
    `duration_s` simulated seconds have passed (unbounded when neither is given)."""
    rng = random.Random(settings.seed)
    faker = Faker(FAKER_LOCALE)
    faker.seed_instance(settings.seed)
    stream: Iterator[Record] = EventGenerator(settings, rng, faker, start)
    if duration_s is not None:
        end = start + timedelta(seconds=duration_s)
        stream = itertools.takewhile(lambda record: record.timestamp < end, stream)
    if events is not None:
        stream = itertools.islice(stream, events)
    return stream
