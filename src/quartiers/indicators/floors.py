"""Top-floor proxy per 200 m cell: the share of housing floor area just under a roof.

Living on the top floor, under the roof, was a risk factor of death in the 2003 heat wave
(Vandentorren et al. 2006). Dwellings are not located floor by floor in open data; building
heights are (BD TOPO ``HAUTEUR``, OpenStreetMap ``height`` or ``building:levels``). For a
residential building of ``n`` storeys (``n = max(1, round(height / 3 m))``), one storey in
``n`` is under its roof, so in a cell::

    top_floor_share = Σ footprint / Σ (footprint × storeys)

over the residential buildings with a known height (footprints clipped to the cell): 1 for
single-storey houses, 0.1 for ten-storey blocks. A cell where less than half of the
residential footprint has a height gets no value (heights are often missing in OSM).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.spatial.geometry import CellGrid, polygons_3035

__all__ = ["MIN_KNOWN_HEIGHT_SHARE", "STOREY_M", "storeys", "top_floor_share"]

#: Height of one storey (m), to turn a building height into storeys.
STOREY_M = 3.0

#: Share of a cell's residential footprint that must have a height for the cell to get a value.
MIN_KNOWN_HEIGHT_SHARE = 0.5


def storeys(height_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the storeys of buildings of these heights (at least 1; NaN when unknown)."""
    height = np.asarray(height_m, dtype="float64")
    out = np.maximum(1.0, np.round(height / STOREY_M))
    out[~(height > 0)] = np.nan
    return out


def top_floor_share(grid: CellGrid, buildings: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return the share of residential floor area on a top floor in each cell (0–1, NaN unknown).

    Parameters
    ----------
    grid
        The territory's cells.
    buildings
        :data:`~quartiers.schemas.BUILDING_COLUMNS` (``height_m``, ``residential``).
    """
    out = np.full(grid.n, np.nan)
    residential = buildings["residential"].fillna(False).astype(bool).to_numpy()
    homes = buildings.loc[residential]
    if not len(homes):
        return out
    floors = storeys(pd.to_numeric(homes["height_m"], errors="coerce").to_numpy("float64"))
    feat, cell, piece = grid.pieces(polygons_3035(homes))
    area = shapely.area(piece)
    known = np.isfinite(floors[feat])
    footprint = np.bincount(cell, weights=area, minlength=grid.n)
    top = np.bincount(cell[known], weights=area[known], minlength=grid.n)
    stacked = area[known] * floors[feat][known]
    floor_area = np.bincount(cell[known], weights=stacked, minlength=grid.n)
    ok = (floor_area > 0) & (top >= MIN_KNOWN_HEIGHT_SHARE * footprint)
    out[ok] = top[ok] / floor_area[ok]
    return out
