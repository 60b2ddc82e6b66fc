"""The signal types have one home, the dbt var `risk_weights` (one weight per signal). The
dashboard generator reads it; the alerter and the case service ship apart from dbt and keep copies
held equal here."""

import csv

from alerter.settings import SIGNAL_TYPES as ALERTER_SIGNAL_TYPES
from cases.workflow import SIGNAL_TYPES as CASE_SERVICE_SIGNAL_TYPES
from tests.stack.stack_files import ROOT, load_yaml

PROJECT = ROOT / "fraud_detection"


def _risk_weight_signals() -> set[str]:
    return set(load_yaml(PROJECT / "dbt_project.yml")["vars"]["risk_weights"])


def test_the_alerters_copy_equals_the_dbt_risk_weights() -> None:
    signals = _risk_weight_signals()
    assert len(signals) == 9
    assert set(ALERTER_SIGNAL_TYPES) == signals


def test_the_case_services_copy_equals_the_dbt_risk_weights() -> None:
    assert set(CASE_SERVICE_SIGNAL_TYPES) == _risk_weight_signals()


def test_every_scenario_maps_to_a_known_signal() -> None:
    with (PROJECT / "seeds" / "scenario_signals.csv").open(encoding="utf-8") as seed:
        mapped = {row["signal_type"] for row in csv.DictReader(seed)}
    assert mapped <= _risk_weight_signals()
