"""Settings: `.env.example` parity and one-line messages naming the setting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from scoring.settings import ScoringSettings
from tests.support.env_example import env_value, section


def test_env_example_mirrors_the_settings_model() -> None:
    own = {
        ScoringSettings.env_name(name): env_value(field.default)
        for name, field in ScoringSettings.model_fields.items()
        # Shared with the producer (no SCORING_ prefix): documented in the producer's section.
        if ScoringSettings.env_name(name).startswith("SCORING_")
    }
    assert section("Scoring") == own


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"batch_max_records": 0}, "SCORING_BATCH_MAX_RECORDS: Input should be greater than"),
        ({"drift_ks_threshold": 2}, "SCORING_DRIFT_KS_THRESHOLD: Input should be less than"),
        ({"scores_topic": "bad topic"}, "SCORING_SCORES_TOPIC: String should match pattern"),
        ({"features_topic": "ml_scores"}, "SCORING_FEATURES_TOPIC: must differ from every output"),
        ({"kafka_bootstrap_servers": "broker"}, "KAFKA_BOOTSTRAP_SERVERS: must be a comma"),
    ],
)
def test_invalid_settings_name_the_setting(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ScoringSettings(_env_file=None, **overrides)
    assert ScoringSettings.describe_error(caught.value).startswith(expected)
