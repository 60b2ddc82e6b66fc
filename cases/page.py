"""The analyst page: server-rendered HTML over the same service functions and tokens as the API.

Plain forms, no JavaScript: each action posts, is recorded, and redirects back (post/redirect/
get), so a reload never repeats an action. The token lives in an HttpOnly, SameSite=Strict
cookie, which other sites cannot make the browser send with a form post.
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
from cases.api import case_filter
from cases.deps import TOKEN_COOKIE, ClockDep, SessionDep, SettingsDep, get_page_principal
from cases.errors import CaseError, InvalidInput
from cases.workflow import OUTCOMES, SIGNAL_TYPES, STATUSES, Action, ActionName, Principal

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)
PagePrincipal = Annotated[Principal, Depends(get_page_principal)]


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body (parsed here: no multipart dependency for a few text fields)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}


def _render(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _render(request, "login.html", who=None, error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    token = (await _form(request)).get("token", "").strip()
    if request.app.state.tokens.principal(token) is None:
        return _render(request, "login.html", 401, who=None, error="Unknown token.")
    response = RedirectResponse("/ui/cases", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


def _optional_time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
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


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str, request: Request, who: PagePrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    try:
        story = service.story(session, case_id, settings.story_rows)
    except CaseError as failure:
        return _render(request, "error.html", failure.status_code, who=who, error=str(failure))
    return _render(
        request,
        "case.html",
        who=who,
        story=story,
        outcomes=OUTCOMES,
        message=request.query_params.get("message"),
        error=request.query_params.get("error"),
    )


_ACTIONS: frozenset[str] = frozenset({"assign", "comment", "status", "close", "reopen"})


@router.post("/cases/{case_id}/{name}")
async def case_action(
    case_id: str,
    name: str,
    request: Request,
    who: PagePrincipal,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    form = await _form(request)
    back = f"/ui/cases/{quote(case_id)}"
    if name not in _ACTIONS:
        return RedirectResponse(f"{back}?{urlencode({'error': 'unknown action'})}", 303)
    action_name: ActionName = name  # type: ignore[assignment]
    action = Action(
        action_name,
        assignee=form.get("assignee") or None,
        status=form.get("status") or None,  # type: ignore[arg-type]
        outcome=form.get("outcome") or None,  # type: ignore[arg-type]
        note=form.get("note"),
    )
    try:
        decision, _ = service.act(session, who, case_id, action, clock)
    except CaseError as failure:
        return RedirectResponse(f"{back}?{urlencode({'error': str(failure)})}", 303)
    message = f"Recorded: {decision.action} ({decision.previous_status} -> {decision.status})"
    return RedirectResponse(f"{back}?{urlencode({'message': message})}", 303)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, who: PagePrincipal, session: SessionDep) -> Response:
    return _render(
        request,
        "rules.html",
        who=who,
        rows=session.rule_performance(),
        history=session.rule_history(),
    )
