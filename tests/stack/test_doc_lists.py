"""The lists in the docs that name parts of the stack stay equal to the stack: the services of
docs/architecture.md and the topics of docs/architecture.md and docs/data_model.md."""

from __future__ import annotations

import re

import pytest

from tests.stack.stack_files import ROOT, compose
from tests.stack.test_topic_script import STACK_TOPICS

# The alerter creates its own ledger topic (alerter/ledger.py); every other is the stack's.
ALL_TOPICS = {*STACK_TOPICS, "fraud_cases.delivered"}
_FIRST_CELLS = re.compile(r"^\| (`[^|]+`) \|", re.MULTILINE)


def _section(doc: str, heading: str) -> str:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = re.search(
        rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL
    )
    assert found, f"docs/{doc}: no '## {heading}' section"
    return found.group(1)


def _named_in_first_column(section: str) -> set[str]:
    """Every backticked name in the first cell of each table row (`a`, `b` counts both)."""
    return {
        name for cell in _FIRST_CELLS.findall(section) for name in re.findall(r"`([^`]+)`", cell)
    }


def test_the_architecture_lists_every_compose_service() -> None:
    assert _named_in_first_column(_section("architecture.md", "Services")) == set(
        compose()["services"]
    )


@pytest.mark.parametrize(
    ("doc", "heading"), [("architecture.md", "Topics"), ("data_model.md", "Topics")]
)
def test_the_docs_list_every_topic(doc: str, heading: str) -> None:
    assert _named_in_first_column(_section(doc, heading)) == ALL_TOPICS
