"""The analyst page: server-rendered HTML over the same service functions and tokens as the API.

Plain forms, no JavaScript: each action posts, is journaled, and redirects back (post/redirect/
get), so a reload never repeats an action; a refused action renders the case with the reason.
The case page then shows the decision pending (reloading itself) until the database confirms it,
then recorded, or not recorded with who acted first (cases/confirmer.py).
Signing in trades the token for a page session (cases/sessions.py) in an HttpOnly, SameSite=Strict
cookie. Every form carries a CSRF token (macro `csrf_field` in base.html) and every action the
step of the case the analyst saw, so a close made from a stale page is refused (409).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cases import labels, narrative, service, store
from cases.api import case_filter, check_time
from cases.chart import timeline_svg
from cases.confirmer import Confirmer
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
from cases.workflow import OUTCOMES, SIGNAL_TYPES, STATUSES, Action, ActionName, Principal

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
templates.env.filters.update(labels.FILTERS)
templates.env.globals["labels"] = labels
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
    who = request.app.state.tokens.principal(form.get("token", "").strip(), request.app.state.clock)
    if who is None:
        return _login_page(request, 401, error="Unknown or expired token.")
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


# The queue page reads every case matching the filters (at most this many) and sorts them here:
# any column can order it, which a keyset cursor on an immutable key cannot.
QUEUE_CAP = 5000
_SEVERITY_RANK = {"critical": 0, "high": 1}
Row = dict[str, Any]


def _triage_key(case: Row) -> tuple:
    """Severity, then risk (highest first), then age (oldest first)."""
    risk = case["risk_score"]
    return (
        _SEVERITY_RANK.get(case["severity"], 2),
        -(float(risk) if risk is not None else -1.0),
        case["opened_at"],
        case["case_id"],
    )


# Sortable columns: (header, key, whether the first click sorts descending).
SORTS: dict[str, tuple[str, Callable[[Row], Any], bool]] = {
    "triage": ("Triage", _triage_key, False),
    "case": ("Case", lambda case: case["case_id"], False),
    "severity": ("Severity", lambda case: _SEVERITY_RANK.get(case["severity"], 2), False),
    "risk": ("Risk", lambda case: float(case["risk_score"] or -1), True),
    "status": ("Status", lambda case: case["status"], False),
    "assignee": ("Assignee", lambda case: case["assignee"] or "", False),
    "signals": ("Signals", lambda case: len(labels.signal_codes(case["reason_codes"])), True),
    "age": ("Age", lambda case: -case["opened_at"].timestamp(), True),
    "action": ("Recommended", lambda case: labels.recommended(case["recommended_action"]), False),
}


@router.get("/cases", response_class=HTMLResponse)
def queue(
    request: Request,
    who: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    query = request.query_params
    filters = {
        key: query.get(key, "")
        for key in ("severity", "assignee", "signal_type", "opened_after", "opened_before")
    }
    statuses = query.getlist("status")
    sort = query.get("sort") or "triage"
    descending = query.get("dir") == "desc"
    error = None
    items: list[Row] = []
    total = 0
    page_number = 1
    try:
        if sort not in SORTS:
            raise InvalidInput(f"sort: must be one of {', '.join(SORTS)}")
        try:
            page_number = max(1, int(query.get("page") or 1))
        except ValueError as failure:
            raise InvalidInput("page: must be a whole number") from failure
        flt = case_filter(
            who,
            statuses or None,
            filters["severity"] or None,
            filters["assignee"] or None,
            filters["signal_type"] or None,
            _optional_time(filters["opened_after"], "opened_after"),
            _optional_time(filters["opened_before"], "opened_before"),
        )
        matching = session.list_cases(flt, None, QUEUE_CAP)
        matching.sort(key=_triage_key)  # ties of any other column stay in triage order
        if sort != "triage":
            matching.sort(key=SORTS[sort][1], reverse=descending)
        elif descending:
            matching.reverse()
        total = len(matching)
        first = (page_number - 1) * settings.page_size
        items = matching[first : first + settings.page_size]
    except CaseError as failure:
        error = str(failure)
    kept = [(key, value) for key, value in filters.items() if value]
    kept += [("status", status) for status in statuses]

    def url(**changes: object) -> str:
        params: dict[str, object] = {
            "sort": sort,
            "dir": "desc" if descending else "asc",
            "page": page_number,
        }
        params.update(changes)
        return f"/ui/cases?{urlencode([*kept, *params.items()])}"

    has_next = page_number * settings.page_size < total
    headers = [
        {
            "key": key,
            "title": title,
            "active": key == sort,
            "descending": descending,
            "url": url(
                sort=key,
                dir=("asc" if descending else "desc")
                if key == sort
                else ("desc" if first_desc else "asc"),
                page=1,
            ),
        }
        for key, (title, _, first_desc) in SORTS.items()
    ]
    return _render(
        request,
        "queue.html",
        400 if error else 200,
        who=who,
        items=items,
        total=total,
        now=clock(),
        headers={header["key"]: header for header in headers},
        sort=sort,
        next_url=url(page=page_number + 1) if has_next else None,
        previous_url=url(page=page_number - 1) if page_number > 1 else None,
        filters=filters,
        statuses=statuses,
        all_statuses=STATUSES,
        signal_types=sorted(SIGNAL_TYPES, key=labels.signal),
        error=error,
    )


# The normal activity shown around the flagged transactions, before the first and after the last.
AROUND = timedelta(minutes=30)


def _evidence(session: store.Session, story: dict[str, Any], limit: int) -> dict[str, Any]:
    """What the case page adds to the story: summary, customer, activity around, chart."""
    case, signals = story["case"], story["signals"]
    flagged: dict[str, list[str]] = {}
    for row in story["transactions"]:
        flagged.setdefault(row["event_id"], [])
        if row["signal_type"] not in flagged[row["event_id"]]:
            flagged[row["event_id"]].append(row["signal_type"])
    moments = [row["event_time"] for row in story["transactions"]]
    moments += [row["first_event_at"] for row in signals] + [row["detected_at"] for row in signals]
    around: list[Row] = []
    scores: list[Row] = []
    if moments:
        since, until = min(moments) - AROUND, max(moments) + AROUND
        around = store.transactions_between(session, case["account_id"], since, until, limit)
        scores = store.model_scores(session, case["account_id"], since, until, 5)
    groups = narrative.signal_groups(signals, story["risk"])
    profile = store.customer_profile(session, case["customer_id"] or _customer_of(signals))
    logins = story["logins"]
    return {
        "groups": groups,
        "summary": narrative.why_flagged(case, groups, scores),
        "model_reason": narrative.model_reason(scores),
        "scores": scores,
        "customer": profile,
        "activity": store.account_activity(session, case["account_id"]),
        "prior": store.prior_cases(session, case),
        "around": around,
        "flagged": flagged,
        "chart": timeline_svg(
            around or story["transactions"], flagged, logins, story["alerts"], signals
        ),
        "login_counts": {
            "failed": sum(1 for row in logins if not row["success"]),
            "new_device": sum(1 for row in logins if row["is_new_device"]),
        },
        "alert_counts": Counter(row["alert_type"] for row in story["alerts"]).most_common(),
    }


def _customer_of(signals: list[Row]) -> str | None:
    return signals[0]["customer_id"] if signals else None


def _case_view(
    request: Request,
    who: Principal,
    session: store.Session,
    settings: CaseServiceSettings,
    now: datetime,
    case_id: str,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    try:
        story = service.story(session, case_id, settings.story_rows)
    except CaseError as failure:
        return _render(request, "error.html", failure.status_code, who=who, error=str(failure))
    # The banner tells this user's own journaled decision on this case, read back from the
    # journal: a link cannot make it say more, nor show another user's.
    confirmer: Confirmer = request.app.state.confirmer
    entry = confirmer.journal.get(case_id, request.query_params.get("decision", ""))
    if entry is not None and entry.decision.actor != who.user:
        entry = None
    message = pending = None
    if entry is not None and error is None:
        done = entry.decision
        change = (
            f"{labels.action(done.action)}"
            f" ({labels.status(done.previous_status)} → {labels.status(done.status)})"
        )
        if entry.state == "confirmed":
            message = f"Recorded: {change}"
        elif entry.state == "pending":
            pending = (
                f"Pending: {change}. Saved; the database is confirming it"
                " (this page reloads until it has)."
            )
        else:
            status_code = 409
            error = (
                f"Not recorded: your decision ({change}) was not recorded, because"
                f" {entry.winner_actor} acted first on this step (step {done.seq}:"
                f" {labels.action(entry.winner_action or '')}). Read what changed below and"
                " decide again."
            )
    return _render(
        request,
        "case.html",
        status_code,
        who=who,
        story=story,
        evidence=_evidence(session, story, settings.story_rows),
        now=now,
        seen_seq=story["timeline"][-1]["seq"] if story["timeline"] else 0,
        outcomes=OUTCOMES,
        message=message,
        pending=pending,
        error=error,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str,
    request: Request,
    who: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    return _case_view(request, who, session, settings, clock(), case_id)


@router.get("/entities/{kind}/{value}", response_class=HTMLResponse)
def entity_page(
    kind: str,
    value: str,
    request: Request,
    who: PagePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    if kind not in store.ENTITY_SOURCES:
        error = f"unknown kind {kind!r}: one of {', '.join(store.ENTITY_SOURCES)}"
        return _render(request, "error.html", 404, who=who, error=error)
    found = store.entity(session, kind, value, settings.story_rows)
    context = {"who": who, "kind": kind, "value": value, "now": clock(), **found}
    return _render(request, "entity.html", 200, **context)


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
            outcome=form.get("outcome") or None,
            note=form.get("note"),
        )
        confirmer: Confirmer = request.app.state.confirmer
        entry = service.act(
            session,
            confirmer,
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
            clock(),
            case_id,
            status_code=failure.status_code,
            error=str(failure),
        )
    # A moment for the confirmation (PostgreSQL gives it at once), then the answer: confirmed,
    # lost, or pending (RisingWave's FLUSH takes seconds to a minute: the page reloads).
    confirmer.wait(entry, settings.page_wait_s)
    back = f"/ui/cases/{quote(case_id, safe='')}"
    return RedirectResponse(f"{back}?{urlencode({'decision': entry.request_id})}", 303)


@router.get("/rules", response_class=HTMLResponse)
def rules(request: Request, who: PagePrincipal, session: SessionDep) -> Response:
    return _render(
        request,
        "rules.html",
        who=who,
        rows=session.rule_performance(),
        history=session.rule_history(),
    )
