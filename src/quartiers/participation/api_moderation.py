"""Moderation JSON API: login, session, queue, publish/reject, corrections, audit log.

Reads need the session cookie; writes also need the ``X-CSRF-Token`` header (from the login
response or ``GET /api/moderation/session``) and a same-site ``Origin`` when one is sent.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from pydantic import BaseModel

from quartiers.participation import audit
from quartiers.participation.accounts import Identity
from quartiers.participation.deps import Auth, Context, Participation, Store
from quartiers.participation.params import ContributionId, Limit, Offset, TerritoryQuery, too_many
from quartiers.participation.routing import same_origin
from quartiers.participation.schemas import (
    AuditEntryPublic,
    ContributionModeration,
    ContributionUpdate,
    LoginRequest,
    ModerationDecision,
    Page,
)
from quartiers.participation.vocab import Role, Status
from quartiers.participation.webauth import WebAuth

__all__ = ["Checked", "Moderator", "SessionInfo", "router"]


class SessionInfo(BaseModel):
    """The logged-in moderator, their roles and the CSRF token to send on writes."""

    login: str
    roles: dict[str, Role]
    csrf_token: str


_TAGS: list[str | Enum] = ["modération"]

router = APIRouter()
"""The moderation JSON routes (``/api/moderation/…``), bound by :func:`.api.build_router`."""


def moderator(request: Request, response: Response, auth: Auth) -> tuple[Identity, str]:
    """Return the logged-in moderator and their session token (401 otherwise; never cached)."""
    response.headers["Cache-Control"] = "no-store"
    current = auth.current(request)
    if current is None:
        raise HTTPException(status_code=401, detail="connexion de modérateur requise")
    return current


Moderator = Annotated[tuple[Identity, str], Depends(moderator)]


def checked(
    request: Request,
    current: Moderator,
    auth: Auth,
    x_csrf_token: Annotated[str | None, Header(max_length=128)] = None,
) -> Identity:
    """Return the moderator of a write: same-site ``Origin`` and session CSRF token (403)."""
    if not same_origin(request) or not auth.check_session_csrf(current[1], x_csrf_token):
        raise HTTPException(status_code=403, detail="jeton CSRF manquant ou invalide")
    return current[0]


Checked = Annotated[Identity, Depends(checked)]


def _info(auth: WebAuth, identity: Identity, token: str) -> SessionInfo:
    return SessionInfo(
        login=identity.login, roles=identity.roles, csrf_token=auth.csrf_for_session(token)
    )


@router.post(
    "/api/moderation/login",
    response_model=SessionInfo,
    tags=_TAGS,
    summary="Connexion d'un modérateur",
)
def login(
    credentials: LoginRequest, request: Request, response: Response, auth: Auth
) -> SessionInfo:
    """Check credentials (throttled) and open a session cookie."""
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="origine de la requête refusée")
    outcome = auth.login(request, credentials.login, credentials.password)
    if outcome.retry_after_s > 0:
        raise too_many(outcome.retry_after_s, "trop de tentatives de connexion")
    if outcome.identity is None or outcome.token is None:
        raise HTTPException(status_code=401, detail="identifiant ou mot de passe incorrect")
    auth.start_session(response, outcome.token)
    response.headers["Cache-Control"] = "no-store"
    return _info(auth, outcome.identity, outcome.token)


@router.get(
    "/api/moderation/session", response_model=SessionInfo, tags=_TAGS, summary="Session en cours"
)
def session(current: Moderator, auth: Auth) -> SessionInfo:
    """Return the logged-in moderator and the CSRF token."""
    return _info(auth, *current)


@router.post("/api/moderation/logout", status_code=204, tags=_TAGS, summary="Déconnexion")
def logout(identity: Checked, request: Request, auth: Auth) -> Response:
    """Close the session in the database and delete its cookie."""
    response = Response(status_code=204)
    auth.end_session(request, response, actor=identity.login)
    return response


@router.get(
    "/api/moderation/contributions",
    response_model=Page[ContributionModeration],
    tags=_TAGS,
    summary="File de modération",
)
def queue(
    current: Moderator,
    store: Store,
    status: Literal["pending", "published", "rejected", "all"] = "pending",
    territory: TerritoryQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ContributionModeration]:
    """List the contributions of the moderator's territories (pending first by default)."""
    return store.list_for_moderation(
        scope=current[0].scope(),
        status=None if status == "all" else Status(status),
        territory=territory,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/api/moderation/contributions/{contribution_id}",
    response_model=ContributionModeration,
    tags=_TAGS,
    summary="Une contribution et son historique",
)
def one(
    contribution_id: ContributionId, current: Moderator, store: Store
) -> ContributionModeration:
    """Return one contribution of the moderator's territories with its history."""
    return store.get_for_moderation(contribution_id, scope=current[0].scope())


def _decide(
    context: Participation,
    contribution_id: int,
    status: Status,
    identity: Identity,
    request: Request,
    decision: ModerationDecision | None,
) -> ContributionModeration:
    return context.store.moderate(
        contribution_id,
        status,
        actor=identity.login,
        scope=identity.scope(),
        note=decision.note if decision else None,
        client=context.auth.client(request),
    )


@router.post(
    "/api/moderation/contributions/{contribution_id}/publish",
    response_model=ContributionModeration,
    tags=_TAGS,
    summary="Publier",
)
def publish(
    contribution_id: ContributionId,
    identity: Checked,
    request: Request,
    context: Context,
    decision: ModerationDecision | None = None,
) -> ContributionModeration:
    """Publish a contribution (it becomes public at once)."""
    return _decide(context, contribution_id, Status.PUBLISHED, identity, request, decision)


@router.post(
    "/api/moderation/contributions/{contribution_id}/reject",
    response_model=ContributionModeration,
    tags=_TAGS,
    summary="Rejeter",
)
def reject(
    contribution_id: ContributionId,
    identity: Checked,
    request: Request,
    context: Context,
    decision: ModerationDecision | None = None,
) -> ContributionModeration:
    """Reject a contribution (withdrawn from public view if it was published)."""
    return _decide(context, contribution_id, Status.REJECTED, identity, request, decision)


@router.patch(
    "/api/moderation/contributions/{contribution_id}",
    response_model=ContributionModeration,
    tags=_TAGS,
    summary="Corriger une contribution",
)
def correct(
    contribution_id: ContributionId,
    data: ContributionUpdate,
    identity: Checked,
    request: Request,
    store: Store,
    auth: Auth,
) -> ContributionModeration:
    """Correct category, text or QPV; previous values stay in the history."""
    return store.update(
        contribution_id,
        data,
        actor=identity.login,
        scope=identity.scope(),
        client=auth.client(request),
    )


@router.get(
    "/api/moderation/audit",
    response_model=Page[AuditEntryPublic],
    tags=_TAGS,
    summary="Journal d'audit (administrateurs)",
)
def audit_log(
    current: Moderator, store: Store, limit: Limit = 100, offset: Offset = 0
) -> Page[AuditEntryPublic]:
    """Return the audit log of the territories the moderator administers."""
    identity = current[0]
    if not identity.is_admin():
        raise HTTPException(status_code=403, detail="réservé aux administrateurs")
    with store.db.reading() as db_session:
        rows, total = audit.list_entries(
            db_session, territories=identity.admin_scope(), limit=limit, offset=offset
        )
        items = [AuditEntryPublic.model_validate(r, from_attributes=True) for r in rows]
    return Page[AuditEntryPublic](items=items, total=total, limit=limit, offset=offset)
