"""The command line the services share: `--help` and `--version` answer at once, before any
setting, broker, database or model is touched; everything else comes from the environment."""

from __future__ import annotations

import argparse
from importlib import metadata
from typing import NoReturn

PACKAGE = "fraud-pipeline"
SETTINGS_EPILOG = (
    "Settings come from the environment, then .env, then their defaults; .env.example lists and"
    " explains every one."
)


def version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments stop the program with one line naming the argument (whose make variable,
    where a target passes one, is its name in capitals: --seed is SEED), not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (--help lists the arguments)\n")


def parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A parser with --help (the module's docstring and where settings come from) and --version."""
    made = OneLineParser(
        prog=prog,
        description=description,
        epilog=SETTINGS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    made.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    return made
