"""The one reader of a ``bbox`` query parameter (degrees WGS84), for every web route.

The cells API and the contributions API read the same text the same way and refuse a bad
box with the same French message and status (400, :class:`BBoxError`).
"""

from __future__ import annotations

import math

from quartiers.errors import InputError
from quartiers.schemas import BBox

__all__ = ["BBoxError", "parse_bbox"]


class BBoxError(InputError):
    """A bounding box that cannot be read (message in French; HTTP 400)."""


def parse_bbox(text: str) -> BBox:
    """Read ``min_lon,min_lat,max_lon,max_lat`` (degrees WGS84).

    Raises
    ------
    BBoxError
        Not four finite numbers, out of range or inverted.
    """
    message = (
        "bbox : quatre nombres « min_lon,min_lat,max_lon,max_lat » en degrés WGS84 attendus "
        f"(reçu « {text[:80]} »)"
    )
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise BBoxError(message) from None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise BBoxError(message)
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise BBoxError(f"bbox : longitudes entre -180 et 180 attendues (reçu « {text[:80]} »)")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BBoxError(f"bbox : latitudes entre -90 et 90 attendues (reçu « {text[:80]} »)")
    if min_lon > max_lon or min_lat > max_lat:
        raise BBoxError(
            "bbox : le minimum doit précéder le maximum (min_lon ≤ max_lon, min_lat ≤ max_lat)"
        )
    return (min_lon, min_lat, max_lon, max_lat)
