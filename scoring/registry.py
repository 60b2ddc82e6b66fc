"""The model registry: a folder of versions (v0001, v0002, ...) and registry.json naming the
champion (what the scorer loads), the latest challenger, every promotion decision, and the SHA-256
of every file of every version, recorded when it was saved and checked before it is loaded."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scoring.model import Model, ModelError, load, save

REGISTRY_FILE = "registry.json"


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _state(self) -> dict[str, Any]:
        path = self.root / REGISTRY_FILE
        if not path.is_file():
            return {"champion": None, "challenger": None, "decisions": []}
        try:
            state = json.loads(path.read_text())
        except ValueError as error:
            raise ModelError(f"corrupt registry {path}: {error}") from error
        if not isinstance(state, dict):
            raise ModelError(f"corrupt registry {path}: not an object")
        return state

    def _write(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / REGISTRY_FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2) + "\n")
        os.replace(temporary, path)  # a reader never sees half a registry

    def next_version(self) -> str:
        taken = [int(p.name[1:]) for p in self.root.glob("v[0-9]*") if p.name[1:].isdigit()]
        return f"v{max(taken, default=0) + 1:04d}"

    def add(self, model: Model, *, role: str) -> Path:
        """Save `model` as a new version and name it champion or challenger."""
        directory = self.root / model.version
        checksums = save(model, directory)
        state = self._state()
        state.setdefault("checksums", {})[model.version] = checksums
        state[role] = model.version
        self._write(state)
        return directory

    def champion_version(self) -> str:
        version = self._state().get("champion")
        if not version:
            raise ModelError(f"no champion model in {self.root}: run `make train`")
        return str(version)

    def champion(self) -> Model:
        return self.model(self.champion_version())

    def model(self, version: str) -> Model:
        checksums = self._state().get("checksums", {}).get(version)
        if not isinstance(checksums, dict):
            raise ModelError(
                f"no checksums recorded for {self.root / version} in {REGISTRY_FILE}:"
                " retrain with `make train`"
            )
        return load(self.root / version, checksums)

    def decide(self, decision: dict[str, Any]) -> None:
        """Record a retraining decision; a promotion makes the challenger the champion."""
        state = self._state()
        state.setdefault("decisions", []).append(decision)
        state["challenger"] = decision["challenger"]
        if decision["promoted"]:
            state["champion"] = decision["challenger"]
        self._write(state)

    def state(self) -> dict[str, Any]:
        return self._state()
