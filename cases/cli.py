"""`python -m cases`: validate settings (exit 2), then serve the API and page until SIGTERM.

`python -m cases token USER ROLE [--env-file .env]` makes a new token for USER: it prints the
token on stdout and the CASES_TOKENS entry (its hash) on stderr, or writes the entry into the
env file, replacing USER's previous one. `python -m cases openapi` prints the OpenAPI schema
(docs/openapi.json is its checked-in copy).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from cases.security import TokenEntry, hash_token, new_token, parse_entries
from cases.settings import CaseServiceSettings, describe_error, env_name
from cases.workflow import ROLES

EXIT_INVALID_SETTINGS = 2
_TOKENS = env_name("tokens")


def _serve() -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        settings = CaseServiceSettings()
    except ValidationError as error:
        print(f"case-service: invalid setting: {describe_error(error)}", file=sys.stderr)
        return EXIT_INVALID_SETTINGS
    # Imported here: `token` needs neither the web stack nor a database.
    import uvicorn

    from cases.app import create_app

    if not settings.tokens:
        logging.warning("no tokens (CASES_TOKENS): nobody can sign in; make case-service-token")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # One summary per request is noise at the analysts' pace: keep errors and starts.
        access_log=False,
    )
    return 0


def write_entry(env_file: Path, entry: TokenEntry) -> None:
    """Put `entry` into the CASES_TOKENS line of `env_file`, replacing the user's old entry."""
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.exists() else []
    for index, line in enumerate(lines):
        if line.startswith(f"{_TOKENS}="):
            kept = [old for old in parse_entries(line.partition("=")[2]) if old.user != entry.user]
            lines[index] = f"{_TOKENS}=" + ",".join(str(item) for item in [*kept, entry])
            break
    else:
        lines.append(f"{_TOKENS}={entry}")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _token(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m cases token")
    parser.add_argument("user", help="lowercase user name, e.g. alice")
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--env-file", type=Path, help="write the entry into this file")
    args = parser.parse_args(argv)
    token = new_token()
    try:
        entry = parse_entries(f"{args.user}:{args.role}:{hash_token(token)}")[0]
        if args.env_file:
            write_entry(args.env_file, entry)
    except ValueError as error:
        print(f"case-service: {error}", file=sys.stderr)
        return EXIT_INVALID_SETTINGS
    print(token)
    where = f"written to {args.env_file}" if args.env_file else f"add to {_TOKENS}"
    print(f"{args.user} ({args.role}): {entry} {where}", file=sys.stderr)
    return 0


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
        return EXIT_INVALID_SETTINGS
    return _serve()
