"""Counters behind the scorer's periodic summary line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    consumed: int = 0  # feature records read
    scored: int = 0  # scores acknowledged by the broker
    invalid: int = 0  # records that are not a JSON object (dead-lettered and counted)
    unscorable: int = 0  # JSON records without a usable feature or id (dead-lettered)
    batches: int = 0
    drift_windows: int = 0  # windows judged
    drifted_windows: int = 0  # windows with at least one drifted feature

    def summary(self, model_version: str) -> str:
        return (
            f"summary model={model_version} consumed={self.consumed} scored={self.scored}"
            f" invalid={self.invalid} unscorable={self.unscorable} batches={self.batches}"
            f" drift_windows={self.drift_windows}"
            f" drifted={self.drifted_windows}"
        )
