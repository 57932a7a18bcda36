"""The residents' dot-voting page of a workshop session: vote, then see the results chart.

``GET /priorites/{session_id}`` shows the options with a number field each (the participant's
points, at most the session's) and the results so far as a bar chart rendered by the server
(SVG, with the same figures in a table); ``POST`` records the ballot. No script: the page
works on any phone. A participant is the random token of the signed cookie ``qt_votant``
(only its SHA-256 is stored); voting again replaces the ballot. Each form carries a CSRF token
bound to that cookie, a cross-site ``Origin`` is refused, and ballots are rate-limited per
client address like contributions.
"""

from __future__ import annotations

import textwrap
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from quartiers.errors import FieldError
from quartiers.participation import priorities as p
from quartiers.participation.deps import Auth, Store, Submissions
from quartiers.participation.pages.render import redirect, render, route_path
from quartiers.participation.params import too_many
from quartiers.participation.routing import same_origin
from quartiers.participation.security import new_token
from quartiers.participation.webauth import WebAuth

__all__ = ["VOTER_COOKIE", "chart_bars", "router"]

router = APIRouter(include_in_schema=False)
"""``/priorites/{session_id}`` (GET: vote and results, POST: a ballot)."""

#: Cookie holding the participant's signed random token.
VOTER_COOKIE = "qt_votant"
_VOTER_MAX_AGE_S = 30 * 24 * 3600
# Chart geometry in SVG units: 360 wide, so that the text keeps its size on a phone.
_BAR_MAX = 270.0
_ROW = 64
_LABEL_CHARS = 42
_EXPIRED = (
    "Formulaire expiré ou envoyé depuis un autre site : rechargez la page et votez à nouveau."
)


def chart_bars(results: p.SessionResults) -> list[dict[str, Any]]:
    """Return the bars of the results chart: label, points, participants, width, y (px)."""
    top = max((r.points for r in results.options), default=0) or 1
    return [
        {
            "label": r.label,
            "lines": textwrap.wrap(r.label, _LABEL_CHARS, max_lines=2, placeholder=" …"),
            "points": r.points,
            "voters": r.voters,
            "width": round(_BAR_MAX * r.points / top, 1),
            "y": _ROW * k,
        }
        for k, r in enumerate(results.options)
    ]


def _voter(request: Request, auth: WebAuth) -> tuple[str, bool]:
    token = auth.signer.unsign(
        request.cookies.get(VOTER_COOKIE), purpose=VOTER_COOKIE, max_age_s=_VOTER_MAX_AGE_S
    )
    return (token, False) if token else (new_token(), True)


def _page(
    request: Request,
    store: Any,
    auth: WebAuth,
    session_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    done: bool = False,
    given: dict[str, int] | None = None,
) -> HTMLResponse:
    info = p.get_session(store.db, session_id)
    results = p.session_results(store.db, session_id)
    token, fresh = _voter(request, auth)
    response = render(
        request,
        "priorites.html",
        status_code=status_code,
        title=f"Priorités : {info.title}",
        session=info,
        results=results,
        bars=chart_bars(results),
        chart_height=_ROW * len(results.options) + 4,
        csrf_token=auth.signer.csrf_token(token),
        action_url=route_path(request, "priorities_vote", session_id=session_id),
        error=error,
        done=done,
        given=given or {},
    )
    if fresh:
        signed = auth.signer.sign(token, purpose=VOTER_COOKIE)
        response.set_cookie(
            VOTER_COOKIE,
            signed,
            max_age=_VOTER_MAX_AGE_S,
            path="/priorites",
            httponly=True,
            secure=auth.config.secure_cookies,
            samesite="strict",
        )
    return response


@router.get("/priorites/{session_id}", name="priorities_vote", include_in_schema=False)
def vote_page(
    session_id: int, request: Request, store: Store, auth: Auth, fait: str = ""
) -> Response:
    """Show the vote form and the results so far."""
    return _page(request, store, auth, session_id, done=fait == "1")


def _allocation(form: Any, info: p.SessionInfo) -> dict[str, int]:
    out: dict[str, int] = {}
    for option in info.options:
        raw = str(form.get(f"points_{option.id}", "") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or len(raw) > 3:
            raise FieldError("points", f"« {option.label} » : nombre entier de points attendu")
        out[option.id] = int(raw)
    return out


@router.post("/priorites/{session_id}", name="priorities_cast", include_in_schema=False)
async def cast(
    session_id: int, request: Request, store: Store, auth: Auth, submissions: Submissions
) -> Response:
    """Record the participant's ballot (replacing theirs), then show the results."""
    form = dict((await request.form()).items())
    # the database work runs in a worker thread, never on the event loop
    return await run_in_threadpool(_cast, session_id, request, form, store, auth, submissions)


def _cast(
    session_id: int,
    request: Request,
    form: dict[str, Any],
    store: Any,
    auth: WebAuth,
    submissions: Any,
) -> Response:
    token = auth.signer.unsign(
        request.cookies.get(VOTER_COOKIE), purpose=VOTER_COOKIE, max_age_s=_VOTER_MAX_AGE_S
    )
    supplied = str(form.get("csrf_token", "") or "")
    if token is None or not same_origin(request) or not auth.signer.check_csrf(token, supplied):
        return _page(request, store, auth, session_id, status_code=403, error=_EXPIRED)
    wait = submissions.acquire(auth.client(request))
    if wait > 0:
        raise too_many(wait, "trop de votes envoyés depuis cette adresse")
    info = p.get_session(store.db, session_id)
    try:
        p.cast_ballot(store.db, session_id, token, _allocation(form, info))
    except FieldError as exc:
        given = _safe_ints(form, info)
        return _page(request, store, auth, session_id, status_code=422, error=str(exc), given=given)
    url = route_path(request, "priorities_vote", session_id=session_id)
    return redirect(f"{url}?fait=1#resultats")


def _safe_ints(form: Any, info: p.SessionInfo) -> dict[str, int]:
    out = {}
    for option in info.options:
        raw = str(form.get(f"points_{option.id}", "") or "").strip()
        if raw.isdigit() and len(raw) <= 3:
            out[option.id] = int(raw)
    return out
