"""One replay: generate history ending at a chosen moment (or read a recorded file), load it,
build the detection views with the rule values given, optionally with a scorer's scores.

Reading the results is the caller's (backtest.report reads the views; rules.compare its own)."""

from __future__ import annotations

import contextlib
import itertools
import math
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from offline import recorded
from offline.database import Database, open_database
from offline.dbt import run_dbt
from offline.features import Scorer, score_features
from offline.load import LoadStats, Message, create_raw_tables, load_messages, records_as_messages
from offline.progress import Progress, tracked
from offline.recorded import InputStats
from offline.schema import dbt_vars
from producers.generator import EVENTS_PER_TRANSACTION, generate
from producers.models import FraudLabel, LookalikeLabel, Record
from producers.settings import Settings

DEFAULT_RETENTION_HOURS = 24
# Headroom above the replay span so no replayed row falls out of the temporal filters.
RETENTION_MARGIN_HOURS = 2


@dataclass(frozen=True)
class Replay:
    database: Database
    events: int
    load: LoadStats
    generate_s: float
    load_s: float
    dbt_s: float
    # Holds dbt's target directory (compiled SQL, run_results.json) of this replay.
    work_dir: Path

    @property
    def elapsed_s(self) -> float:
        """Replay time of the SQL layer: loading plus building every view."""
        return self.load_s + self.dbt_s

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else math.inf


def history_span(settings: Settings, *, minutes: float | None, events: int | None) -> timedelta:
    """How much simulated time the replay covers (estimated from the rates for an event count)."""
    if minutes is not None:
        return timedelta(minutes=minutes)
    if events is None:
        raise ValueError("give minutes or events")
    events_per_s = settings.transaction_rate * sum(EVENTS_PER_TRANSACTION.values())
    return timedelta(seconds=events / events_per_s)


def expected_events(settings: Settings, *, minutes: float | None, events: int | None) -> int:
    """About how many records a history holds (the progress line's total)."""
    if events is not None:
        return events
    span = history_span(settings, minutes=minutes, events=None)
    rate = settings.transaction_rate * sum(EVENTS_PER_TRANSACTION.values())
    return max(1, round(span.total_seconds() * rate))


def complete_history(records: Iterator[Record], end: datetime) -> Iterator[Record]:
    """Every record before `end`, then only the rest of the fraud instances already under way.

    Ground truth arrives once an instance is complete, so cutting the stream at `end` would leave
    the last instances unlabelled and score their detections as false positives. Instead each
    instance (or look-alike episode) seen before `end` plays out to its label; normal traffic
    stops at `end`.
    """
    open_instances: set[str] = set()
    for record in records:
        truth, is_label = _ground_truth(record)
        if record.timestamp < end:
            if is_label:
                open_instances.discard(truth)  # type: ignore[arg-type]
            elif truth is not None:
                open_instances.add(truth)
            yield record
            continue
        if not open_instances:
            return
        if truth in open_instances:
            if is_label:
                open_instances.discard(truth)
            yield record


def _ground_truth(record: Record) -> tuple[str | None, bool]:
    """The fraud instance or look-alike episode a record belongs to, and whether it is its label."""
    if isinstance(record, FraudLabel):
        return record.instance_id, True
    if isinstance(record, LookalikeLabel):
        return record.episode_id, True
    return record.scenario_instance_id or record.lookalike_episode_id, False


def history(
    settings: Settings, *, end: datetime, minutes: float | None, events: int | None
) -> Iterator[Record]:
    """The replayed records: `minutes` of history ending at `end` (every instance completed), or
    exactly `events` records starting where that many would end near `end`."""
    span = history_span(settings, minutes=minutes, events=events)
    records = generate(settings, start=end - span)
    if events is not None:
        return itertools.islice(records, events)
    return complete_history(records, end)


def replay_retention_hours(span: timedelta) -> int:
    """retention_hours for a replay of `span`: no replayed row falls out of the temporal filters."""
    return max(
        DEFAULT_RETENTION_HOURS, math.ceil(span.total_seconds() / 3600) + RETENTION_MARGIN_HOURS
    )


def project_rule_values(rule_vars: Mapping[str, object]) -> bool:
    """Whether `rule_vars` are the rule values of dbt_project.yml (the active rule set's). The
    dbt unit tests' fixtures are written for those values: a build with another rule set leaves
    them out (they prove the SQL in `make test`; a backtest of another set measures it)."""
    project = dbt_vars()
    # The threshold is the producer's setting in every build (below), not the rule set's.
    return all(
        project.get(name) == value
        for name, value in rule_vars.items()
        if name != "structuring_threshold"
    )


def load_and_build(
    database: Database,
    messages: Iterable[Message],
    *,
    span: timedelta,
    structuring_threshold: Decimal,
    work_dir: Path,
    clock: datetime,
    rule_vars: Mapping[str, object],
    scorer: Scorer | None = None,
    expected: int | None = None,
    step: str = "load",
    strict: bool = False,
    select: str | None = None,
) -> tuple[LoadStats, float, float]:
    """Load `messages` into fresh raw tables, `dbt build` the postgres target with NOW() =
    `clock` and the rule values `rule_vars`.

    With a `scorer`, the features are built first and scored into raw.ml_scores (the live
    scorer's part, offline.features), so the build sees the model's signal beside the rules.

    Returns the load stats, seconds loading (including drawing `messages`) and seconds in dbt.
    `expected` (about how many messages come) gives the `step`'s progress line its total;
    `strict` decodes recorded input strictly (offline.convert); `select` (dbt node selection)
    builds only those views and their tests, all by default.
    """
    progress = Progress(step, total=expected, unit="events")
    conn = database.connect()
    try:
        create_raw_tables(conn)
        started = time.perf_counter()
        load = load_messages(conn, tracked(messages, progress), strict=strict)
        load_s = time.perf_counter() - started
    finally:
        conn.close()
    progress.finish()
    started = time.perf_counter()
    variables = {
        **rule_vars,
        "retention_hours": replay_retention_hours(span),
        "structuring_threshold": str(structuring_threshold),
    }
    if scorer is not None:
        load.loaded["ml_scores"] = score_replay(
            database, scorer, variables=variables, work_dir=work_dir, clock=clock
        )
    run_dbt(
        database,
        "build",
        variables=variables,
        target_dir=work_dir / "dbt-target",
        select=select,
        clock=clock,
        unit_tests=project_rule_values(rule_vars),
    )
    dbt_s = time.perf_counter() - started
    return load, load_s, dbt_s


def score_replay(
    database: Database,
    scorer: Scorer,
    *,
    variables: Mapping[str, object],
    work_dir: Path,
    clock: datetime,
) -> int:
    """Build mv_transaction_features and what it reads, then score it into raw.ml_scores."""
    run_dbt(
        database,
        "run",
        variables=variables,
        target_dir=work_dir / "dbt-target",
        select="+mv_transaction_features",
        clock=clock,
    )
    progress = Progress("score", unit="transactions")
    conn = database.connect()
    try:
        scored = score_features(conn, scorer)
    finally:
        conn.close()
    progress.advance(scored)
    progress.finish()
    return scored


def replay(
    database: Database,
    settings: Settings,
    *,
    minutes: float | None = None,
    events: int | None = None,
    now: datetime | None = None,
    extra_messages: Iterable[Message] = (),
    work_dir: Path,
    rule_vars: Mapping[str, object],
    scorer: Scorer | None = None,
    select: str | None = None,
) -> Replay:
    """Replay seeded history ending at `now` (wall clock by default) into `database`; the views
    are evaluated at `now`.

    `extra_messages` are loaded after the generated ones (malformed-input tests); `select`
    builds only those dbt nodes (load_and_build).
    """
    end = now or datetime.now(UTC)
    counted = _Counter(
        records_as_messages(history(settings, end=end, minutes=minutes, events=events))
    )
    load, load_s, dbt_s = load_and_build(
        database,
        itertools.chain(counted, extra_messages),
        span=history_span(settings, minutes=minutes, events=events),
        structuring_threshold=settings.structuring_threshold,
        work_dir=work_dir,
        clock=end,
        rule_vars=rule_vars,
        scorer=scorer,
        expected=expected_events(settings, minutes=minutes, events=events),
        step="generate and load",
        select=select,
    )
    # Generation runs lazily inside the load loop: it is the producer's cost, not the SQL's.
    load_s -= counted.seconds
    return Replay(database, counted.count, load, counted.seconds, load_s, dbt_s, work_dir)


def replay_recorded(
    database: Database,
    path: Path,
    stats: InputStats,
    *,
    rule_vars: Mapping[str, object],
    work_dir: Path,
    scorer: Scorer | None = None,
) -> Replay:
    """Replay a recorded file (offline.recorded) with `rule_vars`; the views are evaluated at
    the time of its last record."""
    assert stats.last is not None  # scan() refuses a file without a usable record
    counted = _Counter(recorded.messages(path))
    load, load_s, dbt_s = load_and_build(
        database,
        counted,
        span=stats.span,
        structuring_threshold=Decimal(str(rule_vars["structuring_threshold"])),
        work_dir=work_dir,
        clock=stats.last,
        rule_vars=rule_vars,
        scorer=scorer,
        expected=stats.loaded,
        strict=True,
    )
    return Replay(database, counted.count, load, 0.0, load_s, dbt_s, work_dir)


@contextlib.contextmanager
def replayed(
    settings: Settings,
    *,
    minutes: float | None = None,
    events: int | None = None,
    now: datetime | None = None,
    extra_messages: Iterable[Message] = (),
    work_dir: Path | None = None,
    database_url: str | None = None,
    rule_vars: Mapping[str, object],
    scorer: Scorer | None = None,
) -> Iterator[Replay]:
    """A replay in the database at `database_url`, else in an embedded PostgreSQL of its own;
    the database stays up while the context is open."""
    with contextlib.ExitStack() as stack:
        base = work_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="replay-")))
        database = stack.enter_context(open_database(base / "pgdata", database_url))
        yield replay(
            database,
            settings,
            minutes=minutes,
            events=events,
            now=now,
            extra_messages=extra_messages,
            work_dir=base,
            rule_vars=rule_vars,
            scorer=scorer,
        )


class _Counter(Iterator[Message]):
    """Counts the messages drawn and the time spent generating them."""

    def __init__(self, messages: Iterator[Message]) -> None:
        self._messages = messages
        self.count = 0
        self.seconds = 0.0

    def __next__(self) -> Message:
        started = time.perf_counter()
        try:
            message = next(self._messages)
        finally:
            self.seconds += time.perf_counter() - started
        self.count += 1
        return message
