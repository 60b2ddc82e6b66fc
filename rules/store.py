"""Where rule sets live: rules/<version>.yml, and rules/active naming the live version."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rules.schema import VERSION_PATTERN, RuleSet, RuleSetError, parse_rule_set

RULES_DIR = Path(__file__).resolve().parent
ACTIVE_FILE = "active"
# The producer's setting of the same name: the structuring rule follows it when it is set, so
# the generator and the detection agree on the threshold (docs/rules.md).
STRUCTURING_ENV = "STRUCTURING_THRESHOLD"


def rule_set_path(version: str, rules_dir: Path = RULES_DIR) -> Path:
    return rules_dir / f"{version}.yml"


def load(version: str, rules_dir: Path = RULES_DIR) -> RuleSet:
    """The rule set `version`; RuleSetError when it is missing or invalid."""
    if not re.match(VERSION_PATTERN, version):
        raise RuleSetError(
            f"rule set version: must match {VERSION_PATTERN} (e.g. v3), got {version!r}"
        )
    path = rule_set_path(version, rules_dir)
    if not path.is_file():
        known = ", ".join(versions(rules_dir)) or "none"
        raise RuleSetError(f"rule set {version!r}: no file {path.name} (known: {known})")
    return parse_rule_set(path.read_text(encoding="utf-8"), source=path.name, version=version)


def versions(rules_dir: Path = RULES_DIR) -> list[str]:
    return sorted(path.stem for path in rules_dir.glob("*.yml"))


def active_version(rules_dir: Path = RULES_DIR) -> str:
    path = rules_dir / ACTIVE_FILE
    if not path.is_file():
        raise RuleSetError(f"rules/{ACTIVE_FILE}: missing (it names the live rule set, e.g. v1)")
    return path.read_text(encoding="utf-8").strip()


def set_active_version(version: str, rules_dir: Path = RULES_DIR) -> None:
    """Publish `version` as the live one (validated first, written atomically)."""
    load(version, rules_dir)
    path = rules_dir / ACTIVE_FILE
    scratch = path.with_suffix(".tmp")
    scratch.write_text(version + "\n", encoding="utf-8")
    scratch.replace(path)


def dbt_vars(
    rule_set: RuleSet, env: Mapping[str, str] | None = None, **overrides: Any
) -> dict[str, Any]:
    """The rule set as dbt --vars; STRUCTURING_THRESHOLD from `env` (default the process
    environment) wins over the file, then `overrides` win over both."""
    values = rule_set.rules.dbt_vars()
    environment = os.environ if env is None else env
    threshold = environment.get(STRUCTURING_ENV)
    if threshold:
        try:
            number = Decimal(threshold)
        except InvalidOperation:
            number = Decimal(-1)
        if not number.is_finite() or number <= 0:
            raise RuleSetError(f"{STRUCTURING_ENV}: must be a number above 0 (got {threshold!r})")
        values["structuring_threshold"] = (
            int(number) if number == number.to_integral_value() else float(number)
        )
    values.update(overrides)
    return values
