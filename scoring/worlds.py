"""The training worlds (scoring/worlds.yml): which seeded replays train, calibrate and test a
model. Data, so a world is added without touching code; checked on load (one line per error)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from producers.settings import DENSE_FLAT, Settings

WORLDS_FILE = Path(__file__).with_name("worlds.yml")


class World(BaseModel):
    """One seeded replay: the producer settings that differ between worlds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    world: Literal["clean", "realistic"]
    seed: int = Field(ge=0)
    transaction_rate: float = Field(gt=0)
    customer_pool_size: int = Field(gt=0)
    fraud_rate: float = Field(ge=0, le=1)
    minutes: float = Field(gt=0)

    def settings(self, drift_after: float = 0.0) -> Settings:
        return Settings(
            _env_file=None,
            sink="jsonl",
            seed=self.seed,
            fraud_rate=self.fraud_rate,
            activity="flat",
            lookalike_rate=DENSE_FLAT["lookalike_rate"],
            transaction_rate=self.transaction_rate,
            customer_pool_size=self.customer_pool_size,
            world=self.world,
            structuring_threshold=Decimal("10000"),
            drift_after_minutes=drift_after,
        )

    def describe(self) -> str:
        return (
            f"{self.world} seed {self.seed}, {self.minutes:g} min, {self.transaction_rate:g} tx/s,"
            f" {self.customer_pool_size} customers, FRAUD_RATE {self.fraud_rate:g}"
        )


class Worlds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    train: list[World] = Field(min_length=1)
    calibrate: list[World] = Field(min_length=1)
    held_out: list[World] = Field(min_length=1)

    def seeds(self) -> dict[str, list[int]]:
        return {
            "train": [world.seed for world in self.train],
            "calibrate": [world.seed for world in self.calibrate],
            "held_out": [world.seed for world in self.held_out],
        }


def load_worlds(path: Path = WORLDS_FILE) -> Worlds:
    """The worlds of `path`; ValueError (one line) when the file is unreadable or invalid, or
    when one seed serves two roles (a held-out world must be one the model never saw)."""
    try:
        document = yaml.safe_load(path.read_text())
        worlds = Worlds.model_validate(document)
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the training worlds: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"{path}: {where}: {first['msg']}") from error
    for world in (*worlds.train, *worlds.calibrate, *worlds.held_out):
        try:
            world.settings()
        except ValidationError as error:
            raise ValueError(f"{path}: seed {world.seed}: {error.errors()[0]['msg']}") from error
    roles = worlds.seeds()
    seen: dict[int, str] = {}
    for role, seeds in roles.items():
        for seed in seeds:
            if seed in seen:
                raise ValueError(f"{path}: seed {seed} is in both {seen[seed]} and {role}")
            seen[seed] = role
    return worlds
