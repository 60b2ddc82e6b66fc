from decimal import Decimal

import pytest
from pydantic import ValidationError

from alerter.cases import FraudCase, Policy
from tests.alerter.factory import OPENED, case, case_message


def test_a_sink_message_parses_with_utc_times_and_split_reasons() -> None:
    parsed = case(7, severity="critical", reason_codes="velocity, geo_impossible", updated_s=90)
    assert parsed.case_id == "case-A00000007-1"
    assert parsed.reason_codes == ("velocity", "geo_impossible")
    assert parsed.risk_score == Decimal("0.82")
    assert parsed.opened_at == OPENED
    assert (parsed.updated_at - parsed.opened_at).total_seconds() == 90
    assert parsed.alert_id == "case-A00000007-1:critical"


def test_reason_codes_may_also_arrive_as_a_list() -> None:
    message = case_message(1).replace(b'"velocity,cnp_spike"', b'["structuring"]')
    assert FraudCase.model_validate_json(message).reason_codes == ("structuring",)


@pytest.mark.parametrize(
    "broken",
    [
        b"not json",
        b"{}",
        case_message(1).replace(b'"high"', b'"urgent"'),
        case_message(1).replace(b'"case-A00000001-1"', b'"  "'),
    ],
)
def test_malformed_messages_are_rejected(broken: bytes) -> None:
    with pytest.raises(ValidationError):
        FraudCase.model_validate_json(broken)


@pytest.mark.parametrize(
    ("policy", "admitted"),
    [
        (Policy("high", frozenset()), {"high", "critical"}),
        (Policy("critical", frozenset()), {"critical"}),
    ],
)
def test_the_policy_keeps_severities_at_or_above_its_minimum(
    policy: Policy, admitted: set[str]
) -> None:
    levels = ("low", "medium", "high", "critical")
    assert {level for level in levels if policy.admits(case(1, severity=level))} == admitted


def test_categories_admit_a_case_carrying_any_of_them() -> None:
    policy = Policy("high", frozenset({"structuring", "login_storm"}))
    assert policy.admits(case(1, reason_codes="velocity,login_storm"))
    assert not policy.admits(case(2, reason_codes="velocity,cnp_spike"))
    assert not policy.admits(case(3, reason_codes=""))


def test_higher_alert_ids_name_the_severities_above() -> None:
    assert case(5, severity="high").higher_alert_ids == ["case-A00000005-1:critical"]
    assert case(5, severity="critical").higher_alert_ids == []
