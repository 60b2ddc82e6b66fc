"""docs/openapi-decisions.json is the schema the decision service serves, and it describes the
decisions the service really answers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from decisions.app import openapi_text
from tests.decisions.conftest import auth, transaction
from tests.support.replay import replay_end

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi-decisions.json"


def test_checked_in_schema_equals_the_served_one_and_the_answers(serve, customers) -> None:
    with serve() as served, httpx.Client(base_url=served.url) as client:
        schema = client.get("/openapi.json").json()
        made = client.post(
            "/v1/decisions", json=transaction(customers[4], replay_end()), headers=auth("switch")
        )
    assert json.loads(DOC.read_text(encoding="utf-8")) == schema, "run `make openapi`"
    assert DOC.read_text(encoding="utf-8") == openapi_text()
    answer = schema["components"]["schemas"]["DecisionAnswer"]
    assert made.status_code == 200, made.text
    assert set(made.json()) == set(answer["properties"]) == set(answer["required"])
    reason = schema["components"]["schemas"]["Reason"]["properties"]
    assert all(set(row) == set(reason) for row in made.json()["reasons"])


def test_every_route_but_health_is_documented_with_its_key_and_refusals() -> None:
    schema = json.loads(DOC.read_text(encoding="utf-8"))
    body = schema["paths"]["/v1/decisions"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Transaction"}
    assert "event_id" in schema["components"]["schemas"]["Transaction"]["properties"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert bool(operation.get("security")) == (path != "/health"), f"{method} {path}"
            if path != "/health":
                assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
    assert {"408", "409", "413", "422", "429"} <= set(
        schema["paths"]["/v1/decisions"]["post"]["responses"]
    )
