"""The moderation queue page and its publish / reject forms."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from quartiers.errors import ForbiddenError, NotFoundError
from quartiers.participation import validation as v
from quartiers.participation.deps import Context, Participation
from quartiers.participation.pages.render import (
    ACTIONS,
    FormText,
    error_page,
    page_number,
    redirect,
    render,
    route_path,
)
from quartiers.participation.params import ContributionId
from quartiers.participation.routing import same_origin
from quartiers.participation.vocab import Status

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
"""``/moderation`` (GET) and ``/moderation/contributions/{id}/publier|rejeter`` (POST)."""

_SOURCES = {"web": "formulaire en ligne", "workshop": "atelier"}
_STATUS_CHOICES = [
    ("pending", "En attente"),
    ("published", "Publiées"),
    ("rejected", "Rejetées"),
    ("all", "Toutes"),
]
_DONE = {"publish": "publiée", "reject": "rejetée"}
_STATUS_PLURALS = {
    Status.PENDING: ("en attente", "en attente"),
    Status.PUBLISHED: ("publiée", "publiées"),
    Status.REJECTED: ("rejetée", "rejetées"),
}


def _status_choice(value: str) -> str:
    return value if value in {choice for choice, _ in _STATUS_CHOICES} else "pending"


def _item_urls(request: Request, contribution_id: int) -> dict[str, str]:
    return {
        "publish": route_path(request, "moderation_publish", contribution_id=contribution_id),
        "reject": route_path(request, "moderation_reject", contribution_id=contribution_id),
    }


@router.get("/moderation", name="moderation_queue", include_in_schema=False)
def queue(
    request: Request,
    context: Context,
    statut: str = "pending",
    territoire: str = "",
    page: str = "1",
    fait: str = "",
    n: str = "",
) -> Response:
    """Show one page of the moderator's queue, filtered by status and territory."""
    store, auth, page_size = context.store, context.auth, context.config.page_size
    current = auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    status = _status_choice(statut)
    scope = current[0].scope()
    territories = store.territories_in_use(scope=scope)
    territory = territoire if territoire in territories else None
    number = page_number(page)
    result = store.list_for_moderation(
        scope=scope,
        status=None if status == "all" else Status(status),
        territory=territory,
        limit=page_size,
        offset=(number - 1) * page_size,
    )
    base = route_path(request, "moderation_queue")

    def page_url(k: int) -> str:
        return base + "?" + urlencode({"statut": status, "territoire": territory or "", "page": k})

    notice = ""
    if fait in _DONE and n.isdigit():
        notice = f"La contribution n° {int(n)} est {_DONE[fait]}."
    return render(
        request,
        "file.html",
        current=current,
        auth=auth,
        title="File de modération",
        notice=notice,
        items=result.items,
        total=result.total,
        counts=store.counts(scope=scope),
        status_plurals=_STATUS_PLURALS,
        status_choices=_STATUS_CHOICES,
        status=status,
        territories=territories,
        territory=territory,
        actions=ACTIONS,
        sources=_SOURCES,
        item_urls={item.id: _item_urls(request, item.id) for item in result.items},
        previous_url=page_url(number - 1) if number > 1 else None,
        next_url=page_url(number + 1) if number * page_size < result.total else None,
    )


def _decide(
    request: Request,
    context: Participation,
    contribution_id: int,
    status: Status,
    *,
    csrf_token: str,
    note: str,
    statut: str,
) -> Response:
    """Publish or reject from the queue's form (CSRF token, optional note); back to the queue."""
    auth = context.auth
    current = auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    identity, token = current
    if not same_origin(request) or not auth.check_session_csrf(token, csrf_token):
        return error_page(
            request,
            403,
            "Action refusée",
            "Jeton de formulaire invalide : rechargez la page et recommencez.",
            current=current,
            auth=auth,
        )
    try:
        clean = (
            v.clean_text(note, label="motif", min_len=1, max_len=v.NOTE_MAX)
            if note.strip()
            else None
        )
        context.store.moderate(
            contribution_id,
            status,
            actor=identity.login,
            scope=identity.scope(),
            note=clean,
            client=auth.client(request),
        )
    except ValueError as exc:
        return error_page(request, 422, "Motif invalide", str(exc), current=current, auth=auth)
    except (NotFoundError, ForbiddenError) as exc:
        title = "Introuvable" if isinstance(exc, NotFoundError) else "Action refusée"
        return error_page(request, exc.http_status, title, str(exc), current=current, auth=auth)
    query = urlencode(
        {
            "statut": _status_choice(statut),
            "fait": "publish" if status is Status.PUBLISHED else "reject",
            "n": contribution_id,
        }
    )
    return redirect(route_path(request, "moderation_queue") + "?" + query)


@router.post(
    "/moderation/contributions/{contribution_id}/publier",
    name="moderation_publish",
    include_in_schema=False,
)
def publish(
    request: Request,
    context: Context,
    contribution_id: ContributionId,
    csrf_token: FormText = "",
    note: FormText = "",
    statut: FormText = "pending",
) -> Response:
    """Publish a contribution from the queue."""
    return _decide(
        request,
        context,
        contribution_id,
        Status.PUBLISHED,
        csrf_token=csrf_token,
        note=note,
        statut=statut,
    )


@router.post(
    "/moderation/contributions/{contribution_id}/rejeter",
    name="moderation_reject",
    include_in_schema=False,
)
def reject(
    request: Request,
    context: Context,
    contribution_id: ContributionId,
    csrf_token: FormText = "",
    note: FormText = "",
    statut: FormText = "pending",
) -> Response:
    """Reject a contribution from the queue."""
    return _decide(
        request,
        context,
        contribution_id,
        Status.REJECTED,
        csrf_token=csrf_token,
        note=note,
        statut=statut,
    )
