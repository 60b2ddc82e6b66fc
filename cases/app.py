"""The FastAPI application: routers, and the one place domain errors become HTTP answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import psycopg2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from cases import api, page
from cases.confirmer import Confirmer
from cases.errors import CaseError, InvalidInput, NotAuthenticated
from cases.guard import Guard
from cases.journal import Journal
from cases.security import TokenBook
from cases.service import Clock
from cases.sessions import SessionBook
from cases.settings import CaseServiceSettings
from cases.store import Store

log = logging.getLogger("cases")


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Decisions answered before a crash or a stop and not yet confirmed: confirm them now.
    if app.state.settings.journal_path.exists():
        app.state.confirmer.wake()
    yield


def create_app(settings: CaseServiceSettings, clock: Clock = _wall_clock) -> FastAPI:
    # No Swagger/ReDoc pages: they load third-party JavaScript; /openapi.json stays.
    app = FastAPI(
        lifespan=_lifespan,
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
    app.state.store = Store(
        settings.database_url.get_secret_value(), statement_timeout_s=settings.statement_timeout_s
    )
    # The journal's bookkeeping (when an entry settled, what to prune) runs on the machine's
    # clock: the decisions' own times come from `clock`.
    app.state.confirmer = Confirmer(Journal(settings.journal_path), app.state.store, _wall_clock)
    app.state.tokens = TokenBook(settings.tokens)
    app.state.sessions = SessionBook(timedelta(hours=settings.session_hours))
    app.add_middleware(
        Guard,
        tokens=app.state.tokens,
        sessions=app.state.sessions,
        clock=clock,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
    )

    @app.exception_handler(CaseError)
    def _case_error(request: Request, error: CaseError) -> Response:
        if isinstance(error, NotAuthenticated) and request.url.path.startswith("/ui/"):
            return RedirectResponse("/ui/login", status_code=303)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, NotAuthenticated) else None
        return JSONResponse({"detail": str(error)}, error.status_code, headers=headers)

    @app.exception_handler(psycopg2.DataError)
    def _bad_value(request: Request, error: psycopg2.DataError) -> Response:
        # A value the database cannot hold (an offset past 15:59, a date out of range): the
        # input's fault, and nothing was written.
        first = str(error).strip().splitlines()[0]
        return _case_error(request, InvalidInput(f"invalid value: {first}"))

    @app.exception_handler(psycopg2.OperationalError)
    def _database_down(request: Request, error: psycopg2.OperationalError) -> Response:
        log.warning("database unavailable: %s", str(error).strip().splitlines()[0])
        return JSONResponse({"detail": "the case database is unavailable; retry shortly"}, 503)

    @app.get("/health", tags=["health"])
    def health() -> Response:
        """No token needed: 200 once the database answers and holds every relation the service
        reads and writes; 503 naming the first one missing."""
        with app.state.store.session() as session:
            missing = session.missing_relations()
        if missing:
            detail = f"the database lacks {missing[0]} (run dbt first)"
            return JSONResponse({"detail": detail}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse("/ui/cases", status_code=303)

    app.include_router(api.router)
    app.include_router(page.router)
    return app
