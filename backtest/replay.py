"""A backtest: an offline replay (offline.replay) with a rule set's values and, optionally, a
model's scores, and what it found read back from the views (backtest.report)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from backtest.model_quality import read_model_quality
from backtest.report import Report, read_report
from offline import replay as engine
from offline.load import Message
from producers.settings import Settings
from rules import store
from scoring.model import Model
from scoring.score import replay_scorer


@dataclass(frozen=True)
class ReplayResult(engine.Replay):
    report: Report
    # Rules alone against rules + model (backtest.model_quality), when a model scored the replay.
    model_quality: dict[str, Any] | None = None


def active_rule_vars() -> dict[str, Any]:
    """The active rule set as dbt vars, the environment's STRUCTURING_THRESHOLD ignored."""
    return store.dbt_vars(store.load(store.active_version()), env={})


def finished(replay: engine.Replay, *, scored: bool) -> ReplayResult:
    """`replay` with its report (and, when a model scored it, the rules-vs-model figures)."""
    quality = read_model_quality(replay.database) if scored else None
    return ReplayResult(
        **{item.name: getattr(replay, item.name) for item in fields(replay)},
        report=read_report(replay.database),
        model_quality=quality,
    )


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
    rule_vars: Mapping[str, object] | None = None,
    model: Model | None = None,
) -> Iterator[ReplayResult]:
    """offline.replay.replayed with the rules `rule_vars` (default: the active rule set) and the
    `model`'s scores, read back; the database stays up while the context is open."""
    with engine.replayed(
        settings,
        minutes=minutes,
        events=events,
        now=now,
        extra_messages=extra_messages,
        work_dir=work_dir,
        database_url=database_url,
        rule_vars=active_rule_vars() if rule_vars is None else rule_vars,
        scorer=None if model is None else replay_scorer(model),
    ) as replay:
        yield finished(replay, scored=model is not None)


def run(
    settings: Settings,
    *,
    minutes: float | None = None,
    events: int | None = None,
    database_url: str | None = None,
) -> ReplayResult:
    """Replay with the active rules and return the result; an embedded database is gone
    afterwards (the report stays)."""
    with replayed(settings, minutes=minutes, events=events, database_url=database_url) as result:
        return result
