"""FastAPI dependencies: settings, the database session, the clock and the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cases.errors import NotAuthenticated
from cases.security import TokenBook
from cases.service import Clock
from cases.sessions import SESSION_COOKIE, SessionBook
from cases.settings import CaseServiceSettings
from cases.store import Session, Store
from cases.workflow import Principal

_bearer = HTTPBearer(auto_error=False, description="A token from `make case-service-token`.")


def get_settings(request: Request) -> CaseServiceSettings:
    return request.app.state.settings


def get_clock(request: Request) -> Clock:
    return request.app.state.clock


def get_session(request: Request) -> Iterator[Session]:
    store: Store = request.app.state.store
    with store.session() as session:
        yield session


def principal_for(request: Request, token: str | None) -> Principal:
    book: TokenBook = request.app.state.tokens
    if not token:
        raise NotAuthenticated("missing bearer token (Authorization: Bearer <token>)")
    who = book.principal(token, request.app.state.clock)
    if who is None:
        raise NotAuthenticated("unknown, revoked or expired token")
    return who


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return principal_for(request, credentials.credentials if credentials else None)


def get_page_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The page's user: a page session, or a bearer token (tools reading pages: the demo's
    check, the bench). A form post still needs the session's CSRF token."""
    if credentials:
        return principal_for(request, credentials.credentials)
    sessions: SessionBook = request.app.state.sessions
    who = sessions.principal(request.cookies.get(SESSION_COOKIE), request.app.state.clock())
    if who is None:
        raise NotAuthenticated("not signed in, or the sign-in expired")
    return who


SettingsDep = Annotated[CaseServiceSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
