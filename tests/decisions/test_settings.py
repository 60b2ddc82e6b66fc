"""Settings: `.env.example` parity, one-line errors, the key command, the rule set section."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from decisions.cli import main
from decisions.security import KeyBook, hash_key, parse_entries
from decisions.settings import DecisionSettings
from rules import store
from rules.schema import RuleSetError, parse_rule_set
from tests.stack.stack_files import ROOT
from tests.support.env_example import env_value, section


def test_env_example_mirrors_the_settings_model() -> None:
    own = {
        DecisionSettings.env_name(name): env_value(field.default)
        for name, field in DecisionSettings.model_fields.items()
        if name != "kafka_bootstrap_servers"  # documented once, in the producer's section
    }
    assert section("Decisions") == own


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"api_keys": "switch:decide"}, "DECISIONS_API_KEYS: entry 1: expected client"),
        ({"api_keys": f"switch:pay:{'0' * 64}"}, "DECISIONS_API_KEYS: entry 'switch': scopes"),
        ({"api_keys": "switch:decide:abc"}, "DECISIONS_API_KEYS: entry 'switch': the hash"),
        (
            {"api_keys": f"a:decide:{'0' * 64},a:read:{'1' * 64}"},
            "DECISIONS_API_KEYS: entry 'a': client listed twice",
        ),
        ({"database_url": "mysql://secret"}, "DECISIONS_DATABASE_URL: must be a postgresql://"),
        ({"fallback": "maybe"}, "DECISIONS_FALLBACK: Input should be 'open' or 'closed'"),
        ({"lookup_budget_ms": 0}, "DECISIONS_LOOKUP_BUDGET_MS: Input should be greater than 0"),
        ({"max_in_flight": 0}, "DECISIONS_MAX_IN_FLIGHT: Input should be greater than"),
        ({"rules_version": "V 2"}, "DECISIONS_RULES_VERSION: String should match"),
        ({"decisions_topic": "transactions"}, "DECISIONS_DECISIONS_TOPIC: must differ"),
    ],
)
def test_invalid_settings_name_the_setting(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as error:
        DecisionSettings(_env_file=None, **overrides)
    message = DecisionSettings.describe_error(error.value)
    assert message.startswith(expected), message
    assert "secret" not in message, "a URL may hold a password: never echoed"


def test_an_invalid_setting_stops_the_service_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DECISIONS_FALLBACK", "sideways")
    monkeypatch.chdir(ROOT / "decisions")  # no .env here
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "decision-service: invalid setting: DECISIONS_FALLBACK: Input should be 'open' or"
        " 'closed' (got 'sideways')"
    ]


def test_keys_are_looked_up_by_hash_and_carry_their_scopes() -> None:
    book = KeyBook(parse_entries(f"switch:decide:{hash_key('dsk_a')},ops:decide+read:{'0' * 64}"))
    client = book.client("dsk_a")
    assert client is not None and client.name == "switch"
    assert client.scopes == frozenset({"decide"})
    assert book.client("dsk_b") is None
    assert book.client(hash_key("dsk_a")) is None, "the hash itself is no key"


def test_the_key_command_prints_a_key_and_writes_its_hash(tmp_path, capsys) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("OTHER=1\n")
    assert main(["key", "switch", "decide", "--env-file", str(env_file)]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["key", "switch", "decide+read", "--env-file", str(env_file)]) == 0
    second = capsys.readouterr().out.strip()
    lines = env_file.read_text().splitlines()
    assert lines[0] == "OTHER=1"
    entries = parse_entries(lines[1].partition("=")[2])
    assert [str(entry) for entry in entries] == [f"switch:decide+read:{hash_key(second)}"]
    assert first not in env_file.read_text() and second not in env_file.read_text()
    assert main(["key", "Bad Name", "decide"]) == 2


def test_every_rule_set_has_a_valid_decisions_section() -> None:
    for version in store.versions():
        assert store.load(version).decisions.review_risk_level


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("review_risk_level: high", "review_risk_level: critical\n  # x"), None),
        (("decline_risk_level: critical", "decline_risk_level: medium"), "review_risk_level"),
        (("model_decline_score: 0.9", "model_decline_score: 0.4"), "model_review_score <"),
        (("open_case_action: review", "open_case_action: block"), "decisions.open_case_action"),
        (("amount_to_typical_review: 5", "amount_to_typical_review: 1"), "amount_to_typical"),
    ],
)
def test_the_decisions_section_is_validated(change: tuple[str, str], expected: str | None) -> None:
    text = (ROOT / "rules" / "v1.yml").read_text(encoding="utf-8")
    assert change[0] in text
    changed = text.replace(change[0], change[1])
    if expected is None:
        assert parse_rule_set(changed, source="v1.yml", version="v1").decisions
        return
    with pytest.raises(RuleSetError) as error:
        parse_rule_set(changed, source="v1.yml", version="v1")
    assert expected in str(error.value)
    assert str(error.value).startswith("v1.yml: ")


def test_a_rule_set_without_a_decisions_section_is_refused() -> None:
    text = (ROOT / "rules" / "v1.yml").read_text(encoding="utf-8")
    cut = text[: text.index("\n# The decision service")] + "\n"
    with pytest.raises(RuleSetError, match=r"v1.yml: decisions: is required"):
        parse_rule_set(cut, source="v1.yml", version="v1")
