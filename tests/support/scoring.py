"""The model for tests: `make train`'s run (`python -m scoring.offline train`, its defaults)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from scoring import offline
from scoring.dataset import Dataset
from scoring.features import FEATURE_NAMES, vectorize
from scoring.model import Model
from scoring.train import TrainingRun, train
from tests.support.replay import require_embedded_postgres


def train_args(job: str, *, seed: int | None = None, minutes: float | None = None) -> list[str]:
    """The job's command line; without `seed` and `minutes`, the defaults `make train` uses."""
    args = [job]
    if seed is not None:
        args += ["--seed", str(seed)]
    if minutes is not None:
        args += ["--minutes", str(minutes)]
    return args


def trained_registry(root: Path) -> Path:
    """A registry whose champion is exactly `make train`'s (its history starts at 01:00 UTC
    today, so the seed alone decides the model)."""
    require_embedded_postgres()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORING_REGISTRY_DIR", str(root))
        assert offline.main(train_args("train")) == 0
    return root


def synthetic_records(count: int, seed: int, *, start_epoch: float = 1_790_000_000.0) -> list[dict]:
    """Feature records shaped like mv_transaction_features rows (JSON-ready), one per second,
    with a seeded share of large new-device amounts: enough signal for a delivery test's model."""
    rng = np.random.default_rng(seed)
    records = []
    for index in range(count):
        odd = rng.random() < 0.05
        amount = float(rng.lognormal(7.5 if odd else 4.0, 0.5))
        records.append(
            {
                "event_id": f"evt-{seed}-{index:06d}",
                "event_time": datetime.fromtimestamp(start_epoch + index, tz=UTC).isoformat(),
                "customer_id": f"C{index % 97:05d}",
                "account_id": f"A{index % 97:05d}",
                "card_token": None,
                "amount": round(amount, 2),
                "amount_to_typical": round(amount / 80.0, 4),
                "history_transactions": int(rng.integers(0, 12)),
                "amount_to_history_mean": round(amount / 60.0, 4),
                "gap_to_typical_gap": float(rng.exponential(1.0)),
                "count_10m_to_typical": float(rng.exponential(0.5)),
                "is_new_merchant": int(rng.random() < 0.3),
                "is_new_city": int(rng.random() < 0.1),
                "is_new_account_device": int(odd),
                "km_from_previous": float(rng.exponential(5)),
                "km_from_home": float(rng.exponential(8)),
                "is_new_device": int(odd),
                "is_card_not_present": int(rng.random() < 0.4),
                "channel": str(rng.choice(["pos", "ecommerce", "atm"])),
                "merchant_category": "retail",
                "kyc_tier": "low",
                "ingested_at": None,
            }
        )
    return records


def synthetic_model(version: str = "v0001", seed: int = 3) -> Model:
    """A model trained on synthetic_records (not on replays): for delivery and failure tests."""
    records = synthetic_records(3000, seed)
    matrix = vectorize(records)
    labels = (matrix[:, FEATURE_NAMES.index("is_new_device")] > 0).astype(np.int8)
    times = np.array([datetime.fromisoformat(r["event_time"]).timestamp() for r in records])
    dataset = Dataset(records, matrix, labels, labels, [None] * len(records), times)
    return train(version, dataset, TrainingRun(seed, 50, "synthetic", 0.05, 0.7, 0.5))
