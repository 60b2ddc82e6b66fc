"""`.env.example` as the settings tests read it: one section per settings model, framed by
`# ---` lines around its title (`# Alerter (...)`), each setting as NAME=default."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def section(title: str) -> dict[str, str]:
    """The NAME=value lines of the section titled `title`."""
    values: dict[str, str] = {}
    inside = False
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for previous, line, following in zip(["", *lines[:-1]], lines, [*lines[1:], ""], strict=True):
        if previous.startswith("# ---") and following.startswith("# ---"):
            inside = line[2:].split(" (")[0] == title
        elif inside and line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def env_value(default: object) -> str:
    """How `.env.example` writes a model's default."""
    if default is None:
        return ""
    if isinstance(default, SecretStr):
        return default.get_secret_value()
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, frozenset):
        return ",".join(sorted(str(item) for item in default))
    if isinstance(default, tuple):
        return ",".join(str(item) for item in default)
    return str(default)
