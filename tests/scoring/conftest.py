"""What the scorer's tests share: one model trained on a short seeded realistic replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.model import Model
from scoring.registry import Registry
from tests.support.scoring import trained_registry


@pytest.fixture(scope="session")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry whose champion was trained by `make train`'s code on a small replay."""
    return trained_registry(tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="session")
def champion(registry_dir: Path) -> Model:
    return Registry(registry_dir).champion()
