"""The analyst page: server-rendered HTML over the same service functions and tokens as the API.

Plain forms, no JavaScript: each action posts, is recorded, and redirects back (post/redirect/
get), so a reload never repeats an action; a refused action renders the case with the reason.
Signing in trades the token for a page session (cases/sessions.py) in an HttpOnly, SameSite=Strict
cookie. Every form carries a CSRF token (macro `csrf_field` in base.html) and every action the
step of the case the analyst saw, so a close made from a stale page is refused (409).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cases import service
from cases.api import case_filter, check_time
from cases.deps import ClockDep, SessionDep, SettingsDep, get_page_principal
from cases.errors import CaseError, Forbidden, InvalidInput
from cases.sessions import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    new_login_csrf,
    same_secret,
)
from cases.settings import CaseServiceSettings
from cases.store import Session
from cases.workflow import OUTCOMES, SIGNAL_TYPES, STATUSES, Action, ActionName, Principal

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)
PagePrincipal = Annotated[Principal, Depends(get_page_principal)]
_FORM_EXPIRED = "the form expired or came from another page: reload the page and try again"


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body (parsed here: no multipart dependency for a few text fields)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}


async def _checked_form(request: Request) -> dict[str, str]:
    """The form, once its CSRF token matches the page session's; Forbidden otherwise."""
    form = await _form(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id or not same_secret(form.get(CSRF_FIELD), csrf_token(session_id)):
        raise Forbidden(_FORM_EXPIRED)
    return form


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    context.setdefault("csrf_token", csrf_token(session_id) if session_id else "")
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _login_page(request: Request, status_code: int = 200, error: str | None = None) -> Response:
    value = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    response = _render(request, "login.html", status_code, who=None, error=error, csrf_token=value)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, value, httponly=True, samesite="strict", path="/ui/login"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    if not same_secret(form.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE)):
        # Login CSRF: another site cannot sign this browser in as the attacker.
        return _login_page(request, 403, error="The sign-in form expired; try again.")
    who = request.app.state.tokens.principal(form.get("token", "").strip())
    if who is None:
        return _login_page(request, 401, error="Unknown token.")
    session_id = request.app.state.sessions.start(who, request.app.state.clock())
    response = RedirectResponse("/ui/cases", status_code=303)
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui/login")
    return response


@router.post("/logout")
async def logout(request: Request, who: PagePrincipal) -> Response:
    try:
        await _checked_form(request)
    except Forbidden as refused:
        return _render(request, "error.html", 403, who=who, error=str(refused))
    request.app.state.sessions.end(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _optional_time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return check_time(datetime.fromisoformat(value), name)
    except ValueError as error:
        raise InvalidInput(f"{name}: not a date and time") from error


@router.get("/cases", response_class=HTMLResponse)
def queue(
    request: Request, who: PagePrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    query = request.query_params
    filters = {
        key: query.get(key, "")
        for key in ("severity", "assignee", "signal_type", "opened_after", "opened_before")
    }
    statuses = query.getlist("status")
    error = None
    items: list[dict[str, object]] = []
    next_cursor = None
    try:
        flt = case_filter(
            who,
            statuses or None,
            filters["severity"] or None,
            filters["assignee"] or None,
            filters["signal_type"] or None,
            _optional_time(filters["opened_after"], "opened_after"),
            _optional_time(filters["opened_before"], "opened_before"),
        )
        items, next_cursor = service.list_cases(
            session, flt, query.get("cursor") or None, settings.page_size
        )
    except CaseError as failure:
        error = str(failure)
    kept = [(key, value) for key, value in filters.items() if value]
    kept += [("status", status) for status in statuses]
    next_url = f"/ui/cases?{urlencode([*kept, ('cursor', next_cursor)])}" if next_cursor else None
    return _render(
        request,
        "queue.html",
        400 if error else 200,
        who=who,
        items=items,
        next_url=next_url,
        filters=filters,
        statuses=statuses,
        all_statuses=STATUSES,
        signal_types=sorted(SIGNAL_TYPES),
        error=error,
    )


def _case_view(
    request: Request,
    who: Principal,
    session: Session,
    settings: CaseServiceSettings,
    case_id: str,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    try:
        story = service.story(session, case_id, settings.story_rows)
    except CaseError as failure:
        return _render(request, "error.html", failure.status_code, who=who, error=str(failure))
    # The banner names a recorded step of this case, read back: a link cannot make it say more.
    recorded = request.query_params.get("recorded", "")
    done = next((row for row in story["timeline"] if str(row["seq"]) == recorded), None)
    message = (
        f"Recorded: {done['action']} ({done['previous_status']} -> {done['status']})"
        if done and error is None
        else None
    )
    return _render(
        request,
        "case.html",
        status_code,
        who=who,
        story=story,
        seen_seq=story["timeline"][-1]["seq"] if story["timeline"] else 0,
        outcomes=OUTCOMES,
        message=message,
        error=error,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str, request: Request, who: PagePrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    return _case_view(request, who, session, settings, case_id)


_ACTIONS: frozenset[str] = frozenset({"assign", "comment", "status", "close", "reopen"})


def _seen_seq(form: dict[str, str]) -> int:
    value = form.get("seen_seq", "")
    if not value.isdigit():
        raise InvalidInput("the form lacks the case step it was loaded at: reload the page")
    return int(value)


@router.post("/cases/{case_id}/{name}")
async def case_action(
    case_id: str,
    name: str,
    request: Request,
    who: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    try:
        form = await _checked_form(request)
        if name not in _ACTIONS:
            raise InvalidInput(f"unknown action {name[:20]!r}")
        if name == "close" and form.get("confirm") != "yes":
            raise InvalidInput("close: tick the confirmation to close the case")
        action_name: ActionName = name  # type: ignore[assignment]
        action = Action(
            action_name,
            assignee=form.get("assignee") or None,
            status=form.get("status") or None,  # type: ignore[arg-type]
            outcome=form.get("outcome") or None,  # type: ignore[arg-type]
            note=form.get("note"),
        )
        decision, _ = service.act(
            session,
            who,
            case_id,
            action,
            clock,
            users=request.app.state.tokens.users(),
            seen_seq=_seen_seq(form),
        )
    except CaseError as failure:
        return _case_view(
            request,
            who,
            session,
            settings,
            case_id,
            status_code=failure.status_code,
            error=str(failure),
        )
    back = f"/ui/cases/{quote(case_id, safe='')}"
    return RedirectResponse(f"{back}?{urlencode({'recorded': decision.seq})}", 303)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, who: PagePrincipal, session: SessionDep) -> Response:
    return _render(
        request,
        "rules.html",
        who=who,
        rows=session.rule_performance(),
        history=session.rule_history(),
    )
