"""The JSON API (``/api``): territories, QPV, cells as GeoJSON by bounding box, the method.

Identifiers are stable: territories by INSEE commune code or EPCI SIREN, QPV by ``code_qp``
within their territory, cells by ``idcar_200m``. Lists are paginated (``limit``, ``offset``).
Responses are cached bytes built at startup (see :mod:`quartiers.web.payloads`); errors are
French JSON ``{"detail": …}`` (404 unknown code, 400 bad or oversized bounding box).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from quartiers.errors import NotFoundError
from quartiers.outputs.formatting import format_number
from quartiers.schemas import HORIZONS
from quartiers.spatial.bbox import parse_bbox
from quartiers.web.basemap import basemap_file
from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import bbox_area_km2, collection_bytes
from quartiers.web.qpv_list import QPV_SORTS, matches
from quartiers.web.schemas import (
    CellCollection,
    ClimateValue,
    ErrorMessage,
    MethodDescription,
    Page,
    QpvDetail,
    QpvSummary,
    QpvValues,
    TerritoryDetail,
    TerritorySummary,
)
from quartiers.web.state import State
from quartiers.web.tiles import MAX_ZOOM, tile_bounds

__all__ = ["MAX_BBOX_KM2", "MAX_CELLS_PAGE", "MAX_PAGE", "router"]

#: Largest bounding box accepted by the cells endpoint (km²).
MAX_BBOX_KM2 = 2_500.0
#: Largest page of cells.
MAX_CELLS_PAGE = 5_000
#: Largest page of the other lists.
MAX_PAGE = 500

JSON = "application/json"
GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"

TerritoryCode = Annotated[
    str,
    Path(
        max_length=20,
        description="Code INSEE de la commune ou SIREN de l'EPCI du diagnostic.",
        examples=["200000001"],
    ),
]
CodeQp = Annotated[
    str, Path(max_length=20, description="Code du QPV (QPV 2024).", examples=["QN00001A"])
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Taille de page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Position de départ.")]
QpvSort = Literal["rank", "index", "rank_interval", "code_qp", "lib_qp"]
Search = Annotated[
    str | None,
    Query(
        max_length=100,
        description=(
            "Recherche par nom, commune ou code (accents et majuscules ignorés ; chaque mot "
            "doit commencer un mot du nom, du code ou d'une commune)."
        ),
        examples=["saint etienne"],
    ),
]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "Territoire ou QPV inconnu"}
}
_BAD_BBOX: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorMessage, "description": "Emprise illisible ou trop grande"},
    **_NOT_FOUND,
}


def _page(items: list[bytes], total: int, limit: int, offset: int) -> Response:
    body = (
        b'{"items":['
        + b",".join(items)
        + b'],"total":'
        + str(total).encode()
        + b',"limit":'
        + str(limit).encode()
        + b',"offset":'
        + str(offset).encode()
        + b"}"
    )
    return Response(body, media_type=JSON)


def _quantity(td: TerritoryData, indicator: str, horizon: str | None) -> str:
    """Return the horizon a quantity is read at (French 404: unknown quantity or horizon)."""
    info = td.indicators.get(indicator)
    if info is None:
        raise NotFoundError(f"indicateur inconnu : {indicator}")
    hz = horizon or td.horizon
    if hz not in HORIZONS:
        raise NotFoundError(f"horizon inconnu : {hz} (attendu : {', '.join(HORIZONS)})")
    return hz if info.climate else td.horizon


#: The JSON API; the routes read the loaded territories from the application state.
router = APIRouter(prefix="/api")


@router.get(
    "/territories",
    response_model=Page[TerritorySummary],
    tags=["territoires"],
    summary="Territoires chargés",
)
async def list_territories(state: State, limit: Limit = 50, offset: Offset = 0) -> Response:
    """List the territories served, in the order they were given."""
    items = [state.payloads[td.code].summary_json for td in state.catalog]
    return _page(items[offset : offset + limit], len(items), limit, offset)


@router.get(
    "/territories/{code}",
    response_model=TerritoryDetail,
    responses=_NOT_FOUND,
    tags=["territoires"],
    summary="Un territoire : communes, sources, dimensions, indicateurs",
)
async def get_territory(state: State, code: TerritoryCode) -> Response:
    """Return a territory with its sources and vintages, dimensions and indicators."""
    _, payloads = state.territory(code)
    return Response(payloads.detail_json, media_type=JSON)


@router.get(
    "/territories/{code}/qpv",
    response_model=Page[QpvSummary],
    responses=_NOT_FOUND,
    tags=["QPV"],
    summary="QPV d'un territoire, avec indice, rang et intervalle de rang",
)
async def list_qpv(
    state: State,
    code: TerritoryCode,
    sort: Annotated[
        QpvSort,
        Query(description="Ordre : " + " ; ".join(f"{k} = {v}" for k, v in QPV_SORTS.items())),
    ] = "rank",
    limit: Limit = 100,
    offset: Offset = 0,
    q: Search = None,
) -> Response:
    """List a territory's QPV (rank 1 = most vulnerable), optionally those matching ``q``."""
    _, payloads = state.territory(code)
    order = payloads.qpv_orders[sort]
    if q:
        order = [i for i in order if matches(payloads.qpv_search[i], q)]
    items = [payloads.qpv_items[i] for i in order[offset : offset + limit]]
    return _page(items, len(order), limit, offset)


@router.get(
    "/territories/{code}/qpv-values",
    response_model=QpvValues,
    responses=_NOT_FOUND,
    tags=["QPV"],
    summary="Valeur d'un indicateur à un horizon pour chaque QPV, brute et affichée",
)
async def qpv_values(
    state: State,
    code: TerritoryCode,
    indicator: Annotated[str, Query(max_length=60, description="Indicateur.")] = "index",
    horizon: Annotated[str | None, Query(max_length=10, description="Horizon.")] = None,
) -> Response:
    """Return every QPV's value of a quantity at a horizon and its French display."""
    td, _ = state.territory(code)
    hz = _quantity(td, indicator, horizon)
    shown = await run_in_threadpool(state.territory_parts(td).shown, indicator, hz)
    return Response(shown.json, media_type=JSON)


@router.get(
    "/territories/{code}/qpv.geojson",
    responses=_NOT_FOUND,
    tags=["QPV"],
    summary="Périmètres des QPV d'un territoire (GeoJSON, WGS84)",
    response_class=Response,
)
async def qpv_geojson(state: State, code: TerritoryCode) -> Response:
    """Return the QPV perimeters with their indicators as a GeoJSON FeatureCollection."""
    td, payloads = state.territory(code)
    body = collection_bytes(await payloads.qpv_features_soon(), territory=td.code)
    return Response(body, media_type=GEOJSON)


@router.get(
    "/territories/{code}/qpv/{code_qp}",
    response_model=QpvDetail,
    responses=_NOT_FOUND,
    tags=["QPV"],
    summary="Un QPV : indicateurs, comparaison au reste de la commune et de l'EPCI",
)
async def get_qpv(state: State, code: TerritoryCode, code_qp: CodeQp) -> Response:
    """Return one QPV's indicators with gaps and ratios, scores, climate and uncertainty."""
    _, payloads = state.territory(code)
    return Response(await payloads.qpv_detail_soon(code_qp), media_type=JSON)


@router.get(
    "/qpv",
    response_model=Page[QpvSummary],
    tags=["QPV"],
    summary="QPV de tous les territoires chargés",
)
async def list_all_qpv(
    state: State, limit: Limit = 100, offset: Offset = 0, q: Search = None
) -> Response:
    """List every QPV of every territory (territory order, then rank), or those matching ``q``."""
    ordered = [
        state.payloads[td.code].qpv_items[i]
        for td in state.catalog
        for i in state.payloads[td.code].qpv_orders["rank"]
        if not q or matches(state.payloads[td.code].qpv_search[i], q)
    ]
    return _page(ordered[offset : offset + limit], len(ordered), limit, offset)


@router.get(
    "/territories/{code}/climate",
    response_model=list[ClimateValue],
    responses=_NOT_FOUND,
    tags=["territoires"],
    summary="Indicateurs climatiques par commune et horizon",
)
async def climate(state: State, code: TerritoryCode) -> Response:
    """Return the climate table (Climadiag / DRIAS) of the territory's communes."""
    _, payloads = state.territory(code)
    return Response(await payloads.climate_json_soon(), media_type=JSON)


@router.get(
    "/territories/{code}/cells",
    response_model=CellCollection,
    responses=_BAD_BBOX,
    tags=["carreaux"],
    summary="Carreaux de 200 m dans une emprise (GeoJSON, WGS84)",
)
async def cells(
    state: State,
    request: Request,
    code: TerritoryCode,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description=(
                "Emprise « min_lon,min_lat,max_lon,max_lat » en degrés WGS84, "
                f"{MAX_BBOX_KM2:g} km² au plus."
            ),
            examples=["-1.25,46.85,-1.20,46.88"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_CELLS_PAGE, description="Carreaux par page.")] = 1000,
    offset: Offset = 0,
) -> Response:
    """Return the cells touching a bounding box, with indicators, index and class."""
    td, payloads = state.territory(code)
    box = parse_bbox(bbox)  # a bad box is a BBoxError: 400, French, like every route
    area = bbox_area_km2(box)
    if area > MAX_BBOX_KM2:
        raise HTTPException(
            status_code=400,
            detail=(
                f"bbox trop grande : {format_number(area)} km² demandés, "
                f"{format_number(MAX_BBOX_KM2)} km² au plus ; réduisez l'emprise ou "
                "découpez-la en plusieurs requêtes"
            ),
        )
    b = td.cell_bounds
    mask = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
    selected = np.flatnonzero(mask)
    page = selected[offset : offset + limit]
    following = None
    if offset + limit < len(selected):
        query = urlencode({"bbox": bbox, "limit": limit, "offset": offset + limit})
        following = f"{request.url.path}?{query}"
    body = collection_bytes(
        payloads.cell_features.rows(page.tolist()),
        territory=td.code,
        bbox_requested=list(box),
        total=len(selected),
        limit=limit,
        offset=offset,
        next=following,
    )
    return Response(body, media_type=GEOJSON)


@router.get(
    "/territories/{code}/tiles/{z}/{x}/{y}.mvt",
    responses={200: {"content": {MVT: {}}, "description": "Tuile vectorielle"}, **_NOT_FOUND},
    tags=["carreaux"],
    summary="Carreaux en tuiles vectorielles (MVT) : valeur d'un indicateur à un horizon",
    response_class=Response,
)
async def cell_tile(
    state: State,
    code: TerritoryCode,
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM, description="Niveau de zoom.")],
    x: Annotated[int, Path(ge=0, description="Colonne de la tuile.")],
    y: Annotated[int, Path(ge=0, description="Ligne de la tuile.")],
    indicator: Annotated[str, Query(max_length=60, description="Indicateur.")] = "index",
    horizon: Annotated[str | None, Query(max_length=10, description="Horizon.")] = None,
) -> Response:
    """Return tile ``z/x/y`` of the cells: layer ``carreaux``, property ``v`` (the value).

    From zoom 11 a square is a 200 m cell; below, a block of cells (population-weighted
    mean). Tiles are computed once, then served from memory (and from the disk cache after a
    restart); zooms 0 to 8 of the index are cut at startup.
    """
    td, _ = state.territory(code)
    hz = _quantity(td, indicator, horizon)
    tile_bounds(z, x, y)  # French 404 outside the zoom's grid, before any disk access
    key = (td.code, indicator, hz, str(z), str(x), str(y))
    body = state.tile_cache.get(key)
    if body is None:
        body = await run_in_threadpool(state.tile_body, td, key)
    return Response(body, media_type=MVT, headers={"Cache-Control": "public, max-age=3600"})


@router.get(
    "/territories/{code}/layers/{layer}.geojson",
    responses=_NOT_FOUND,
    tags=["carreaux"],
    summary="Couche facultative (points chauds, lieux ressources) en GeoJSON",
    response_class=Response,
)
async def optional_layer(
    state: State, code: TerritoryCode, layer: Annotated[Literal["hotspots", "places"], Path()]
) -> Response:
    """Return an optional layer of the diagnostic when it has one."""
    td, payloads = state.territory(code)
    if layer not in payloads.optional_features:
        raise HTTPException(
            status_code=404,
            detail=f"couche {layer} non disponible pour le territoire {td.code}",
        )
    body = collection_bytes(payloads.optional_features[layer], territory=td.code)
    return Response(body, media_type=GEOJSON)


@router.get(
    "/territories/{code}/fond/{name}",
    responses=_NOT_FOUND,
    tags=["carreaux"],
    summary="Fond de carte hors ligne (GeoJSON par tranche de zoom, contours, noms)",
    response_class=Response,
)
async def basemap_layer(
    state: State,
    code: TerritoryCode,
    name: Annotated[str, Path(pattern=r"^[a-z0-9_]{1,40}\.geojson$")],
) -> Response:
    """Return one file of the territory's offline background map (``fond_de_carte/``)."""
    td, _ = state.territory(code)
    path = basemap_file(td.directory, name)
    if path is None:
        raise HTTPException(
            status_code=404,
            detail=f"fond de carte {name} non disponible pour le territoire {td.code}",
        )
    return Response(path.read_bytes(), media_type=GEOJSON)


@router.get(
    "/method",
    response_model=MethodDescription,
    tags=["méthode"],
    summary="Indicateurs (définition, unité, source, sens) et méthode de chaque territoire",
)
async def method(state: State) -> Response:
    """Return the indicator registry and each territory's method settings."""
    return Response(state.method_json, media_type=JSON)
