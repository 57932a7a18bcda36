"""Nature indicators per 200 m cell (issue 21, point 2): green continuity, de-sealable land.

- ``green_network_ha``: area (ha) of the largest continuous green network touching the
  cell. Green polygons of every kind (parks, gardens, grass, woods, scrub) and tree rows
  and hedges (widened to a crown) form one network where they touch or lie within
  :data:`GREEN_GAP_M` of each other (a footpath or a lane does not break it; a wide road
  or a block of buildings does). Isolated trees are left out: a street tree is no
  corridor. A cell touching no green counts 0 ha.
- ``desealable_share``: share of the cell covered by open sealed surfaces that could be
  de-sealed and planted: open-air car parks and paved squares (the ``paved`` layer read
  from OpenStreetMap, also counted as sealed in ``impervious_share``).

Both are population-weighted means over cells when aggregated to a zone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from quartiers.indicators.resources import vegetation_surfaces
from quartiers.spatial.geometry import CellGrid, area_share, polygons_3035

__all__ = ["GREEN_GAP_M", "desealable_share", "green_network_ha"]

#: Largest gap (m) between two green pieces of one network.
GREEN_GAP_M = 10.0


def green_network_ha(
    grid: CellGrid, vegetation: gpd.GeoDataFrame, *, default_crown_m: float
) -> NDArray[np.float64]:
    """Return, per cell, the area (ha) of the largest green network touching it.

    Parameters
    ----------
    grid
        The cells.
    vegetation
        Green polygons and tree rows (VEGETATION_COLUMNS, any CRS).
    default_crown_m
        Width given to tree rows and hedges mapped as lines.

    Returns
    -------
    numpy.ndarray
        Hectares per cell; 0 where no green piece touches the cell.
    """
    out = np.zeros(grid.n)
    if len(vegetation) == 0:
        return out
    geoms, _ = vegetation_surfaces(vegetation, default_crown_m=default_crown_m)
    keep = ~shapely.is_missing(geoms) & (shapely.area(geoms) > 0)
    geoms = geoms[keep]
    if len(geoms) == 0:
        return out
    grown = shapely.buffer(geoms, GREEN_GAP_M / 2.0, quad_segs=2)
    left, right = shapely.STRtree(grown).query(grown, predicate="intersects")
    n = len(geoms)
    adjacency = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, network = connected_components(adjacency, directed=False)
    area = np.zeros(network.max() + 1)
    for label in np.unique(network):
        members = geoms[network == label]
        area[label] = (
            shapely.area(shapely.union_all(members))
            if len(members) > 1
            else shapely.area(members[0])
        )
    piece, cell = grid.tree.query(geoms, predicate="intersects")
    np.maximum.at(out, cell, area[network[piece]] / 10_000.0)
    return out


def desealable_share(grid: CellGrid, paved: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return, per cell, the share of its area under open-air car parks and paved squares."""
    if len(paved) == 0:
        return np.zeros(grid.n)
    return area_share(grid, polygons_3035(paved))
