"""Settings: `.env.example` parity, one-line errors, and the token command."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cases.cli import main
from cases.security import TokenBook, hash_token, parse_entries
from cases.settings import CaseServiceSettings
from tests.support.env_example import env_value, section

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_mirrors_the_settings_model() -> None:
    documented = section("Cases")
    own = {
        CaseServiceSettings.env_name(name): env_value(field.default)
        for name, field in CaseServiceSettings.model_fields.items()
    }
    assert documented == own


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"tokens": "alice:analyst"}, "CASES_TOKENS: entry 1: expected user:role:sha256"),
        ({"tokens": "alice:boss:" + "0" * 64}, "CASES_TOKENS: entry 'alice': role must be one of"),
        ({"tokens": "alice:lead:abc"}, "CASES_TOKENS: entry 'alice': the hash must be 64"),
        (
            {"tokens": f"bo:lead:{'0' * 64},bo:viewer:{'1' * 64}"},
            "CASES_TOKENS: entry 'bo': user listed twice",
        ),
        ({"database_url": "mysql://x"}, "CASES_DATABASE_URL: must be a postgresql:// URL"),
        ({"port": 70000}, "CASES_PORT: Input should be less than or equal to 65535"),
        ({"page_size": 600, "max_page_size": 500}, "CASES_PAGE_SIZE: Input should be less"),
        ({"page_size": 300, "max_page_size": 200}, "CASES_PAGE_SIZE: must be at most"),
    ],
)
def test_invalid_settings_name_the_setting(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as error:
        CaseServiceSettings(_env_file=None, **overrides)
    message = CaseServiceSettings.describe_error(error.value)
    assert message.startswith(expected)
    assert "mysql" not in message, "a URL may hold a password: never echoed"


def _now() -> datetime:
    return datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_tokens_are_looked_up_by_hash() -> None:
    book = TokenBook(parse_entries(f"alice:analyst:{hash_token('cst_a')}"))
    assert book.principal("cst_a", _now) is not None
    assert book.principal("cst_a", _now).role == "analyst"  # type: ignore[union-attr]
    assert book.principal("cst_b", _now) is None
    assert book.principal(hash_token("cst_a"), _now) is None, "the hash itself is no token"


def test_a_token_is_refused_from_its_expiry_date_on() -> None:
    entries = parse_entries(f"alice:analyst:{hash_token('cst_a')}:2026-12-05")
    assert str(entries[0]).endswith(":2026-12-05"), "the entry keeps its expiry when rewritten"
    book = TokenBook(entries)
    assert book.principal("cst_a", lambda: datetime(2026, 12, 4, 23, 59, 59, tzinfo=UTC))
    assert book.principal("cst_a", lambda: datetime(2026, 12, 5, tzinfo=UTC)) is None
    with pytest.raises(ValueError, match="'alice': the expiry must be a date, YYYY-MM-DD"):
        parse_entries(f"alice:analyst:{hash_token('cst_a')}:tomorrow")


def test_token_command_writes_a_usable_entry(tmp_path: Path, capsys) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"FRAUD_RATE=0.2\nCASES_TOKENS=bob:lead:{'0' * 64}\n")
    assert main(["token", "alice", "analyst", "--env-file", str(env_file)]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["token", "alice", "lead", "--env-file", str(env_file)]) == 0
    second = capsys.readouterr().out.strip()
    settings = CaseServiceSettings(_env_file=env_file)
    book = TokenBook(settings.tokens)
    assert [entry.user for entry in settings.tokens] == ["bob", "alice"]
    assert book.principal(first, _now) is None, "a new token replaces the user's old one"
    assert book.principal(second, _now).role == "lead"  # type: ignore[union-attr]
    # 90 days by default, from the day it was made.
    expires = settings.tokens[-1].expires
    assert expires is not None
    assert expires - datetime.now(UTC).date() == timedelta(days=90)
    assert main(["token", "carol", "viewer", "--env-file", str(env_file), "--days", "0"]) == 0
    assert CaseServiceSettings(_env_file=env_file).tokens[-1].expires is None
    assert "FRAUD_RATE=0.2" in env_file.read_text()
    assert second not in env_file.read_text(), "only the hash is stored"


def test_token_command_refuses_a_bad_user() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cases", "token", "Alice!", "analyst"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("case-service: entry 1: expected user:role:sha256")
    assert result.stdout == ""
