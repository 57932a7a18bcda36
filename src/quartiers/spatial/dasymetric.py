"""Dasymetric allocation: cell counts spread over residential buildings, then summed per zone.

With the ``area`` allocation a zone receives ``area(cell ∩ zone) / area(cell)`` of each
cell's counts. With ``buildings`` it receives the share of the cell's *residential weight*
lying in the zone: each residential building weighs its floor area (footprint × storeys:
``levels`` where the source gives it, else ``height_m`` / 3 m, else the median storey count
of the buildings given), or its dwellings (``dwellings``, BD TOPO ``NB_LOGTS``) converted to
floor area with the ratio observed on the buildings that have both. A building's weight is
spread evenly over its footprint; the footprint pieces inside each cell and each zone are
measured with the same exact overlap kernel as the area allocation
(:func:`quartiers.spatial._overlap.cell_polygon_areas`).

The shares of a cell over zones that tile it sum to one: the cell's total is conserved. A
cell without residential building keeps its area shares (fallback, counted in
:class:`Allocation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse

from quartiers.spatial._overlap import cell_polygon_areas
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M

__all__ = [
    "METRES_PER_STOREY",
    "Allocation",
    "building_matrix",
    "residential_weights",
]

#: Storey height used to turn a building height into a storey count (as the access module).
METRES_PER_STOREY = 3.0

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Allocation:
    """Zones × cells allocation shares and how they were obtained.

    Attributes
    ----------
    matrix
        Shares (zones × cells): building weight of cell ∩ zone / building weight of the cell,
        area shares for the cells without residential building.
    fallback
        True for the cells without any residential building (area shares kept).
    buildings
        Number of residential buildings used.
    dwellings_used
        Number of those buildings weighed by their dwellings (``NB_LOGTS``).
    """

    matrix: sparse.csr_array
    fallback: NDArray[np.bool_]
    buildings: int
    dwellings_used: int


def _column(frame: gpd.GeoDataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    return np.asarray(frame[name].to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def residential_weights(
    buildings: gpd.GeoDataFrame,
) -> tuple[NDArray[np.object_], FloatArray, int]:
    """Return the residential footprints (EPSG:3035), their weight per m² and the dwelling count.

    Parameters
    ----------
    buildings
        Buildings (:data:`~quartiers.schemas.BUILDING_COLUMNS`, optionally ``levels`` and
        ``dwellings``), any projected CRS.

    Returns
    -------
    tuple
        Footprint geometries, weight per m² of footprint (floor-area equivalent: storeys, or
        dwellings × floor area per dwelling) and the number of buildings weighed by dwellings.
    """
    if buildings.crs is not None and not buildings.crs.equals(CELL_CRS):
        buildings = buildings.to_crs(CELL_CRS)
    residential = buildings["residential"].fillna(False).to_numpy(dtype=bool)
    geoms = np.asarray(buildings.geometry.to_numpy(), dtype=object)[residential]
    footprint = shapely.area(geoms)
    keep = np.isfinite(footprint) & (footprint > 0)
    geoms, footprint = geoms[keep], footprint[keep]
    sub = buildings[residential][keep]
    levels = _column(sub, "levels")
    levels = np.where(levels > 0, levels, np.nan)
    from_height = np.maximum(np.round(_column(sub, "height_m") / METRES_PER_STOREY), 1.0)
    levels = np.where(np.isfinite(levels), levels, from_height)
    known = np.isfinite(levels)
    typical = float(np.median(levels[known])) if known.any() else 1.0
    floor = footprint * np.where(known, levels, typical)
    dwellings = _column(sub, "dwellings")
    has = np.isfinite(dwellings) & (dwellings > 0)
    if has.any():
        per_dwelling = float(floor[has].sum() / dwellings[has].sum())
        floor = np.where(has, dwellings * per_dwelling, floor)
    return geoms, floor / footprint, int(has.sum())


def _cell_weights(
    xy: NDArray[np.int64], geoms: NDArray[np.object_], density: FloatArray
) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """Return (piece, cell, weight) of every footprint piece inside a cell."""
    piece, cell, area = cell_polygon_areas(xy, geoms, CELL_SIZE_M)
    return piece, cell, area * density[piece]


def building_matrix(
    xy: NDArray[np.int64],
    zones: gpd.GeoSeries,
    area_matrix: sparse.csr_array,
    buildings: gpd.GeoDataFrame,
) -> Allocation:
    """Return the zones × cells shares of the ``buildings`` allocation.

    Parameters
    ----------
    xy
        South-west corners of the cells (EPSG:3035).
    zones
        Zone geometries (EPSG:3035), in the row order of ``area_matrix``.
    area_matrix
        Area shares (zones × cells), kept for the cells without residential building.
    buildings
        Buildings (see :func:`residential_weights`).

    Returns
    -------
    Allocation
        Shares and the fallback cells.
    """
    n_zones, n_cells = area_matrix.shape
    geoms, density, by_dwellings = residential_weights(buildings)
    total = np.zeros(n_cells)
    if len(geoms):
        _, cell, weight = _cell_weights(xy, geoms, density)
        total = np.bincount(cell, weights=weight, minlength=n_cells)
    fallback = ~(total > 0)
    zone_geoms = np.asarray(zones.values, dtype=object)
    tree = shapely.STRtree(geoms)
    z_idx, b_idx = tree.query(zone_geoms, predicate="intersects")
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    vals: list[FloatArray] = []
    if len(z_idx):
        # A footprint wholly inside its zone is its own piece: only the footprints crossing
        # a zone edge are cut (a GEOS overlay with a large zone is the costly step).
        shapely.prepare(zone_geoms)
        pieces = geoms[b_idx].copy()
        cut = ~shapely.contains_properly(zone_geoms[z_idx], pieces)
        pieces[cut] = shapely.intersection(pieces[cut], zone_geoms[z_idx][cut])
        piece, cell, weight = _cell_weights(xy, pieces, density[b_idx])
        ok = ~fallback[cell]
        rows.append(z_idx[piece[ok]].astype(np.int64))
        cols.append(cell[ok])
        vals.append(weight[ok] / total[cell[ok]])
    area = area_matrix.tocoo()
    keep = fallback[area.col]
    rows.append(np.asarray(area.row[keep], dtype=np.int64))
    cols.append(np.asarray(area.col[keep], dtype=np.int64))
    vals.append(np.asarray(area.data[keep], dtype="float64"))
    matrix = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_zones, n_cells),
    )
    matrix.sum_duplicates()
    return Allocation(
        matrix=matrix, fallback=fallback, buildings=len(geoms), dwellings_used=by_dwellings
    )
