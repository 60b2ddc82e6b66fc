"""The case service's settings: one model, read from the environment and `.env`.

Every field is `CASES_<NAME>`. `.env.example` mirrors this model; a test keeps the two equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from cases.security import TokenEntry, parse_entries
from common.settings import PostgresUrl, ServiceSettings


class CaseServiceSettings(ServiceSettings):
    """Every knob of the case service. The environment variable is `CASES_` + the field name."""

    model_config = SettingsConfigDict(env_prefix="CASES_")
    secret_fields = frozenset({"tokens"})

    database_url: PostgresUrl = Field(
        SecretStr("postgresql://root@localhost:4566/dev"),
        description="PostgreSQL-protocol URL of RisingWave (without Docker: make demo).",
    )
    tokens: Annotated[tuple[TokenEntry, ...], NoDecode] = Field(
        (),
        description="Comma-separated user:role:sha256(token)[:YYYY-MM-DD expiry] entries; role"
        " viewer, analyst, lead.",
    )
    host: str = Field("127.0.0.1", min_length=1, description="Address the HTTP server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    page_size: int = Field(50, ge=1, le=500, description="Rows per page when none is asked.")
    max_page_size: int = Field(500, ge=1, le=5000, description="Most rows one page may ask for.")
    story_rows: int = Field(
        200, ge=1, le=5000, description="Most transactions, logins and alerts in a case's story."
    )
    max_body_bytes: int = Field(
        65536,
        ge=1024,
        le=1048576,
        description="Largest request body accepted (413 above it); checked after the token.",
    )
    body_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Seconds a request body may take to arrive (408 after)."
    )
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        le=300,
        description="Seconds a request's headers may take to arrive (then the connection closes).",
    )
    statement_timeout_s: int = Field(
        30, ge=1, le=3600, description="Seconds one database statement may run."
    )
    journal_path: Path = Field(
        Path(".cache/cases/journal.sqlite"),
        description="SQLite file of decisions answered but not yet confirmed by the database"
        " (kept across restarts: a volume in compose).",
    )
    confirm_wait_s: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="Seconds an API action waits for the database to confirm its decision"
        " (503 after; the page answers at once).",
    )
    page_wait_s: float = Field(
        1.0,
        ge=0,
        le=60,
        description="Seconds a page action waits for the database to confirm its decision before"
        " answering it pending (the page then reloads until it is confirmed).",
    )
    session_hours: float = Field(
        8.0, gt=0, le=168, description="Hours a page sign-in lasts; sign-out ends it at once."
    )

    @field_validator("tokens", mode="before")
    @classmethod
    def _parse_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_entries(value)
        return value

    @model_validator(mode="after")
    def _page_sizes(self) -> CaseServiceSettings:
        if self.page_size > self.max_page_size:
            raise ValueError("CASES_PAGE_SIZE: must be at most CASES_MAX_PAGE_SIZE")
        return self
