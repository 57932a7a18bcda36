"""Documents of the OGC API – Features (:mod:`quartiers.web.ogc`): collections and links.

:class:`OgcCollections` holds the collections served (built once from the loaded
diagnostics, the published contributions read live); the functions build the JSON of the
landing page, of a collection and the paging links, from the API root URL of the request.
"""

from __future__ import annotations

import math
import threading
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from quartiers.errors import NotFoundError
from quartiers.web.ogc_layers import (
    CRS84,
    STORAGE_CRS,
    SUPPORTED_CRS,
    Collection,
    build_collections,
    contributions_collection,
)
from quartiers.web.ogc_query import OgcError
from quartiers.web.state import WebState

__all__ = [
    "DESCRIPTION",
    "GEOJSON",
    "JSON",
    "OPENAPI",
    "SCHEMA",
    "OgcCollections",
    "api_root",
    "collection_json",
    "landing_json",
    "link",
    "page_links",
]

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

DESCRIPTION = (
    "Couches du diagnostic de vulnérabilité des quartiers prioritaires aux vagues de chaleur, "
    "au standard OGC API – Features (à ajouter dans QGIS, ArcGIS, FME ou GDAL). Une "
    "collection par couche et par territoire ; coordonnées en WGS84 (CRS84) par défaut, "
    "Lambert-93 (EPSG:2154) ou LAEA Europe (EPSG:3035) avec le paramètre crs."
)


class OgcCollections:
    """The collections served: diagnostic layers (fixed) and contributions (read live)."""

    def __init__(self, state: WebState) -> None:
        self.state = state
        self._fixed: dict[str, Collection] | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        """Tell whether the diagnostic layers are ready (built at the first OGC request)."""
        return self._fixed is not None

    @property
    def fixed(self) -> dict[str, Collection]:
        """Return the diagnostic layers' collections, built once (the cells of a national
        diagnostic take tens of seconds to reproject: not at the server's start)."""
        with self._lock:
            if self._fixed is None:
                self._fixed = build_collections(self.state.catalog)
            return self._fixed

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


def api_root(request: Request) -> str:
    """Return the URL of the API root (application root path plus the mount point)."""
    site = str(request.base_url).rstrip("/")
    app_root = str(request.scope.get("app_root_path", ""))
    mount = str(request.scope.get("root_path", ""))[len(app_root) :]
    return site + mount


def link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    """Return an OGC link object."""
    return {"href": href, "rel": rel, "type": type_, "title": title}


def collection_json(coll: Collection, base: str) -> dict[str, Any]:
    """Return the description of a collection: title, extent, CRS, links."""
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
            link(href, "self", JSON, "Cette collection"),
            link(f"{href}/items", "items", GEOJSON, "Objets de la collection (GeoJSON)"),
            link(
                f"{href}/schema",
                "describedby",
                SCHEMA,
                "Schéma des attributs (libellés du dictionnaire des données)",
            ),
        ],
    }


def page_links(
    request: Request, base: str, coll: Collection, offset: int, limit: int, matched: int
) -> list[dict[str, str]]:
    """Return the links of a page of features: self, next, previous, collection."""
    href = f"{base}/collections/{coll.id}/items"
    params = {k: v for k, v in request.query_params.items() if k not in {"offset", "limit"}}

    def url(at: int) -> str:
        return f"{href}?{urlencode({**params, 'limit': limit, 'offset': at})}"

    links = [link(url(offset), "self", GEOJSON, "Cette page")]
    if offset + limit < matched:
        links.append(link(url(offset + limit), "next", GEOJSON, "Page suivante"))
    if offset > 0:
        links.append(link(url(max(0, offset - limit)), "prev", GEOJSON, "Page précédente"))
    links.append(link(f"{base}/collections/{coll.id}", "collection", JSON, coll.title))
    return links


def landing_json(base: str, state: WebState) -> dict[str, Any]:
    """Return the landing page: links to the API definition, conformance and collections."""
    names = ", ".join(td.name for td in state.catalog)
    return {
        "title": "Quartiers en transition — OGC API – Features",
        "description": f"{DESCRIPTION} Territoires : {names}.",
        "links": [
            link(f"{base}/", "self", JSON, "Cette page"),
            link(f"{base}/api", "service-desc", OPENAPI, "Définition de l'API (OpenAPI 3.0)"),
            link(f"{base}/conformance", "conformance", JSON, "Classes de conformité"),
            link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }
