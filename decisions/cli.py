"""`python -m decisions`: validate settings (exit 2), load the rule set and the champion model
(exit 2 when unusable), then serve until SIGTERM.

`python -m decisions key CLIENT SCOPES [--env-file .env]` makes a new API key for CLIENT with
SCOPES (`decide`, `read`, or `decide+read`): it prints the key on stdout and the
DECISIONS_API_KEYS entry (its hash) on stderr, or writes the entry into the env file, replacing
CLIENT's previous one. `python -m decisions openapi` prints the OpenAPI schema
(docs/openapi-decisions.json is its checked-in copy).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from common.credentials import Issuer
from common.runtime import EXIT_INVALID, setup_logging, verdict
from decisions.security import KEY_PREFIX, parse_entries
from decisions.settings import DecisionSettings

ISSUER = Issuer(
    "decision-service", DecisionSettings.env_name("api_keys"), KEY_PREFIX, parse_entries
)


def _serve() -> int:
    setup_logging()
    try:
        settings = DecisionSettings()
    except ValidationError as error:
        line = DecisionSettings.describe_error(error)
        return verdict(EXIT_INVALID, f"decision-service: invalid setting: {line}")
    # Imported here: `key` needs neither the web stack, the model nor Kafka.
    from common.http_server import serve
    from decisions.app import create_app
    from decisions.runtime import StartupError, build_service
    from decisions.security import KeyBook

    try:
        service = build_service(settings)
    except StartupError as error:
        return verdict(EXIT_INVALID, f"decision-service: {error}")
    if not settings.api_keys:
        logging.warning("no API keys (DECISIONS_API_KEYS): every request gets 401")
    try:
        serve(
            create_app(service, KeyBook(settings.api_keys)),
            host=settings.host,
            port=settings.port,
            header_timeout_s=settings.header_timeout_s,
            log_level="info",
            # C parser (serve's protocol builds on it) and loop when installed (the image has
            # both); else h11 and asyncio.
            loop="auto",
            # The summary line every DECISIONS_LOG_INTERVAL_S says what the requests did.
            access_log=False,
        )
    finally:
        if service.sender is not None:
            left = service.sender.close()  # type: ignore[attr-defined]
            if left:
                logging.error("%d messages not delivered at shutdown", left)
    return 0


def _key(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m decisions key")
    parser.add_argument("client", help="lowercase client name, e.g. card-switch")
    parser.add_argument("scopes", help="decide, read, or decide+read")
    parser.add_argument("--env-file", type=Path, help="write the entry into this file")
    args = parser.parse_args(argv)
    return ISSUER.issue(args.client, args.scopes, args.env_file)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in {"-h", "--help", "--version"}:
        from common.cli import parser

        parser("python -m decisions", __doc__).parse_args(args)
        return 0
    if args[:1] == ["key"]:
        return _key(args[1:])
    if args == ["openapi"]:
        from decisions.app import openapi_text

        sys.stdout.write(openapi_text())
        return 0
    if args:
        print(
            "usage: python -m decisions [openapi | key CLIENT SCOPES [--env-file FILE]]",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return _serve()
