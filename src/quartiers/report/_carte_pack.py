"""Compact transport of the GeoJSON inlined in ``carte.html`` (unpacked by the page's script).

A FeatureCollection is sent as columns rather than one object per feature (each property
name once instead of once per cell: the cells carry about 120 properties), and the
coordinates of lines and polygons as integers — the first position of each ring or line in
units of ``10**-d`` degree, the next ones as differences from the previous. The coordinates
were already rounded (``d`` is the fewest decimals holding them all), so the page rebuilds
exactly the same GeoJSON (``deplier`` in ``templates/carte.html.j2``): nothing the map shows
changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MAX_DECIMALS", "pack_collection"]

#: Most decimals kept (about 1 cm); coordinates finer than that are rounded.
MAX_DECIMALS = 7

#: Marks a packed collection (the page's script unpacks only those).
PACKED = "colonnes"
# Nesting depth of the position lists, per geometry type (points are kept as they are).
_DEPTH = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def pack_collection(collection: dict[str, Any]) -> dict[str, Any]:
    """Return a FeatureCollection in the page's compact form.

    Parameters
    ----------
    collection
        GeoJSON FeatureCollection with rounded coordinates (the fewest decimals, up to
        :data:`MAX_DECIMALS`, that hold every coordinate exactly are used).

    Returns
    -------
    dict
        ``{"type": "colonnes", "decimals": d, "omitNull": bool, "columns": [...],
        "values": [[...], ...], "geometries": [...]}``: ``values[j][i]`` is property
        ``columns[j]`` of feature ``i`` (null where a feature has no such property:
        ``omitNull`` tells the page to leave it out, as the file did); lines and rings are flat
        integer lists ``x0, y0, dx1, dy1…`` in units of ``10**-d`` degree.
    """
    features = collection["features"]
    columns: list[str] = []
    for feature in features:
        for key in feature["properties"]:
            if key not in columns:
                columns.append(key)
    omit_null = any(len(f["properties"]) < len(columns) for f in features)
    values = [[f["properties"].get(c) for f in features] for c in columns]
    decimals = _decimals([f["geometry"] for f in features])
    geometries = [_pack_geometry(f["geometry"], 10**decimals) for f in features]
    return {
        "type": PACKED,
        "decimals": decimals,
        "omitNull": omit_null,
        "columns": columns,
        "values": values,
        "geometries": geometries,
    }


def _decimals(geometries: list[dict[str, Any] | None]) -> int:
    """Return the fewest decimals (≤ :data:`MAX_DECIMALS`) holding every coordinate exactly."""
    flat: list[float] = []
    for geometry in geometries:
        if geometry is not None and geometry["type"] in _DEPTH:
            _collect(geometry["coordinates"], _DEPTH[geometry["type"]], flat)
    values = np.asarray(flat, dtype="float64")
    for decimals in range(MAX_DECIMALS):
        scaled = values * 10**decimals
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return decimals
    return MAX_DECIMALS


def _collect(coords: list[Any], depth: int, out: list[float]) -> None:
    if depth:
        for part in coords:
            _collect(part, depth - 1, out)
        return
    for position in coords:
        out += position[:2]


def _pack_geometry(geometry: dict[str, Any] | None, scale: int) -> dict[str, Any] | None:
    if geometry is None or geometry["type"] not in _DEPTH:
        return geometry
    return {
        "type": geometry["type"],
        "coordinates": _pack_level(geometry["coordinates"], _DEPTH[geometry["type"]], scale),
    }


def _pack_level(coords: list[Any], depth: int, scale: int) -> list[Any]:
    if depth:
        return [_pack_level(part, depth - 1, scale) for part in coords]
    flat: list[int] = []
    last_x = last_y = 0
    for position in coords:
        x, y = round(position[0] * scale), round(position[1] * scale)
        flat += (x - last_x, y - last_y)
        last_x, last_y = x, y
    return flat
