"""Errors and query parameters of the OGC API – Features (:mod:`quartiers.web.ogc`).

The standard answers errors as JSON ``{"code", "description"}``, not as the site's
``{"detail"}``: :class:`OgcError` carries its code, and the checks of the parameters
(unknown names, ``f``, ``crs``/``bbox-crs``, ``bbox`` in any proposed CRS) raise it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from quartiers.spatial.bbox import BBoxError, bbox_numbers
from quartiers.web.ogc_layers import CRS84, SUPPORTED_CRS, uri_crs

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = ["ITEMS_PARAMS", "ITEM_PARAMS", "OgcError", "check_params", "parse_crs", "parse_ogc_bbox"]

#: Parameters accepted by the items of a collection, and by one item.
ITEMS_PARAMS = frozenset({"bbox", "bbox-crs", "limit", "offset", "datetime", "crs", "f"})
ITEM_PARAMS = frozenset({"crs", "f"})


class OgcError(Exception):
    """An error answered as OGC JSON ``{"code", "description"}`` (French description)."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def check_params(request: Request, allowed: frozenset[str]) -> None:
    """Refuse unknown query parameters and a format other than JSON."""
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


def parse_crs(value: str, name: str) -> str:
    """Return the CRS URI of parameter ``name`` (CRS84 when empty), one of those proposed."""
    uri = value.strip().strip("<>") or CRS84
    if uri not in SUPPORTED_CRS:
        raise OgcError(
            400,
            "InvalidParameterValue",
            f"{name} : système de coordonnées non proposé « {value[:120]} » "
            f"(proposés : {', '.join(SUPPORTED_CRS)})",
        )
    return uri


def parse_ogc_bbox(text: str, crs: str) -> BBox:
    """Read ``bbox`` (4 or 6 numbers, in ``crs`` axis order) and return it in CRS84.

    The numbers are read by the site's :func:`quartiers.spatial.bbox.bbox_numbers`; errors
    are answered in the OGC format (400 ``InvalidParameterValue``).
    """
    try:
        parts = bbox_numbers(text, (4, 6), "4 ou 6 nombres séparés par des virgules")
    except BBoxError as exc:
        raise OgcError(400, "InvalidParameterValue", str(exc)) from None
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
