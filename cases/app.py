"""The FastAPI application: routers, and the one place domain errors become HTTP answers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import psycopg2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from cases import api, page
from cases.errors import CaseError, NotAuthenticated
from cases.security import TokenBook
from cases.service import Clock
from cases.settings import CaseServiceSettings
from cases.store import Store

log = logging.getLogger("cases")


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def create_app(settings: CaseServiceSettings, clock: Clock = _wall_clock) -> FastAPI:
    # No Swagger/ReDoc pages: they load third-party JavaScript; /openapi.json stays.
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="Fraud case service",
        version="1.0.0",
        description=(
            "Work the fraud cases of the pipeline: the queue, a case's story, and decisions"
            " (assign, comment, status, close with an outcome, reopen), each an immutable"
            " record. Every route but /health needs a bearer token."
        ),
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.store = Store(settings.database_url.get_secret_value())
    app.state.tokens = TokenBook(settings.tokens)

    @app.exception_handler(CaseError)
    def _case_error(request: Request, error: CaseError) -> Response:
        if isinstance(error, NotAuthenticated) and request.url.path.startswith("/ui/"):
            return RedirectResponse("/ui/login", status_code=303)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, NotAuthenticated) else None
        return JSONResponse({"detail": str(error)}, error.status_code, headers=headers)

    @app.exception_handler(psycopg2.OperationalError)
    def _database_down(request: Request, error: psycopg2.OperationalError) -> Response:
        log.warning("database unavailable: %s", str(error).strip().splitlines()[0])
        return JSONResponse({"detail": "the case database is unavailable; retry shortly"}, 503)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """No token needed: answers once the database does."""
        with app.state.store.session() as session:
            session.ping()
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/ui/cases", status_code=303)

    app.include_router(api.router)
    app.include_router(page.router)
    return app
