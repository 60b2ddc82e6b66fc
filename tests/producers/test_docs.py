"""docs/data_model.md stays true: every topic and every field of every model is in it."""

from pathlib import Path

import pytest
from pydantic import BaseModel

from producers.models import EVENT_TYPES, LABEL_TYPES, TOPICS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "data_model.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("model", [*EVENT_TYPES, *LABEL_TYPES], ids=lambda model: model.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    missing = [name for name in model.model_fields if f"`{name}`" not in DOC]
    assert not missing


def test_every_topic_is_documented() -> None:
    assert all(f"`{topic}`" in DOC for topic in TOPICS)
