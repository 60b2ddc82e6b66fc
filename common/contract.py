"""The detection contract (common/contract.yml), typed: signal types, scenarios, case outcomes,
channels and topics. `python -m common.contract` writes the dbt project's copy of it,
fraud_detection/macros/contract.sql (`--check` only compares); a test keeps that file current.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONTRACT_FILE = Path(__file__).with_name("contract.yml")
DBT_MACRO_FILE = Path(__file__).resolve().parents[1] / "fraud_detection/macros/contract.sql"
_UNITS = ("seconds", "minutes")


class ContractError(ValueError):
    """The contract file is inconsistent; the message names the entry."""


@dataclass(frozen=True)
class InputSpan:
    """`windows` times the rule var `window` (a duration in `unit`)."""

    window: str
    unit: str
    windows: int


@dataclass(frozen=True)
class Signal:
    type: str
    model: str
    learned: bool
    input_spans: tuple[InputSpan, ...]  # one per detection path of the signal
    members: str | None  # the dbt model of the transactions making up each detection


@dataclass(frozen=True)
class Scenario:
    name: str
    primary: str
    also: tuple[str, ...]

    @property
    def signal_types(self) -> tuple[str, ...]:
        return (self.primary, *self.also)


@dataclass(frozen=True)
class Contract:
    signals: tuple[Signal, ...]
    scenarios: tuple[Scenario, ...]
    outcomes: dict[str, str]  # outcome -> the column counting it
    channels: tuple[str, ...]
    card_not_present_channels: tuple[str, ...]
    source_topics: tuple[str, ...]
    sink_topics: dict[str, str]  # sink -> topic
    raw: dict[str, Any]

    @property
    def signal_types(self) -> tuple[str, ...]:
        return tuple(signal.type for signal in self.signals)


def _signal(name: str, entry: dict[str, Any]) -> Signal:
    span = entry.get("input_span")
    spans = [] if span is None else span if isinstance(span, list) else [span]
    input_spans = tuple(
        InputSpan(str(item["window"]), str(item["unit"]), int(item["windows"])) for item in spans
    )
    for input_span in input_spans:
        if input_span.unit not in _UNITS:
            raise ContractError(f"signals.{name}.input_span.unit: one of {', '.join(_UNITS)}")
    members = entry.get("members")
    return Signal(
        name,
        str(entry["model"]),
        bool(entry.get("learned", False)),
        input_spans,
        None if members is None else str(members),
    )


def parse(raw: dict[str, Any]) -> Contract:
    """The contract in `raw` (the YAML document), checked: every name it refers to exists."""
    signals = tuple(_signal(name, entry) for name, entry in raw["signals"].items())
    types = {signal.type for signal in signals}
    scenarios = tuple(
        Scenario(name, str(entry["primary"]), tuple(entry.get("also", ())))
        for name, entry in raw["scenarios"].items()
    )
    for scenario in scenarios:
        unknown = sorted(set(scenario.signal_types) - types)
        if unknown:
            raise ContractError(f"scenarios.{scenario.name}: unknown signal {', '.join(unknown)}")
    channels = tuple(raw["channels"])
    card_not_present = tuple(raw["card_not_present_channels"])
    if not set(card_not_present) <= set(channels):
        raise ContractError("card_not_present_channels: must be channels")
    return Contract(
        signals=signals,
        scenarios=scenarios,
        outcomes={name: str(entry["count_column"]) for name, entry in raw["outcomes"].items()},
        channels=channels,
        card_not_present_channels=card_not_present,
        source_topics=tuple(raw["topics"]["sources"]),
        sink_topics={name: str(topic) for name, topic in raw["topics"]["sinks"].items()},
        raw=raw,
    )


def load(path: Path = CONTRACT_FILE) -> Contract:
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def dbt_macro(contract: Contract) -> str:
    """macros/contract.sql: the contract as a dbt macro, read when the project is parsed."""
    body = yaml.safe_dump(contract.raw, sort_keys=False, default_flow_style=False, width=100)
    return (
        "{#- Generated from common/contract.yml by `make contract`: edit that file, not this one."
        " -#}\n"
        "{% macro contract() -%}\n"
        "{%- set contract_yaml -%}\n"
        f"{body}"
        "{%- endset -%}\n"
        "{{ return(fromyaml(contract_yaml)) }}\n"
        "{%- endmacro %}\n"
    )


CONTRACT = load()
SIGNAL_TYPES: tuple[str, ...] = CONTRACT.signal_types
OUTCOMES: tuple[str, ...] = tuple(CONTRACT.outcomes)


def main(argv: list[str]) -> int:
    expected = dbt_macro(load())
    current = DBT_MACRO_FILE.read_text(encoding="utf-8") if DBT_MACRO_FILE.exists() else ""
    if argv == ["--check"]:
        if current != expected:
            print(f"{DBT_MACRO_FILE} is stale: run `make contract`", file=sys.stderr)
            return 1
        return 0
    if current != expected:
        DBT_MACRO_FILE.write_text(expected, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
