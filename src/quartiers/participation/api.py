"""The participation router: public JSON API, moderation JSON API and moderation pages.

Mount it in any FastAPI application::

    store = ContributionStore.open(settings.database_url, territories)
    app.include_router(build_router(store, secret_key=settings.secret_key))

Public: ``GET/POST /api/contributions``, ``GET /api/contributions/{id}``,
``GET /api/contributions.geojson``, ``GET /api/contributions/summary``,
``GET /api/contributions/vocabulary``. Moderation (session cookie + ``X-CSRF-Token`` header on
writes): ``/api/moderation/...``. Pages (French, server-rendered): ``/moderation/...``.

Handlers are module-level functions on module-level routers; they get the store, the
moderator sign-in and the limits through ``Depends`` (:mod:`~quartiers.participation.deps`).
:func:`build_router` binds them to one store.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from quartiers.participation.api_moderation import router as moderation_router
from quartiers.participation.deps import Auth, Participation, Store, Submissions, bind_routes
from quartiers.participation.exports import feature_collection
from quartiers.participation.pages import ROUTERS as PAGE_ROUTERS
from quartiers.participation.params import (
    BBoxQuery,
    CodeQpQuery,
    ContributionId,
    Limit,
    Offset,
    TerritoryQuery,
    too_many,
)
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.schemas import (
    ContributionCreate,
    ContributionPublic,
    ContributionReceipt,
    FeatureCollection,
    Page,
    Vocabulary,
    VocabularyEntry,
)
from quartiers.participation.store import MAX_PAGE, ContributionStore
from quartiers.participation.vocab import (
    AGE_BAND_LABELS,
    CATEGORY_LABELS,
    PERIOD_LABELS,
    Category,
)
from quartiers.schemas import BBox
from quartiers.spatial.bbox import parse_bbox

__all__ = ["SummaryRow", "build_router", "public_router"]


class SummaryRow(BaseModel):
    """Number of published contributions of one category in one QPV (None: outside QPV)."""

    code_qp: str | None
    category: Category
    count: int


class GeoJSONResponse(JSONResponse):
    """JSON response with the GeoJSON media type."""

    media_type = "application/geo+json"


def _parse_bbox(value: str | None) -> BBox | None:
    """Read the optional ``bbox`` parameter with the one bbox reader of the web routes."""
    return None if value is None else parse_bbox(value)


_TAGS: list[str | Enum] = ["contributions"]
_BAD_BBOX: dict[int | str, dict[str, object]] = {
    400: {"description": "bbox illisible (quatre nombres en degrés WGS84 attendus)"}
}

public_router = APIRouter()
"""The public JSON routes (``/api/contributions…``), bound by :func:`build_router`."""


@public_router.get(
    "/api/contributions",
    response_model=Page[ContributionPublic],
    tags=_TAGS,
    summary="Contributions publiées",
    responses=_BAD_BBOX,
)
def list_contributions(
    store: Store,
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


@public_router.post(
    "/api/contributions",
    response_model=ContributionReceipt,
    status_code=201,
    tags=_TAGS,
    summary="Déposer une contribution (en attente de modération)",
    responses={
        413: {"description": "Requête trop volumineuse"},
        429: {"description": "Trop de requêtes"},
    },
)
def submit_contribution(
    data: ContributionCreate,
    request: Request,
    store: Store,
    auth: Auth,
    submissions: Submissions,
) -> ContributionReceipt:
    """Store a new contribution; it stays private until a moderator publishes it."""
    wait = submissions.acquire(auth.client(request))
    if wait > 0:
        raise too_many(wait, "trop de contributions envoyées depuis cette adresse")
    return store.create(data, source="web")


@public_router.get(
    "/api/contributions.geojson",
    response_model=FeatureCollection,
    response_class=GeoJSONResponse,
    tags=_TAGS,
    summary="Contributions publiées (GeoJSON)",
    responses=_BAD_BBOX,
)
def contributions_geojson(
    store: Store,
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


@public_router.get(
    "/api/contributions/vocabulary",
    response_model=Vocabulary,
    tags=_TAGS,
    summary="Catégories, tranches d'âge et moments de la journée",
)
def vocabulary() -> Vocabulary:
    """Return the closed lists of the form with their French labels."""
    return Vocabulary(
        categories=[VocabularyEntry(id=k.value, label=v) for k, v in CATEGORY_LABELS.items()],
        age_bands=[VocabularyEntry(id=k.value, label=v) for k, v in AGE_BAND_LABELS.items()],
        periods=[VocabularyEntry(id=k.value, label=v) for k, v in PERIOD_LABELS.items()],
    )


@public_router.get(
    "/api/contributions/summary",
    response_model=list[SummaryRow],
    tags=_TAGS,
    summary="Nombre de contributions publiées par QPV et catégorie",
)
def summary(territory: Annotated[str, Query(max_length=20)], store: Store) -> list[SummaryRow]:
    """Count published contributions of a territory per QPV and category."""
    counts = store.summary_by_qpv(territory)
    return [
        SummaryRow(code_qp=code_qp, category=category, count=count)
        for code_qp in sorted(counts, key=lambda c: (c is None, c or ""))
        for category, count in sorted(counts[code_qp].items())
    ]


@public_router.get(
    "/api/contributions/{contribution_id}",
    response_model=ContributionPublic,
    tags=_TAGS,
    summary="Une contribution publiée",
    responses={404: {"description": "Introuvable"}},
)
def get_contribution(contribution_id: ContributionId, store: Store) -> ContributionPublic:
    """Return one published contribution (others are not found)."""
    return store.get_public(contribution_id)


def build_router(
    store: ContributionStore, *, secret_key: str, config: ParticipationConfig | None = None
) -> APIRouter:
    """Build the participation router (JSON API and moderation pages) over ``store``.

    The routes are those of the module-level routers (:data:`public_router`,
    :data:`~.api_moderation.router`, :data:`~.pages.ROUTERS`); the returned router binds
    them to ``store`` through a router-level dependency (:mod:`~.deps`) and caps request
    bodies at ``config.max_body_bytes``.

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
    context = Participation.create(
        store, secret_key=secret_key, config=config or ParticipationConfig()
    )
    return bind_routes(context, (public_router, moderation_router, *PAGE_ROUTERS))
