"""GeoJSON pieces (RFC 7946, WGS84 lon/lat) pre-serialised once, and bounding boxes.

Features are serialised to bytes when a diagnostic is loaded; a response is then a join of
the selected byte strings, which keeps cell and QPV endpoints fast under load.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from quartiers.schemas import BBox

__all__ = [
    "BBox",
    "bbox_area_km2",
    "clean_value",
    "collection_bytes",
    "feature_bytes",
    "json_bytes",
]

"""``(min_lon, min_lat, max_lon, max_lat)`` in degrees (WGS84)."""

#: Decimals kept in lon/lat coordinates (1e-6° ≈ 0,1 m).
COORD_DIGITS = 6
#: Significant digits kept in numeric properties.
VALUE_DIGITS = 6

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


def clean_value(value: Any) -> Any:
    """Return a JSON-ready scalar: None for NaN/NA, Python numbers, 6 significant digits."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{VALUE_DIGITS}g}")
    return str(value)


def _round(coords: Any) -> Any:
    if isinstance(coords, tuple | list):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), COORD_DIGITS) for c in coords]
        return [_round(c) for c in coords]
    return coords


def json_bytes(data: Any) -> bytes:
    """Serialise to compact UTF-8 JSON bytes (NaN refused: clean values first)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def feature_bytes(
    geometry: BaseGeometry | None, properties: Mapping[str, Any], feature_id: str
) -> bytes:
    """Serialise one GeoJSON feature (coordinates rounded, properties cleaned)."""
    geom: dict[str, Any] | None = None
    if geometry is not None and not geometry.is_empty:
        raw = mapping(geometry)
        geom = {"type": raw["type"], "coordinates": _round(raw["coordinates"])}
    props = {str(k): clean_value(v) for k, v in properties.items()}
    return json_bytes({"type": "Feature", "id": feature_id, "geometry": geom, "properties": props})


def collection_bytes(features: Sequence[bytes], **members: Any) -> bytes:
    """Join serialised features into a FeatureCollection with extra top-level members."""
    head = {
        "type": "FeatureCollection",
        **{
            k: [clean_value(x) for x in v] if isinstance(v, list | tuple) else clean_value(v)
            for k, v in members.items()
        },
    }
    prefix = json_bytes(head)[:-1]  # drop the closing brace
    return prefix + b',"features":[' + b",".join(features) + b"]}"


def bbox_area_km2(bbox: BBox) -> float:
    """Return the approximate area of a lon/lat box (km², spherical approximation)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    mid = math.radians((min_lat + max_lat) / 2)
    width = (max_lon - min_lon) * _KM_PER_DEG_LON_EQUATOR * math.cos(mid)
    height = (max_lat - min_lat) * _KM_PER_DEG_LAT
    return abs(width * height)
