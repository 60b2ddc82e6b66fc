"""Training is reproducible bit for bit, calibrated when given a calibration set, and reads its
worlds from data (scoring/worlds.yml) that refuses a held-out world it has seen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring import offline
from scoring.dataset import Dataset
from scoring.features import vectorize
from scoring.model import Model
from scoring.score import probabilities
from scoring.train import TrainingRun, train
from scoring.worlds import WORLDS_FILE, load_worlds
from tests.support.scoring import synthetic_records


def dataset(seed: int) -> Dataset:
    records = synthetic_records(2000, seed)
    matrix = vectorize(records)
    labels = (matrix[:, 0] > 600).astype(np.int8)  # the large amounts
    times = np.arange(len(records), dtype=np.float64)
    return Dataset(records, matrix, labels, labels, [None] * len(records), times)


def trained(version: str = "v0001") -> Model:
    run = TrainingRun(5, 50, "synthetic", 0.05, 0.7, 0.5)
    return train(version, dataset(5), run, calibration=dataset(6), test=dataset(7))


def test_the_same_rows_give_the_same_model_bit_for_bit() -> None:
    first, second = trained(), trained()
    assert bytes(first.booster.save_raw("ubj")) == bytes(second.booster.save_raw("ubj"))
    assert first.card["calibration"] == second.card["calibration"]
    assert first.card["metrics"] == second.card["metrics"]
    held_out = dataset(7).matrix
    assert np.array_equal(probabilities(first, held_out), probabilities(second, held_out))
    assert np.array_equal(
        first.fast_forest.score_samples(held_out), second.fast_forest.score_samples(held_out)
    )


def test_the_score_is_the_calibrated_probability() -> None:
    model = trained()
    knots = np.asarray(model.card["calibration"]["x"])
    values = np.asarray(model.card["calibration"]["y"])
    assert np.all(np.diff(knots) >= 0) and np.all(np.diff(values) >= 0)
    matrix = dataset(7).matrix
    raw = np.asarray(model.booster.inplace_predict(matrix), dtype=np.float64)
    assert np.array_equal(probabilities(model, matrix), np.interp(raw, knots, values))
    assert not np.array_equal(probabilities(model, matrix), raw)


def test_the_default_worlds_differ_in_tempo_and_kind() -> None:
    worlds = load_worlds()
    gaps = {world.customer_pool_size / world.transaction_rate for world in worlds.train}
    assert max(gaps) >= 10 * min(gaps)
    assert {world.world for world in worlds.train} == {"clean", "realistic"}
    assert 42 not in {seed for seeds in worlds.seeds().values() for seed in seeds}


def test_a_seed_in_two_roles_is_refused(tmp_path: Path) -> None:
    text = WORLDS_FILE.read_text().replace("seed: 1234", "seed: 7")
    path = tmp_path / "worlds.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match="seed 7 is in both train and held_out"):
        load_worlds(path)


def test_a_bad_world_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "worlds.yml"
    path.write_text(WORLDS_FILE.read_text().replace("world: clean", "world: moon"))
    with pytest.raises(ValueError, match=r"worlds.yml: train\.2\.world: ") as error:
        load_worlds(path)
    assert "\n" not in str(error.value)


def test_train_takes_its_seeds_from_the_worlds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as error:
        offline.parse_args(["train", "--seed", "3"])
    assert error.value.code == 2
    assert "scoring/worlds.yml" in capsys.readouterr().err
