"""The participation router: public JSON API, moderation JSON API and moderation pages.

Mount it in any FastAPI application::

    store = ContributionStore.open(settings.database_url, territories)
    app.include_router(build_router(store, secret_key=settings.secret_key))

Public: ``GET/POST /api/contributions``, ``GET /api/contributions/{id}``,
``GET /api/contributions.geojson``, ``GET /api/contributions/summary``,
``GET /api/contributions/vocabulary``. Moderation (session cookie + ``X-CSRF-Token`` header on
writes): ``/api/moderation/...``. Pages (French, server-rendered): ``/moderation/...``.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the dependency aliases built
# inside the route factories (``Moderator``, ``Checked``) as real objects, not strings.

import logging
import math
import secrets
from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from quartiers.participation import audit
from quartiers.participation.accounts import Identity
from quartiers.participation.exports import feature_collection
from quartiers.participation.pages import add_pages
from quartiers.participation.ratelimit import RateLimiter
from quartiers.participation.routing import ParticipationConfig, limited_route_class, same_origin
from quartiers.participation.schemas import (
    AuditEntryPublic,
    ContributionCreate,
    ContributionModeration,
    ContributionPublic,
    ContributionReceipt,
    ContributionUpdate,
    FeatureCollection,
    LoginRequest,
    ModerationDecision,
    Page,
    Vocabulary,
    VocabularyEntry,
)
from quartiers.participation.security import TokenSigner
from quartiers.participation.store import MAX_PAGE, ContributionStore
from quartiers.participation.territories import BBox
from quartiers.participation.vocab import (
    AGE_BAND_LABELS,
    CATEGORY_LABELS,
    PERIOD_LABELS,
    Category,
    Role,
    Status,
)
from quartiers.participation.webauth import WebAuth

__all__ = ["SessionInfo", "SummaryRow", "build_router"]

logger = logging.getLogger(__name__)

ContributionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Identifiant.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
TerritoryQuery = Annotated[str | None, Query(max_length=20, description="Code du territoire.")]
CodeQpQuery = Annotated[str | None, Query(max_length=12, description="Code du QPV.")]
BBoxQuery = Annotated[
    str | None,
    Query(max_length=120, description="Emprise « min_lon,min_lat,max_lon,max_lat » (WGS84)."),
]


class SessionInfo(BaseModel):
    """The logged-in moderator, their roles and the CSRF token to send on writes."""

    login: str
    roles: dict[str, Role]
    csrf_token: str


class SummaryRow(BaseModel):
    """Number of published contributions of one category in one QPV (None: outside QPV)."""

    code_qp: str | None
    category: Category
    count: int


class GeoJSONResponse(JSONResponse):
    """JSON response with the GeoJSON media type."""

    media_type = "application/geo+json"


def _parse_bbox(value: str | None) -> BBox | None:
    if value is None:
        return None
    message = "bbox : quatre nombres « min_lon,min_lat,max_lon,max_lat » en degrés attendus"
    try:
        parts = [float(part) for part in value.split(",")]
    except ValueError:
        raise HTTPException(status_code=422, detail=message) from None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise HTTPException(status_code=422, detail=message)
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise HTTPException(status_code=422, detail=message)
    return (min_lon, min_lat, max_lon, max_lat)


def _too_many(wait_s: float, what: str) -> HTTPException:
    seconds = RateLimiter.retry_after(wait_s)
    return HTTPException(
        status_code=429,
        detail=f"{what} : réessayez dans {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


def _add_public(
    router: APIRouter, store: ContributionStore, auth: WebAuth, limiter: RateLimiter
) -> None:
    tags: list[str | Enum] = ["contributions"]

    @router.get(
        "/api/contributions",
        response_model=Page[ContributionPublic],
        tags=tags,
        summary="Contributions publiées",
    )
    def list_contributions(
        territory: TerritoryQuery = None,
        code_qp: CodeQpQuery = None,
        category: Category | None = None,
        bbox: BBoxQuery = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ContributionPublic]:
        """List published contributions, oldest first, filtered and paginated."""
        return store.list_public(
            territory=territory,
            code_qp=code_qp,
            category=category,
            bbox=_parse_bbox(bbox),
            limit=limit,
            offset=offset,
        )

    @router.post(
        "/api/contributions",
        response_model=ContributionReceipt,
        status_code=201,
        tags=tags,
        summary="Déposer une contribution (en attente de modération)",
        responses={
            413: {"description": "Requête trop volumineuse"},
            429: {"description": "Trop de requêtes"},
        },
    )
    def submit_contribution(data: ContributionCreate, request: Request) -> ContributionReceipt:
        """Store a new contribution; it stays private until a moderator publishes it."""
        wait = limiter.acquire(auth.client(request))
        if wait > 0:
            raise _too_many(wait, "trop de contributions envoyées depuis cette adresse")
        return store.create(data, source="web")

    @router.get(
        "/api/contributions.geojson",
        response_model=FeatureCollection,
        response_class=GeoJSONResponse,
        tags=tags,
        summary="Contributions publiées (GeoJSON)",
    )
    def contributions_geojson(
        territory: TerritoryQuery = None,
        code_qp: CodeQpQuery = None,
        category: Category | None = None,
        bbox: BBoxQuery = None,
    ) -> GeoJSONResponse:
        """Return published contributions as a GeoJSON feature collection (WGS84)."""
        page = store.list_public(
            territory=territory,
            code_qp=code_qp,
            category=category,
            bbox=_parse_bbox(bbox),
            limit=MAX_PAGE,
        )
        items = list(page.items)
        while len(items) < page.total:
            more = store.list_public(
                territory=territory,
                code_qp=code_qp,
                category=category,
                bbox=_parse_bbox(bbox),
                limit=MAX_PAGE,
                offset=len(items),
            )
            if not more.items:
                break
            items.extend(more.items)
        return GeoJSONResponse(feature_collection(items).model_dump(mode="json"))

    @router.get(
        "/api/contributions/vocabulary",
        response_model=Vocabulary,
        tags=tags,
        summary="Catégories, tranches d'âge et moments de la journée",
    )
    def vocabulary() -> Vocabulary:
        """Return the closed lists of the form with their French labels."""
        return Vocabulary(
            categories=[VocabularyEntry(id=k.value, label=v) for k, v in CATEGORY_LABELS.items()],
            age_bands=[VocabularyEntry(id=k.value, label=v) for k, v in AGE_BAND_LABELS.items()],
            periods=[VocabularyEntry(id=k.value, label=v) for k, v in PERIOD_LABELS.items()],
        )

    @router.get(
        "/api/contributions/summary",
        response_model=list[SummaryRow],
        tags=tags,
        summary="Nombre de contributions publiées par QPV et catégorie",
    )
    def summary(territory: Annotated[str, Query(max_length=20)]) -> list[SummaryRow]:
        """Count published contributions of a territory per QPV and category."""
        counts = store.summary_by_qpv(territory)
        return [
            SummaryRow(code_qp=code_qp, category=category, count=count)
            for code_qp in sorted(counts, key=lambda c: (c is None, c or ""))
            for category, count in sorted(counts[code_qp].items())
        ]

    @router.get(
        "/api/contributions/{contribution_id}",
        response_model=ContributionPublic,
        tags=tags,
        summary="Une contribution publiée",
        responses={404: {"description": "Introuvable"}},
    )
    def get_contribution(contribution_id: ContributionId) -> ContributionPublic:
        """Return one published contribution (others are not found)."""
        return store.get_public(contribution_id)


def _add_moderation_api(router: APIRouter, store: ContributionStore, auth: WebAuth) -> None:
    tags: list[str | Enum] = ["modération"]

    def moderator(request: Request, response: Response) -> tuple[Identity, str]:
        response.headers["Cache-Control"] = "no-store"
        current = auth.current(request)
        if current is None:
            raise HTTPException(status_code=401, detail="connexion de modérateur requise")
        return current

    Moderator = Annotated[tuple[Identity, str], Depends(moderator)]  # noqa: N806

    def checked(
        request: Request,
        current: Moderator,
        x_csrf_token: Annotated[str | None, Header(max_length=128)] = None,
    ) -> Identity:
        if not same_origin(request) or not auth.check_session_csrf(current[1], x_csrf_token):
            raise HTTPException(status_code=403, detail="jeton CSRF manquant ou invalide")
        return current[0]

    Checked = Annotated[Identity, Depends(checked)]  # noqa: N806

    def info(identity: Identity, token: str) -> SessionInfo:
        return SessionInfo(
            login=identity.login, roles=identity.roles, csrf_token=auth.csrf_for_session(token)
        )

    @router.post(
        "/api/moderation/login",
        response_model=SessionInfo,
        tags=tags,
        summary="Connexion d'un modérateur",
    )
    def login(credentials: LoginRequest, request: Request, response: Response) -> SessionInfo:
        """Check credentials (throttled) and open a session cookie."""
        if not same_origin(request):
            raise HTTPException(status_code=403, detail="origine de la requête refusée")
        outcome = auth.login(request, credentials.login, credentials.password)
        if outcome.retry_after_s > 0:
            raise _too_many(outcome.retry_after_s, "trop de tentatives de connexion")
        if outcome.identity is None or outcome.token is None:
            raise HTTPException(status_code=401, detail="identifiant ou mot de passe incorrect")
        auth.start_session(response, outcome.token)
        response.headers["Cache-Control"] = "no-store"
        return info(outcome.identity, outcome.token)

    @router.get(
        "/api/moderation/session", response_model=SessionInfo, tags=tags, summary="Session en cours"
    )
    def session(current: Moderator) -> SessionInfo:
        """Return the logged-in moderator and the CSRF token."""
        return info(*current)

    @router.post("/api/moderation/logout", status_code=204, tags=tags, summary="Déconnexion")
    def logout(identity: Checked, request: Request) -> Response:
        """Close the session in the database and delete its cookie."""
        response = Response(status_code=204)
        auth.end_session(request, response, actor=identity.login)
        return response

    @router.get(
        "/api/moderation/contributions",
        response_model=Page[ContributionModeration],
        tags=tags,
        summary="File de modération",
    )
    def queue(
        current: Moderator,
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
        tags=tags,
        summary="Une contribution et son historique",
    )
    def one(contribution_id: ContributionId, current: Moderator) -> ContributionModeration:
        """Return one contribution of the moderator's territories with its history."""
        return store.get_for_moderation(contribution_id, scope=current[0].scope())

    def decide(
        contribution_id: int,
        status: Status,
        identity: Identity,
        request: Request,
        decision: ModerationDecision | None,
    ) -> ContributionModeration:
        return store.moderate(
            contribution_id,
            status,
            actor=identity.login,
            scope=identity.scope(),
            note=decision.note if decision else None,
            client=auth.client(request),
        )

    @router.post(
        "/api/moderation/contributions/{contribution_id}/publish",
        response_model=ContributionModeration,
        tags=tags,
        summary="Publier",
    )
    def publish(
        contribution_id: ContributionId,
        identity: Checked,
        request: Request,
        decision: ModerationDecision | None = None,
    ) -> ContributionModeration:
        """Publish a contribution (it becomes public at once)."""
        return decide(contribution_id, Status.PUBLISHED, identity, request, decision)

    @router.post(
        "/api/moderation/contributions/{contribution_id}/reject",
        response_model=ContributionModeration,
        tags=tags,
        summary="Rejeter",
    )
    def reject(
        contribution_id: ContributionId,
        identity: Checked,
        request: Request,
        decision: ModerationDecision | None = None,
    ) -> ContributionModeration:
        """Reject a contribution (withdrawn from public view if it was published)."""
        return decide(contribution_id, Status.REJECTED, identity, request, decision)

    @router.patch(
        "/api/moderation/contributions/{contribution_id}",
        response_model=ContributionModeration,
        tags=tags,
        summary="Corriger une contribution",
    )
    def correct(
        contribution_id: ContributionId,
        data: ContributionUpdate,
        identity: Checked,
        request: Request,
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
        tags=tags,
        summary="Journal d'audit (administrateurs)",
    )
    def audit_log(
        current: Moderator, limit: Limit = 100, offset: Offset = 0
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


def build_router(
    store: ContributionStore, *, secret_key: str, config: ParticipationConfig | None = None
) -> APIRouter:
    """Build the participation router (JSON API and moderation pages) over ``store``.

    Parameters
    ----------
    store
        The contributions store (its territories decide where points are accepted).
    secret_key
        Key signing the cookies (``Settings.secret_key``); when empty a random one is made and
        sessions do not survive a restart.
    config
        Limits and cookie policy; defaults suit an HTTPS deployment.
    """
    cfg = config or ParticipationConfig()
    if not secret_key:
        logger.warning(
            "clé secrète vide : clé aléatoire, les sessions seront perdues au redémarrage"
        )
        secret_key = secrets.token_urlsafe(32)
    auth = WebAuth(store, TokenSigner(secret_key), cfg)
    submissions = RateLimiter(capacity=cfg.submit_burst, per_minute=cfg.submit_per_minute)
    router = APIRouter(route_class=limited_route_class(cfg.max_body_bytes))
    _add_public(router, store, auth, submissions)
    _add_moderation_api(router, store, auth)
    add_pages(router, store, auth)
    return router
