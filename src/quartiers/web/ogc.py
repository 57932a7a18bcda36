"""OGC API – Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS) under ``/ogc``.

A small FastAPI application mounted by :func:`quartiers.web.app.create_app`, so that GIS
clients (QGIS, GDAL's ``OAPIF:`` driver, ArcGIS, FME) add the diagnostic layers as live
layers: one collection per layer and territory (``<territory>-qpv``, ``-zones``, ``-cells``,
``-hotspots``, ``-contributions``). Its OpenAPI document is ``/ogc/api``. Errors are JSON
``{"code", "description"}`` in French, as the standard asks (its own handlers, not the
site's ``{"detail"}``). The collections are built once at startup from the loaded
diagnostics (:class:`~quartiers.web.ogc_documents.OgcCollections`, in the sub-application's
state), except the published contributions, read at each request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from quartiers.version import __version__
from quartiers.web.geojson import json_bytes
from quartiers.web.ogc_documents import (
    DESCRIPTION,
    GEOJSON,
    JSON,
    SCHEMA,
    OgcCollections,
    api_root,
    collection_json,
    landing_json,
    link,
    page_links,
)
from quartiers.web.ogc_layers import CRS84, SUPPORTED_CRS
from quartiers.web.ogc_query import (
    ITEM_PARAMS,
    ITEMS_PARAMS,
    OgcError,
    check_params,
    parse_crs,
    parse_ogc_bbox,
)
from quartiers.web.state import WebState

__all__ = ["CONFORMANCE", "DEFAULT_LIMIT", "MAX_LIMIT", "build_ogc_app", "router"]

#: Default and largest page of features.
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
_CONF = "http://www.opengis.net/spec/ogcapi-features-"
#: Conformance classes implemented.
CONFORMANCE = (
    f"{_CONF}1/1.0/conf/core",
    f"{_CONF}1/1.0/conf/geojson",
    f"{_CONF}1/1.0/conf/oas30",
    f"{_CONF}2/1.0/conf/crs",
)


async def ogc_collections(request: Request) -> OgcCollections:
    """Return the collections of the OGC application serving ``request`` (a dependency)."""
    collections: OgcCollections = request.app.state.ogc
    if not collections.built:  # first OGC request: build in a worker thread, loop stays free
        await run_in_threadpool(lambda: collections.fixed)
    return collections


Collections = Annotated[OgcCollections, Depends(ogc_collections)]
Text = Annotated[str, Query(max_length=400)]

#: The routes of the OGC API (mounted by :func:`build_ogc_app`).
router = APIRouter()


def build_ogc_app(state: WebState) -> FastAPI:
    """Return the OGC API – Features application (to mount at ``/ogc``)."""
    app = FastAPI(
        title="Quartiers en transition — OGC API – Features",
        description=DESCRIPTION,
        version=__version__,
        openapi_url="/api",
        docs_url=None,
        redoc_url=None,
    )
    app.openapi_version = "3.0.3"
    app.state.ogc = OgcCollections(state)
    _install_handlers(app)
    app.include_router(router)
    return app


def _json(data: Any, media_type: str = JSON, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(data), media_type=media_type, headers=headers)


@router.get("/", summary="Page d'accueil de l'API", tags=["Capacités"])
async def landing(request: Request, collections: Collections) -> Any:
    """Landing page: links to the API definition, conformance and collections."""
    return _json(landing_json(api_root(request), collections.state))


@router.get("/conformance", summary="Classes de conformité", tags=["Capacités"])
async def conformance() -> Any:
    """Conformance classes implemented."""
    return _json({"conformsTo": list(CONFORMANCE)})


@router.get("/collections", summary="Collections (couches par territoire)", tags=["Capacités"])
async def list_collections(request: Request, collections: Collections) -> Any:
    """Every collection: one per layer and territory."""
    base = api_root(request)
    items = [collection_json(c, base) for c in collections.all()]
    return _json(
        {
            "links": [link(f"{base}/collections", "self", JSON, "Collections")],
            "collections": items,
            "crs": list(SUPPORTED_CRS),
        }
    )


@router.get("/collections/{collection_id}", summary="Une collection", tags=["Capacités"])
async def get_collection(request: Request, collections: Collections, collection_id: str) -> Any:
    """One collection: title, description, extent, CRS, links."""
    return _json(collection_json(collections.get(collection_id), api_root(request)))


@router.get(
    "/collections/{collection_id}/schema",
    summary="Schéma des attributs d'une collection",
    tags=["Données"],
)
async def get_schema(collections: Collections, collection_id: str) -> Any:
    """JSON Schema of the features, French titles from the data dictionary."""
    return _json(collections.get(collection_id).schema(), SCHEMA)


@router.get(
    "/collections/{collection_id}/items",
    summary="Objets d'une collection (GeoJSON, paginés)",
    tags=["Données"],
)
async def get_items(
    request: Request,
    collections: Collections,
    collection_id: str,
    bbox: Text = "",
    bbox_crs: Annotated[str, Query(alias="bbox-crs", max_length=200)] = CRS84,
    limit: Annotated[int, Query(ge=1)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    datetime_: Annotated[str, Query(alias="datetime", max_length=200)] = "",
    crs: Annotated[str, Query(max_length=200)] = CRS84,
    f: Annotated[str, Query(max_length=10)] = "json",
) -> Any:
    """Features of a collection, filtered by bbox, paged by limit/offset.

    ``datetime`` is accepted and ignored: the layers have no time dimension.
    """
    check_params(request, ITEMS_PARAMS)
    coll = collections.get(collection_id)
    out_crs = parse_crs(crs, "crs")
    box = parse_ogc_bbox(bbox, parse_crs(bbox_crs, "bbox-crs")) if bbox else None
    limit = min(limit, MAX_LIMIT)
    rows = coll.select(box)
    page = [int(r) for r in rows[offset : offset + limit]]
    body = {
        "type": "FeatureCollection",
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "numberMatched": len(rows),
        "numberReturned": len(page),
        "links": page_links(request, api_root(request), coll, offset, limit, len(rows)),
        "features": coll.features(page, out_crs),
    }
    return _json(body, GEOJSON, {"Content-Crs": f"<{out_crs}>"})


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="Un objet (GeoJSON)",
    tags=["Données"],
)
async def get_item(
    request: Request,
    collections: Collections,
    collection_id: str,
    feature_id: str,
    crs: Annotated[str, Query(max_length=200)] = CRS84,
    f: Annotated[str, Query(max_length=10)] = "json",
) -> Any:
    """One feature by its identifier (code_qp, zone_id, idcar_200m, contribution id)."""
    check_params(request, ITEM_PARAMS)
    coll = collections.get(collection_id)
    out_crs = parse_crs(crs, "crs")
    row = coll.position(feature_id)
    if row is None:
        raise OgcError(404, "NotFound", f"objet inconnu dans {coll.id} : {feature_id[:80]}")
    feature = coll.features([row], out_crs)[0]
    href = f"{api_root(request)}/collections/{coll.id}"
    feature["links"] = [
        link(f"{href}/items/{feature_id}", "self", GEOJSON, "Cet objet"),
        link(href, "collection", JSON, coll.title),
    ]
    return _json(feature, GEOJSON, {"Content-Crs": f"<{out_crs}>"})


def _error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"code": code, "description": description}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(OgcError)
    async def ogc_error(_: Request, exc: OgcError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.description)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "requête"
            parts.append(f"{where} : valeur invalide ({_french(err)})")
        return _error(400, "InvalidParameterValue", " ; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = "ressource inconnue" if exc.status_code == 404 else str(exc.detail)
        return _error(exc.status_code, "NotFound" if exc.status_code == 404 else "Error", text)


def _french(err: dict[str, Any] | Any) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"nombre ≥ {ctx.get('ge')} attendu"
    if kind in {"int_parsing", "int_type"}:
        return "nombre entier attendu"
    if kind == "string_too_long":
        return f"au plus {ctx.get('max_length')} caractères"
    return "format inattendu"
