"""`python -m scoring.offline train|retrain|drift`: the registry's jobs, on a seeded replay.

train: labelled sets from the worlds of scoring/worlds.yml (--worlds): XGBoost + Isolation
Forest trained on the training worlds, the booster calibrated (isotonic) on the calibration
world, measured on the held-out world; saved as a new version and champion.
retrain: a challenger trained the same way on new traffic (a replay of another seed); the
champion and the challenger are measured on the same held-out later window, and the challenger
is promoted only when its PR-AUC beats the champion's by SCORING_PROMOTION_MARGIN.
drift: the champion's drift monitor over a replay (with a spend shift after --drift-after
minutes, if given), one line per window and a picture (--output, PNG).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from common import cli
from offline.clock import history_end
from offline.logs import setup_logging
from offline.schema import dbt_vars
from producers.settings import DENSE_FLAT, Settings
from scoring.dataset import Dataset, concat, replay_dataset, time_split
from scoring.drift_report import drift_figure, judge, summary
from scoring.model import ModelError
from scoring.registry import Registry
from scoring.settings import ScoringSettings
from scoring.train import TrainingRun, evaluate, train
from scoring.worlds import WORLDS_FILE, World, load_worlds

TRAIN_SHARE = 0.7
# Seeds other than the producer's default (42): the live traffic and docs/detection_quality.md's
# replay are never the world the model learned.
DEFAULT_SEEDS = {"train": 7, "retrain": 8, "drift": 9}
TRANSACTION_RATE = 10.0
POOL = 300
log = logging.getLogger("scoring.offline")


def world(
    seed: int, fraud_rate: float, rate: float, pool: int, drift_after: float = 0.0
) -> Settings:
    return Settings(
        _env_file=None,
        sink="jsonl",
        seed=seed,
        fraud_rate=fraud_rate,
        activity="flat",
        lookalike_rate=DENSE_FLAT["lookalike_rate"],
        transaction_rate=rate,
        customer_pool_size=pool,
        world="realistic",
        structuring_threshold=Decimal("10000"),
        drift_after_minutes=drift_after,
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.parser("python -m scoring.offline", __doc__)
    parser.add_argument("job", choices=list(DEFAULT_SEEDS))
    parser.add_argument(
        "--worlds", type=Path, default=WORLDS_FILE, help="train: the worlds (scoring/worlds.yml)"
    )
    parser.add_argument("--minutes", type=float, help="retrain, drift: simulated minutes (20)")
    parser.add_argument(
        "--seed", type=int, help="retrain, drift: seed of the replay (retrain 8, drift 9)"
    )
    parser.add_argument("--fraud-rate", type=float, default=0.1, help="FRAUD_RATE (0.1)")
    parser.add_argument(
        "--transaction-rate", type=float, default=TRANSACTION_RATE, help="per second (10)"
    )
    parser.add_argument("--pool", type=int, default=POOL, help="customers (300)")
    parser.add_argument(
        "--drift-after", type=float, help="drift: minutes before the producer's spend shift"
    )
    parser.add_argument(
        "--output", type=Path, default=Path("reports/drift.png"), help="drift: the picture"
    )
    args = parser.parse_args(argv)
    if args.job == "train" and (args.seed is not None or args.minutes is not None):
        parser.exit(2, "train: seeds and minutes are per world, in --worlds (scoring/worlds.yml)\n")
    if args.minutes is None:
        args.minutes = 20.0
    if args.minutes <= 0:
        parser.exit(2, "MINUTES: must be greater than 0\n")
    if args.drift_after is not None and not 0 < args.drift_after < args.minutes:
        parser.exit(2, "--drift-after: must be between 0 and MINUTES\n")
    if args.seed is None:
        args.seed = DEFAULT_SEEDS[args.job]
    return args


def replay_end(minutes: float) -> datetime:
    """Where a training history of `minutes` ends: it starts at 01:00 UTC of a fixed day, as a
    report's does, so the seed and the settings alone decide the model (hour of day is a
    feature), on any day."""
    return history_end(timedelta(minutes=minutes))


def threshold() -> float:
    return float(dbt_vars()["ml_anomaly_threshold"])


def trained_line(version: str, card: dict[str, Any]) -> str:
    """What was trained, on what, in one line."""
    data = card["data"]
    return (
        f"trained {version}: XGBoost ({card['xgboost']['boost_rounds']} rounds) + Isolation"
        f" Forest ({card['isolation_forest']['trees']} trees) on {data['minutes']} minutes of the"
        f" {data['world']} world{'s' if data.get('worlds') else ''}, seed {card['seed']},"
        f" FRAUD_RATE {data['fraud_rate']}:"
        f" {data['train_rows']} training rows ({data['train_fraud_rows']} fraud),"
        f" {data['test_rows']} test rows ({data['test_fraud_rows']} fraud)"
    )


def world_dataset(world: World) -> Dataset:
    """The labelled features of one world's replay (its history starts at 01:00 UTC)."""
    log.info("replaying %s", world.describe())
    with replay_dataset(
        world.settings(), minutes=world.minutes, end=replay_end(world.minutes)
    ) as dataset:
        return dataset


def train_job(args: argparse.Namespace, registry: Registry) -> dict[str, Any]:
    worlds = load_worlds(args.worlds)
    first = worlds.train[0]
    run = TrainingRun(
        first.seed,
        sum(world.minutes for world in worlds.train),
        "+".join(sorted({world.world for world in worlds.train})),
        first.fraud_rate,
        TRAIN_SHARE,
        threshold(),
        {
            "train": [world.describe() for world in worlds.train],
            "calibrate": [world.describe() for world in worlds.calibrate],
            "held_out": [world.describe() for world in worlds.held_out],
        },
    )
    training = concat([world_dataset(world) for world in worlds.train])
    calibration = concat([world_dataset(world) for world in worlds.calibrate])
    held_out = concat([world_dataset(world) for world in worlds.held_out])
    model = train(registry.next_version(), training, run, calibration=calibration, test=held_out)
    registry.add(model, role="champion")
    log.info("%s", trained_line(model.version, model.card))
    metrics = model.card["metrics"]["test"]
    log.info(
        "train: %s is the new champion in %s; on the held-out world (%d rows): PR-AUC %s,"
        " precision %s, recall %s, evasive recall %s, %s honest flags per 1,000 honest"
        " transactions, calibration %s",
        model.version,
        registry.root,
        metrics["transactions"],
        metrics["pr_auc"],
        metrics["precision"],
        metrics["recall"],
        metrics["evasive_recall"],
        metrics["honest_flags_per_1000"],
        metrics["calibration"],
    )
    return model.card


def retrain_job(
    args: argparse.Namespace, registry: Registry, end: datetime, margin: float
) -> dict[str, Any]:
    champion = registry.champion()
    settings = world(args.seed, args.fraud_rate, args.transaction_rate, args.pool)
    run = TrainingRun(
        args.seed, args.minutes, "realistic", args.fraud_rate, TRAIN_SHARE, threshold()
    )
    with replay_dataset(settings, minutes=args.minutes, end=end) as dataset:
        challenger = train(registry.next_version(), dataset, run)
        _, held_out = time_split(dataset, TRAIN_SHARE)
        champion_figures = evaluate(champion, held_out, run.threshold)
    challenger_figures = challenger.card["metrics"]["test"]
    registry.add(challenger, role="challenger")
    log.info("%s", trained_line(challenger.version, challenger.card))
    champion_pr_auc = champion_figures["pr_auc"] or 0.0
    challenger_pr_auc = challenger_figures["pr_auc"] or 0.0
    promoted = challenger_pr_auc > champion_pr_auc + margin
    decision = {
        "decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "champion": champion.version,
        "challenger": challenger.version,
        "champion_pr_auc": champion_figures["pr_auc"],
        "challenger_pr_auc": challenger_figures["pr_auc"],
        "margin": margin,
        "held_out_span": held_out.span,
        "held_out_rows": len(held_out),
        "promoted": promoted,
    }
    registry.decide(decision)
    log.info(
        "retrain: challenger %s PR-AUC %s vs champion %s PR-AUC %s on the held-out window"
        " (margin %s): %s",
        challenger.version,
        challenger_figures["pr_auc"],
        champion.version,
        champion_figures["pr_auc"],
        margin,
        f"promoted {challenger.version}" if promoted else f"kept {champion.version}",
    )
    return decision


def drift_job(args: argparse.Namespace, registry: Registry, end: datetime) -> list[str]:
    """Judge a replay's windows with the champion, draw them into args.output, print them."""
    champion = registry.champion()
    scoring_settings = ScoringSettings()
    settings = world(args.seed, args.fraud_rate, args.transaction_rate, args.pool, args.drift_after)
    with replay_dataset(settings, minutes=args.minutes, end=end) as dataset:
        reports = judge(champion, dataset.event_time, dataset.matrix, scoring_settings)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    drift_figure(reports, scoring_settings.drift_psi_threshold).savefig(
        args.output, format="png", metadata={"Software": None}
    )
    lines = summary(reports)
    for line in lines:
        log.info("%s", line)
    drifted = sum(1 for report in reports if report.drifted)
    log.info("%d of %d windows drifted; picture: %s", drifted, len(reports), args.output)
    return lines


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    setup_logging()
    args = parse_args(argv)
    try:
        settings = ScoringSettings()
    except ValidationError as error:
        print(f"scoring: invalid setting: {ScoringSettings.describe_error(error)}", file=sys.stderr)
        return 2
    registry = Registry(settings.registry_dir)
    end = replay_end(args.minutes)
    try:
        if args.job == "train":
            train_job(args, registry)
        elif args.job == "retrain":
            retrain_job(args, registry, end, settings.promotion_margin)
        else:
            drift_job(args, registry, end)
    except (ModelError, ValueError) as error:
        print(f"scoring: {error}", file=sys.stderr)
        return 2
    log.info("%s: done in %.0f s wall time", args.job, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
