"""The facilitators' page of dot-voting: open a vote for a QPV, close it (issue 18, point 5).

``GET /moderation/priorites`` lists the votes of the moderator's territories (open or closed,
with their participants and a link to the residents' page) and a form to open one: the
territory, the QPV, a title, the points per participant and the catalogue's actions to offer
(check boxes). ``POST /moderation/priorites/ouvrir`` opens it, ``POST
/moderation/priorites/{id}/clore`` closes it. Facilitators are moderators: the pages need a
moderator session (as the moderation queue), each form carries the session's CSRF token, a
cross-site ``Origin`` is refused, a moderator only reaches the territories of their roles, and
every opening and closing is written to the audit log. No script: plain HTML forms.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from quartiers.actions.catalogue import default_catalogue
from quartiers.errors import FieldError, NotFoundError
from quartiers.participation import priorities as p
from quartiers.participation.accounts import Identity
from quartiers.participation.deps import Context, Participation
from quartiers.participation.pages.render import FormText, error_page, redirect, render, route_path
from quartiers.participation.routing import same_origin

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
"""``/moderation/priorites`` (GET), ``…/ouvrir`` and ``…/{id}/clore`` (POST)."""

_EXPIRED = "Jeton de formulaire invalide : rechargez la page et recommencez."


def _options() -> list[p.Option]:
    """Return the actions a vote may offer: the packaged catalogue, in its order."""
    return [p.Option(a.id, a.title) for a in default_catalogue().actions]


def _page(
    request: Request,
    context: Participation,
    current: tuple[Identity, str],
    *,
    status_code: int = 200,
    notice: str = "",
    error: str = "",
    given: dict[str, Any] | None = None,
) -> Response:
    identity = current[0]
    sessions = p.scoped_sessions(context.store.db, identity.scope())
    participants = {s.id: p.session_results(context.store.db, s.id).participants for s in sessions}
    scope = identity.scope()
    return render(
        request,
        "animation.html",
        status_code=status_code,
        current=current,
        auth=context.auth,
        title="Votes de priorités",
        notice=notice,
        error=error,
        sessions=sessions,
        participants=participants,
        territories=sorted(scope) if scope is not None else None,
        options=_options(),
        max_points=p.MAX_POINTS,
        max_options=p.MAX_OPTIONS,
        given=given or {"points": 5, "actions": []},
        open_url=route_path(request, "moderation_priorities_open"),
        close_urls={
            s.id: route_path(request, "moderation_priorities_close", session_id=s.id)
            for s in sessions
        },
    )


@router.get("/moderation/priorites", name="moderation_priorities", include_in_schema=False)
def facilitation(request: Request, context: Context, ouvert: str = "", clos: str = "") -> Response:
    """Show the votes of the moderator's territories and the form to open one."""
    current = context.auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    notice = ""
    if ouvert.isdigit():
        notice = f"Le vote de priorités n° {int(ouvert)} est ouvert."
    elif clos.isdigit():
        notice = f"Le vote de priorités n° {int(clos)} est clos : ses résultats restent visibles."
    return _page(request, context, current, notice=notice)


def _checked(
    request: Request, context: Participation, csrf_token: str
) -> tuple[Identity, str] | Response:
    """Return the moderator's session, or the page to send (login, or 403 on a bad token)."""
    auth = context.auth
    current = auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    if not same_origin(request) or not auth.check_session_csrf(current[1], csrf_token):
        return error_page(request, 403, "Action refusée", _EXPIRED, current=current, auth=auth)
    return current


def _open(
    context: Participation,
    identity: Identity,
    client: str,
    form: dict[str, Any],
) -> int:
    """Check the form and open the vote (French :class:`FieldError` on a bad field)."""
    territory, code_qp = form["territoire"].strip(), form["qpv"].strip().upper()
    scope = identity.scope()
    if scope is not None and territory not in scope:
        raise FieldError("territoire", f"territoire : « {territory} » hors de vos territoires")
    known = context.store.territory(territory)
    if not code_qp:
        raise FieldError("qpv", "QPV : code attendu (par exemple QN08503I)")
    if known.qpv and code_qp not in known.qpv:
        raise FieldError("qpv", f"QPV : « {code_qp} » n'est pas un QPV du territoire {territory}")
    points = form["points"].strip()
    if not points.isdigit() or len(points) > 3:
        raise FieldError("points", f"points : un nombre entier de 1 à {p.MAX_POINTS} attendu")
    offered = {o.id: o for o in _options()}
    chosen = [offered[i] for i in form["actions"] if i in offered]
    return p.open_session(
        context.store.db,
        territory=territory,
        code_qp=code_qp,
        title=form["titre"],
        points=int(points),
        options=chosen,
        actor=identity.login,
        client=client,
    )


@router.post(
    "/moderation/priorites/ouvrir", name="moderation_priorities_open", include_in_schema=False
)
def open_vote(
    request: Request,
    context: Context,
    csrf_token: FormText = "",
    territoire: FormText = "",
    qpv: FormText = "",
    titre: FormText = "",
    points: FormText = "",
    actions: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Open a dot-voting session from the facilitators' form."""
    current = _checked(request, context, csrf_token)
    if isinstance(current, Response):
        return current
    form = {
        "territoire": territoire,
        "qpv": qpv,
        "titre": titre,
        "points": points,
        "actions": list(actions or []),
    }
    try:
        number = _open(context, current[0], context.auth.client(request), form)
    except FieldError as exc:
        return _page(request, context, current, status_code=422, error=str(exc), given=form)
    return redirect(route_path(request, "moderation_priorities") + f"?ouvert={number}")


@router.post(
    "/moderation/priorites/{session_id}/clore",
    name="moderation_priorities_close",
    include_in_schema=False,
)
def close_vote(
    request: Request, context: Context, session_id: int, csrf_token: FormText = ""
) -> Response:
    """Close a vote of one of the moderator's territories; its results stay visible."""
    current = _checked(request, context, csrf_token)
    if isinstance(current, Response):
        return current
    identity, auth = current[0], context.auth
    try:
        info = p.get_session(context.store.db, session_id)
    except NotFoundError as exc:
        return error_page(request, 404, "Introuvable", str(exc), current=current, auth=auth)
    scope = identity.scope()
    if scope is not None and info.territory not in scope:
        message = f"le vote n° {session_id} concerne un territoire hors de vos territoires"
        return error_page(request, 403, "Action refusée", message, current=current, auth=auth)
    p.close_session(context.store.db, session_id, actor=identity.login, client=auth.client(request))
    return redirect(route_path(request, "moderation_priorities") + f"?clos={session_id}")
