"""docs/openapi.json is the schema the service serves, and it covers every route."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from cases.app import create_app
from cases.cli import openapi_text
from cases.settings import CaseServiceSettings
from tests.cases.conftest import TOKEN_SETTING, auth

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_checked_in_schema_equals_the_served_one() -> None:
    settings = CaseServiceSettings(_env_file=None, tokens=TOKEN_SETTING)
    with TestClient(create_app(settings)) as client:
        assert client.get("/openapi.json").status_code == 401, "the schema needs a token too"
        served = client.get("/openapi.json", headers=auth("vic")).json()
    assert json.loads(DOC.read_text(encoding="utf-8")) == served, "run `make openapi`"
    assert DOC.read_text(encoding="utf-8") == openapi_text()


def test_every_api_route_needs_the_bearer_token_but_health() -> None:
    schema = json.loads(DOC.read_text(encoding="utf-8"))
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            secured = bool(operation.get("security"))
            assert secured == (path != "/health"), f"{method} {path}"
            if path != "/health":
                assert "401" in operation["responses"], f"{method} {path}"
