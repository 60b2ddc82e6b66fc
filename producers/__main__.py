"""`python -m producers`: generate banking events and publish them to Kafka, or write NDJSON.

Settings come from the environment and `.env`; the flags below override them for one run.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from common import cli
from common.heartbeat import Heartbeat
from common.runtime import EXIT_INVALID, EXIT_OK, setup_logging, verdict
from producers import jsonl
from producers.generator import generate
from producers.settings import Settings

log = logging.getLogger("producers")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.parser("python -m producers", __doc__)
    parser.add_argument("--sink", help="kafka (default) or jsonl; overrides SINK")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--events", type=int, help="stop after this many records")
    limit.add_argument("--duration", type=float, help="stop after this many simulated seconds")
    parser.add_argument("--seed", type=int, help="overrides SEED")
    parser.add_argument("--start", help="event time of the first record (RFC 3339); default now")
    parser.add_argument("--output", type=Path, help="jsonl file to write; default stdout")
    return parser.parse_args(argv)


def load_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        name: value
        for name, value in (("sink", args.sink), ("seed", args.seed), ("start_time", args.start))
        if value is not None
    }
    return Settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as error:
        return verdict(EXIT_INVALID, f"invalid setting: {Settings.describe_error(error)}")
    for flag in ("events", "duration"):
        value = getattr(args, flag)
        if value is not None and value <= 0:
            return verdict(EXIT_INVALID, f"invalid setting: --{flag}: must be greater than 0")
    start = settings.start_time or datetime.now(UTC).replace(microsecond=0)
    if settings.sink == "kafka":
        setup_logging()
        log.info(
            "building %d customers (%s, %g transactions/s); their KYC profiles go out first",
            settings.customer_pool_size,
            settings.activity,
            settings.transaction_rate,
        )
    records = generate(settings, start=start, events=args.events, duration_s=args.duration)
    if settings.sink == "jsonl":
        if args.output is None:
            jsonl.write(records, sys.stdout.buffer)
        else:
            with args.output.open("wb") as output:
                jsonl.write(records, output)
        return EXIT_OK
    # The Kafka client is loaded only when it is used.
    from producers.runner import run_kafka

    return run_kafka(settings, records, heartbeat=Heartbeat.from_env())


if __name__ == "__main__":
    sys.exit(main())
