"""The HTTP API: limits before work, then auth, then input, then the decision.

Every refusal is a clear 4xx with `{"detail": ...}` and publishes nothing: 401 no or unknown key,
403 key without the scope, 408 body too slow, 413 body too large, 422 invalid transaction (naming
the field), 409 an event_id already decided for another transaction, 429 beyond the concurrency
bound (with Retry-After).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import ValidationError

from decisions import schemas
from decisions.ledger import IdempotencyConflict
from decisions.security import Client, KeyBook, Scope
from decisions.service import DecisionService
from producers.models import Transaction

log = logging.getLogger("decisions")
MAX_BODY_BYTES = 16_384
# Ground truth the producer's model reads but never publishes: a client may not set it.
_GROUND_TRUTH = frozenset(name for name, info in Transaction.model_fields.items() if info.exclude)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


class Refused(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.body = {"detail": detail, **extra}
        self.headers: dict[str, str] = {}


def parse_transaction(body: bytes) -> Transaction:
    """The request body as a Transaction, or a 422 naming the first bad field."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise Refused(422, f"body: not valid JSON ({error.msg})", field="body") from None
    if not isinstance(document, dict):
        raise Refused(422, "body: must be a JSON object (one transaction)", field="body")
    for name in document:
        if name in _GROUND_TRUTH:
            raise Refused(422, f"{name}: not accepted (ground truth)", field=name)
    try:
        return Transaction.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        message = first["msg"].removeprefix("Value error, ")
        raise Refused(422, f"{where}: {message}", field=where) from None


def create_app(service: DecisionService, keys: KeyBook) -> FastAPI:
    settings = service.settings

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.pool.warm()
        # Everything loaded so far (libraries, rule set, model) lives as long as the process: out
        # of the collector's reach, a full collection walks only young objects (~70 ms otherwise,
        # every request behind it waiting).
        gc.collect()
        gc.freeze()
        summary = asyncio.create_task(_summaries(service, settings.log_interval_s))
        try:
            yield
        finally:
            summary.cancel()
            service.pool.close()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        title="Fraud decision service",
        version="1.0.0",
        description=(
            "Approve, review or decline one transaction while it is authorised, from the live"
            " views, request checks and the champion model. Every route but /health needs an"
            " API key (Authorization: Bearer <key>)."
        ),
    )
    app.state.in_flight = 0

    def authorise(request: Request, scope: Scope) -> Client:
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            error = Refused(401, "missing API key (Authorization: Bearer <key>)")
        else:
            client = keys.client(key.strip())
            if client is not None and scope in client.scopes:
                return client
            error = (
                Refused(401, "unknown or revoked API key")
                if client is None
                else Refused(403, f"this key lacks the {scope!r} scope")
            )
        error.headers["WWW-Authenticate"] = "Bearer"
        raise error

    @app.exception_handler(Refused)
    def _refused(_: Request, error: Refused) -> Response:
        return _json(error.body, error.status, error.headers or None)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, Any]:
        """No key needed: the service answers (degraded without its database)."""
        return {
            "status": "ok",
            "rules_version": service.rule_set.version,
            "model_version": service.model.version,
            "database_connections": service.pool.open_connections,
            "last_database_error": service.pool.last_error or None,
        }

    body_schema, components = schemas.transaction_schema()

    @app.post(
        "/v1/decisions",
        tags=["decisions"],
        responses=schemas.DECIDE_RESPONSES,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Transaction"}}
                },
            },
            "security": [{"bearer": []}],
        },
    )
    async def decide(request: Request) -> Response:
        """Decide one transaction (the producer's schema, JSON). The event_id is the idempotency
        key: a retry gets the first decision (header Idempotent-Replayed: true)."""
        if app.state.in_flight >= settings.max_in_flight:
            service.stats.overloaded += 1
            error = Refused(429, "too many decisions in flight; retry shortly")
            error.headers["Retry-After"] = str(settings.retry_after_s)
            raise error
        app.state.in_flight += 1
        try:
            client = authorise(request, "decide")
            try:
                async with asyncio.timeout(settings.body_timeout_s):  # no task, unlike wait_for
                    body = await request.body()
            except TimeoutError:
                waited = settings.body_timeout_s
                raise Refused(408, f"body: not received within {waited} s") from None
            if len(body) > MAX_BODY_BYTES:
                raise Refused(413, f"body: larger than {MAX_BODY_BYTES} bytes")
            try:
                transaction = parse_transaction(body)
            except Refused:
                service.stats.rejected += 1
                raise
            try:
                body, replayed = await service.decide(transaction, client.name)
            except IdempotencyConflict as conflict:
                raise Refused(409, str(conflict), field="event_id") from None
            headers = {"Idempotent-Replayed": "true"} if replayed else None
            return Response(body, 200, headers, media_type="application/json")
        finally:
            app.state.in_flight -= 1

    @app.get(
        "/v1/decisions/{event_id}",
        tags=["decisions"],
        responses=schemas.READ_RESPONSES,
        openapi_extra={"security": [{"bearer": []}]},
    )
    def decision(event_id: str, request: Request) -> Response:
        """A decision this process made (the idempotency ledger), or 404."""
        authorise(request, "read")
        found = service.ledger.get(event_id)
        if found is None:
            raise Refused(404, f"no decision for event_id {event_id!r}")
        return Response(found, media_type="application/json")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            found = schema.setdefault("components", {})
            found.setdefault("schemas", {}).update({"Transaction": body_schema, **components})
            found["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def openapi_text() -> str:
    """The schema the app serves at /openapi.json, as docs/openapi-decisions.json holds it."""
    from decisions.settings import DecisionSettings

    app = create_app(_SchemaOnly(DecisionSettings(_env_file=None)), KeyBook(()))  # type: ignore[arg-type]
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


class _SchemaOnly:
    """Enough of a DecisionService to build the app's routes (no model, database or broker)."""

    def __init__(self, settings: object) -> None:
        self.settings = settings


async def _summaries(service: DecisionService, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        log.info(service.stats.summary())
