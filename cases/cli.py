"""`python -m cases`: validate settings (exit 2), then serve the API and page until SIGTERM.

`python -m cases token USER ROLE [--env-file .env] [--days 90]` makes a new token for USER,
valid for that many days (0: no expiry): it prints the token on stdout and the CASES_TOKENS entry
(its hash and expiry date) on stderr, or writes the entry into the env file, replacing USER's
previous one. `python -m cases openapi` prints the OpenAPI schema
(docs/openapi.json is its checked-in copy).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from cases.security import TOKEN_PREFIX, parse_entries
from cases.settings import CaseServiceSettings
from cases.workflow import ROLES
from common.credentials import Issuer
from common.runtime import EXIT_INVALID, setup_logging, verdict

ISSUER = Issuer("case-service", CaseServiceSettings.env_name("tokens"), TOKEN_PREFIX, parse_entries)


def _serve() -> int:
    setup_logging()
    try:
        settings = CaseServiceSettings()
    except ValidationError as error:
        line = CaseServiceSettings.describe_error(error)
        return verdict(EXIT_INVALID, f"case-service: invalid setting: {line}")
    # Imported here: `token` needs neither the web stack nor a database.
    from cases.app import create_app
    from common.http_server import serve

    if not settings.tokens:
        logging.warning("no tokens (CASES_TOKENS): nobody can sign in; make case-service-token")
    serve(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        header_timeout_s=settings.header_timeout_s,
        log_level="info",
        # One summary per request is noise at the analysts' pace: keep errors and starts.
        access_log=False,
    )
    return 0


def _token(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cases token")
    parser.add_argument("user", help="lowercase user name, e.g. alice")
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--env-file", type=Path, help="write the entry into this file")
    parser.add_argument(
        "--days",
        type=int,
        default=90,
        help="days the token is valid (its entry ends in the expiry date); 0: no expiry",
    )
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days: must be 0 (no expiry) or more")
    return ISSUER.issue(args.user, args.role, args.env_file, args.days or None)


def openapi_text() -> str:
    """The schema the app serves at /openapi.json, as the checked-in file writes it."""
    from cases.app import create_app

    schema = create_app(CaseServiceSettings(_env_file=None)).openapi()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["token"]:
        return _token(args[1:])
    if args == ["openapi"]:
        sys.stdout.write(openapi_text())
        return 0
    if args:
        print(
            "usage: python -m cases [openapi | token USER ROLE [--env-file FILE]]", file=sys.stderr
        )
        return EXIT_INVALID
    return _serve()
