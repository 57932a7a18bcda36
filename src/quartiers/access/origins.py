"""Starting points of walks in each 200 m cell: residential buildings, else the cell centre.

A cell's residents are represented by its residential buildings (footprint ≥ 30 m², to
leave out sheds), each weighted by its floor area (footprint × storeys); a cell without
any mapped residential building starts from its centre. Buildings are given to the cell
holding their centroid.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Transformer

from quartiers.sources.osm_tags import METRES_PER_LEVEL
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, parse_cell_ids

__all__ = ["MIN_FOOTPRINT_M2", "Origins", "origin_points"]

#: Smallest footprint of a building taken as a home (m²).
MIN_FOOTPRINT_M2 = 30.0
_NETWORK_CRS = "EPSG:2154"


@dataclass(frozen=True)
class Origins:
    """Walk starts: cell row of each start, EPSG:2154 coordinates, weight; per cell, whether
    its starts are buildings."""

    cell: NDArray[np.intp]
    xy: NDArray[np.float64]
    weight: NDArray[np.float64]
    from_buildings: NDArray[np.bool_]


def origin_points(
    cells: gpd.GeoDataFrame | pd.DataFrame, buildings: gpd.GeoDataFrame | None = None
) -> Origins:
    """Return the walk starts of every cell (see the module docstring for the rule)."""
    n_cells = len(cells)
    if n_cells == 0:
        return Origins(
            np.zeros(0, dtype=np.intp), np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=bool)
        )
    corners = parse_cell_ids(cells["idcar_200m"].astype(str), source="carreaux").astype("float64")
    to_2154 = Transformer.from_crs(CELL_CRS, _NETWORK_CRS, always_xy=True)
    cx, cy = to_2154.transform(corners[:, 0] + CELL_SIZE_M / 2, corners[:, 1] + CELL_SIZE_M / 2)
    centre = np.column_stack([cx, cy])
    b_cell, b_xy, b_weight = _building_starts(corners, buildings)
    from_buildings = np.zeros(n_cells, dtype=bool)
    from_buildings[b_cell] = True
    bare = np.flatnonzero(~from_buildings)
    return Origins(
        cell=np.concatenate([b_cell, bare]).astype(np.intp),
        xy=np.concatenate([b_xy, centre[bare]]),
        weight=np.concatenate([b_weight, np.ones(len(bare))]),
        from_buildings=from_buildings,
    )


def _building_starts(
    corners: NDArray[np.float64], buildings: gpd.GeoDataFrame | None
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
    empty = (np.zeros(0, dtype=np.intp), np.zeros((0, 2)), np.zeros(0))
    if buildings is None or len(buildings) == 0:
        return empty
    if buildings.crs is not None and not buildings.crs.equals(_NETWORK_CRS):
        buildings = buildings.to_crs(_NETWORK_CRS)
    residential = buildings["residential"].fillna(False).to_numpy(dtype=bool)
    geoms = buildings.geometry.to_numpy()[residential]
    footprint = shapely.area(geoms)
    keep = footprint >= MIN_FOOTPRINT_M2
    geoms, footprint = geoms[keep], footprint[keep]
    if len(geoms) == 0:
        return empty
    height = buildings["height_m"].to_numpy(dtype="float64")[residential][keep]
    levels = np.maximum(np.round(height / METRES_PER_LEVEL), 1.0)
    known = np.isfinite(levels)
    # Unknown heights take the territory's median storey count, so that tagged and untagged
    # buildings weigh alike.
    typical = float(np.median(levels[known])) if known.any() else 1.0
    weight = footprint * np.where(known, levels, typical)
    xy = shapely.get_coordinates(shapely.centroid(geoms))
    to_3035 = Transformer.from_crs(_NETWORK_CRS, CELL_CRS, always_xy=True)
    gx, gy = to_3035.transform(xy[:, 0], xy[:, 1])
    key_b = _key(np.floor(np.asarray(gx) / CELL_SIZE_M), np.floor(np.asarray(gy) / CELL_SIZE_M))
    key_c = _key(corners[:, 0] // CELL_SIZE_M, corners[:, 1] // CELL_SIZE_M)
    order = np.argsort(key_c)
    pos = np.clip(np.searchsorted(key_c[order], key_b), 0, len(order) - 1)
    found = key_c[order][pos] == key_b
    return order[pos[found]].astype(np.intp), xy[found], weight[found]


def _key(ix: NDArray[np.float64], iy: NDArray[np.float64]) -> NDArray[np.int64]:
    return (iy.astype(np.int64) << 32) | (ix.astype(np.int64) & 0xFFFFFFFF)
