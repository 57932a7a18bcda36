"""OGC API – Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 CRS) under ``/ogc``.

A small FastAPI application mounted by :func:`quartiers.web.app.create_app`, so that GIS
clients (QGIS, GDAL's ``OAPIF:`` driver, ArcGIS, FME) add the diagnostic layers as live
layers: one collection per layer and territory (``<territory>-qpv``, ``-zones``, ``-cells``,
``-hotspots``, ``-contributions``). Its OpenAPI document is ``/ogc/api``. Errors are JSON
``{"code", "description"}`` in French. The collections are built once at startup from the
loaded diagnostics, except the published contributions, read at each request.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from quartiers._version import __version__
from quartiers.errors import NotFoundError
from quartiers.web.geojson import json_bytes
from quartiers.web.ogc_layers import (
    CRS84,
    STORAGE_CRS,
    SUPPORTED_CRS,
    Collection,
    build_collections,
    contributions_collection,
    uri_crs,
)
from quartiers.web.state import WebState

__all__ = ["CONFORMANCE", "DEFAULT_LIMIT", "MAX_LIMIT", "build_ogc_app"]

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
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
_ITEMS_PARAMS = frozenset({"bbox", "bbox-crs", "limit", "offset", "datetime", "crs", "f"})
_ITEM_PARAMS = frozenset({"crs", "f"})

DESCRIPTION = (
    "Couches du diagnostic de vulnérabilité des quartiers prioritaires aux vagues de chaleur, "
    "au standard OGC API – Features (à ajouter dans QGIS, ArcGIS, FME ou GDAL). Une "
    "collection par couche et par territoire ; coordonnées en WGS84 (CRS84) par défaut, "
    "Lambert-93 (EPSG:2154) ou LAEA Europe (EPSG:3035) avec le paramètre crs."
)


class OgcError(Exception):
    """An error answered as OGC JSON ``{"code", "description"}`` (French description)."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def _error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"code": code, "description": description}, status_code=status)


def _json(data: Any, media_type: str = JSON, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(data), media_type=media_type, headers=headers)


def _base(request: Request) -> str:
    """Return the URL of the API root (application root path plus the mount point)."""
    site = str(request.base_url).rstrip("/")
    app_root = str(request.scope.get("app_root_path", ""))
    mount = str(request.scope.get("root_path", ""))[len(app_root) :]
    return site + mount


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _check_params(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise OgcError(
            400,
            "InvalidParameterValue",
            f"paramètre inconnu : {', '.join(unknown)} "
            f"(paramètres acceptés : {', '.join(sorted(allowed))})",
        )
    fmt = request.query_params.get("f")
    if fmt is not None and fmt not in {"json", "geojson"}:
        raise OgcError(400, "InvalidParameterValue", f"f : « json » attendu (reçu « {fmt} »)")


def _crs(value: str, name: str) -> str:
    uri = value.strip().strip("<>") or CRS84
    if uri not in SUPPORTED_CRS:
        raise OgcError(
            400,
            "InvalidParameterValue",
            f"{name} : système de coordonnées non proposé « {value[:120]} » "
            f"(proposés : {', '.join(SUPPORTED_CRS)})",
        )
    return uri


def parse_ogc_bbox(text: str, crs: str) -> tuple[float, float, float, float]:
    """Read ``bbox`` (4 or 6 numbers, in ``crs`` axis order) and return it in CRS84."""
    message = f"bbox : 4 ou 6 nombres séparés par des virgules attendus (reçu « {text[:80]} »)"
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise OgcError(400, "InvalidParameterValue", message) from None
    if len(parts) not in (4, 6) or not all(math.isfinite(p) for p in parts):
        raise OgcError(400, "InvalidParameterValue", message)
    if len(parts) == 6:  # minimum and maximum heights: the layers are 2D
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if crs != CRS84:
        from pyproj import Transformer

        tr = Transformer.from_crs(uri_crs(crs), uri_crs(CRS84), always_xy=False)
        box = tr.transform_bounds(parts[0], parts[1], parts[2], parts[3], densify_pts=21)
        parts = [float(v) for v in box]
    min_x, min_y, max_x, max_y = parts
    if min_y > max_y:
        raise OgcError(400, "InvalidParameterValue", "bbox : le minimum doit précéder le maximum")
    if min_x > max_x:  # crossing the antimeridian: not needed for France, refused plainly
        raise OgcError(
            400, "InvalidParameterValue", "bbox : emprise traversant l'antiméridien non gérée"
        )
    return (min_x, min_y, max_x, max_y)


class OgcCollections:
    """The collections served: diagnostic layers (fixed) and contributions (read live)."""

    def __init__(self, state: WebState) -> None:
        self.state = state
        self.fixed = build_collections(state.catalog)

    def _contributions(self, code: str) -> Collection:
        td = self.state.catalog.get(code)
        return contributions_collection(
            td.code, td.name, lambda: self.state.contributions.published(td.code)
        )

    def all(self) -> list[Collection]:
        """Return every collection, territory by territory."""
        out: list[Collection] = []
        for td in self.state.catalog:
            out += [c for c in self.fixed.values() if c.territory == td.code]
            if self.state.contributions.enabled:
                out.append(self._contributions(td.code))
        return out

    def get(self, collection_id: str) -> Collection:
        """Return one collection or raise a 404 :class:`OgcError`."""
        if collection_id in self.fixed:
            return self.fixed[collection_id]
        code, _, layer = collection_id.rpartition("-")
        if layer == "contributions" and self.state.contributions.enabled:
            try:
                return self._contributions(code)
            except NotFoundError:
                pass
        known = ", ".join(self.fixed)
        raise OgcError(
            404, "NotFound", f"collection inconnue : {collection_id} (collections : {known}…)"
        )


def _collection_json(coll: Collection, base: str) -> dict[str, Any]:
    href = f"{base}/collections/{coll.id}"
    extent: dict[str, Any] = {}
    if all(math.isfinite(v) for v in coll.extent):
        extent = {"spatial": {"bbox": [list(coll.extent)], "crs": CRS84}}
    return {
        "id": coll.id,
        "title": coll.title,
        "description": coll.description,
        "itemType": "feature",
        "extent": extent,
        "crs": list(SUPPORTED_CRS),
        "storageCrs": STORAGE_CRS,
        "links": [
            _link(href, "self", JSON, "Cette collection"),
            _link(f"{href}/items", "items", GEOJSON, "Objets de la collection (GeoJSON)"),
            _link(
                f"{href}/schema",
                "describedby",
                SCHEMA,
                "Schéma des attributs (libellés du dictionnaire des données)",
            ),
        ],
    }


def _page_links(
    request: Request, base: str, coll: Collection, offset: int, limit: int, matched: int
) -> list[dict[str, str]]:
    href = f"{base}/collections/{coll.id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in {"offset", "limit"}}

    def url(at: int) -> str:
        return f"{href}?{urlencode({**params, 'limit': limit, 'offset': at})}"

    links = [_link(url(offset), "self", GEOJSON, "Cette page")]
    if offset + limit < matched:
        links.append(_link(url(offset + limit), "next", GEOJSON, "Page suivante"))
    if offset > 0:
        links.append(_link(url(max(0, offset - limit)), "prev", GEOJSON, "Page précédente"))
    links.append(_link(f"{base}/collections/{coll.id}", "collection", JSON, coll.title))
    return links


def _landing(base: str, state: WebState) -> dict[str, Any]:
    names = ", ".join(td.name for td in state.catalog)
    return {
        "title": "Quartiers en transition — OGC API – Features",
        "description": f"{DESCRIPTION} Territoires : {names}.",
        "links": [
            _link(f"{base}/", "self", JSON, "Cette page"),
            _link(f"{base}/api", "service-desc", OPENAPI, "Définition de l'API (OpenAPI 3.0)"),
            _link(f"{base}/conformance", "conformance", JSON, "Classes de conformité"),
            _link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }


Text = Annotated[str, Query(max_length=400)]


def build_ogc_app(state: WebState) -> FastAPI:
    """Return the OGC API – Features application (to mount at ``/ogc``)."""
    collections = OgcCollections(state)
    app = FastAPI(
        title="Quartiers en transition — OGC API – Features",
        description=DESCRIPTION,
        version=__version__,
        openapi_url="/api",
        docs_url=None,
        redoc_url=None,
    )
    app.openapi_version = "3.0.3"
    _install_handlers(app)

    @app.get("/", summary="Page d'accueil de l'API", tags=["Capacités"])
    async def landing(request: Request) -> Any:
        """Landing page: links to the API definition, conformance and collections."""
        return _json(_landing(_base(request), state))

    @app.get("/conformance", summary="Classes de conformité", tags=["Capacités"])
    async def conformance() -> Any:
        """Conformance classes implemented."""
        return _json({"conformsTo": list(CONFORMANCE)})

    @app.get("/collections", summary="Collections (couches par territoire)", tags=["Capacités"])
    async def list_collections(request: Request) -> Any:
        """Every collection: one per layer and territory."""
        base = _base(request)
        items = [_collection_json(c, base) for c in collections.all()]
        return _json(
            {
                "links": [_link(f"{base}/collections", "self", JSON, "Collections")],
                "collections": items,
                "crs": list(SUPPORTED_CRS),
            }
        )

    @app.get("/collections/{collection_id}", summary="Une collection", tags=["Capacités"])
    async def get_collection(request: Request, collection_id: str) -> Any:
        """One collection: title, description, extent, CRS, links."""
        return _json(_collection_json(collections.get(collection_id), _base(request)))

    @app.get(
        "/collections/{collection_id}/schema",
        summary="Schéma des attributs d'une collection",
        tags=["Données"],
    )
    async def get_schema(collection_id: str) -> Any:
        """JSON Schema of the features, French titles from the data dictionary."""
        return _json(collections.get(collection_id).schema(), SCHEMA)

    @app.get(
        "/collections/{collection_id}/items",
        summary="Objets d'une collection (GeoJSON, paginés)",
        tags=["Données"],
    )
    async def get_items(
        request: Request,
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
        _check_params(request, _ITEMS_PARAMS)
        coll = collections.get(collection_id)
        out_crs = _crs(crs, "crs")
        box = parse_ogc_bbox(bbox, _crs(bbox_crs, "bbox-crs")) if bbox else None
        limit = min(limit, MAX_LIMIT)
        rows = coll.select(box)
        page = [int(r) for r in rows[offset : offset + limit]]
        base = _base(request)
        body = {
            "type": "FeatureCollection",
            "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "numberMatched": len(rows),
            "numberReturned": len(page),
            "links": _page_links(request, base, coll, offset, limit, len(rows)),
            "features": coll.features(page, out_crs),
        }
        return _json(body, GEOJSON, {"Content-Crs": f"<{out_crs}>"})

    @app.get(
        "/collections/{collection_id}/items/{feature_id}",
        summary="Un objet (GeoJSON)",
        tags=["Données"],
    )
    async def get_item(
        request: Request,
        collection_id: str,
        feature_id: str,
        crs: Annotated[str, Query(max_length=200)] = CRS84,
        f: Annotated[str, Query(max_length=10)] = "json",
    ) -> Any:
        """One feature by its identifier (code_qp, zone_id, idcar_200m, contribution id)."""
        _check_params(request, _ITEM_PARAMS)
        coll = collections.get(collection_id)
        out_crs = _crs(crs, "crs")
        row = coll.position(feature_id)
        if row is None:
            raise OgcError(404, "NotFound", f"objet inconnu dans {coll.id} : {feature_id[:80]}")
        feature = coll.features([row], out_crs)[0]
        base = _base(request)
        href = f"{base}/collections/{coll.id}"
        feature["links"] = [
            _link(f"{href}/items/{feature_id}", "self", GEOJSON, "Cet objet"),
            _link(href, "collection", JSON, coll.title),
        ]
        return _json(feature, GEOJSON, {"Content-Crs": f"<{out_crs}>"})

    return app


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
