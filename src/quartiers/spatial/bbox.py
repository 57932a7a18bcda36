"""The one reader of a ``bbox`` query parameter, for every web route.

The cells API and the contributions API read the same text the same way (:func:`parse_bbox`,
degrees WGS84) and refuse a bad box with the same French message and status (400,
:class:`BBoxError`). The OGC API reads its numbers with :func:`bbox_numbers` too (4 or 6
numbers, in any proposed CRS) and answers in the OGC error format, 400 as well.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from quartiers.errors import InputError
from quartiers.schemas import BBox

__all__ = ["BBoxError", "bbox_numbers", "parse_bbox"]

#: What :func:`parse_bbox` expects, in its error message.
_WGS84 = "quatre nombres « min_lon,min_lat,max_lon,max_lat » en degrés WGS84"


class BBoxError(InputError):
    """A bounding box that cannot be read (message in French; HTTP 400)."""


def bbox_numbers(text: str, counts: Collection[int] = (4,), expected: str = _WGS84) -> list[float]:
    """Read the comma-separated finite numbers of a ``bbox`` parameter.

    Parameters
    ----------
    text
        The parameter as received.
    counts
        How many numbers are accepted.
    expected
        What is expected, in French, for the error message.

    Raises
    ------
    BBoxError
        Not numbers, not finite, or not one of ``counts`` of them.
    """
    message = f"bbox : {expected} attendus (reçu « {text[:80]} »)"
    try:
        parts = [float(p) for p in text.split(",")]
    except ValueError:
        raise BBoxError(message) from None
    if len(parts) not in counts or not all(math.isfinite(p) for p in parts):
        raise BBoxError(message)
    return parts


def parse_bbox(text: str) -> BBox:
    """Read ``min_lon,min_lat,max_lon,max_lat`` (degrees WGS84).

    Raises
    ------
    BBoxError
        Not four finite numbers, out of range or inverted.
    """
    parts = bbox_numbers(text)
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
