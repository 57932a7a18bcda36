"""Bounds of the served layers in WGS84 (EPSG:4326), computed without reprojecting them all."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

__all__ = ["WGS84", "bounds_of", "cells_box"]

WGS84 = "EPSG:4326"
FloatArray = NDArray[np.float64]


def bounds_of(frame: gpd.GeoDataFrame) -> FloatArray:
    """Return each geometry's ``(minx, miny, maxx, maxy)``, shape ``(n, 4)``."""
    return np.asarray(frame.geometry.bounds.to_numpy(), dtype="float64").reshape(-1, 4)


def cells_box(cells: gpd.GeoDataFrame) -> FloatArray:
    """Return the WGS84 bounds of all cells, ``(1, 4)``, without reprojecting their geometry.

    The same numbers as the bounds of ``cells.to_crs(WGS84)``: geopandas moves each vertex
    with the same transformation, and a geometry's bounds are its vertices' extremes.
    """
    if not len(cells) or cells.crs is None:
        return bounds_of(cells.to_crs(WGS84) if len(cells) else cells)
    coords = shapely.get_coordinates(np.asarray(cells.geometry.array))
    move = Transformer.from_crs(cells.crs, WGS84, always_xy=True)
    lon, lat = (np.asarray(v, dtype="float64") for v in move.transform(coords[:, 0], coords[:, 1]))
    if not len(lon):
        return np.full((1, 4), np.nan)
    return np.array([[np.nanmin(lon), np.nanmin(lat), np.nanmax(lon), np.nanmax(lat)]])
