"""Vectorised geometry helpers: exact areas of layers inside 200 m cells (EPSG:3035).

No Python loop runs over features: cell × feature pairs come from one STRtree query,
intersections are computed array-wise (only for features crossing a cell edge), and only
the pieces whose interiors overlap inside a cell are merged (:func:`dissolve_overlaps`,
connected components + :func:`union_by_group`, a blockwise ``shapely.union_all``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse import csgraph

from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, cell_boxes

__all__ = [
    "CellGrid",
    "area_share",
    "area_weighted_mean",
    "dissolve_overlaps",
    "polygons_3035",
    "union_by_group",
]

CELL_AREA_M2 = float(CELL_SIZE_M * CELL_SIZE_M)


@dataclass
class CellGrid:
    """The cells of a territory as squares with a spatial index (built once, reused)."""

    xy: NDArray[np.int64]
    boxes: NDArray[np.object_] = field(init=False)
    tree: shapely.STRtree = field(init=False)

    def __post_init__(self) -> None:
        self.boxes = cell_boxes(self.xy)
        shapely.prepare(self.boxes)
        self.tree = shapely.STRtree(self.boxes)

    @property
    def n(self) -> int:
        """Return the number of cells."""
        return int(self.xy.shape[0])

    def pieces(
        self, geoms: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.object_]]:
        """Return ``(feature, cell, piece)`` for every feature × cell intersection."""
        if len(geoms) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=object)
        feat, cell = self.tree.query(geoms, predicate="intersects")
        # Most features (a building, a tree) lie inside one cell: no intersection needed.
        piece = geoms[feat]
        cut = ~shapely.contains_properly(self.boxes[cell], piece)
        if cut.any():
            piece = piece.copy()
            piece[cut] = shapely.intersection(piece[cut], self.boxes[cell[cut]])
        return feat.astype(np.int64), cell.astype(np.int64), piece


def polygons_3035(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.object_]:
    """Return a layer's geometries in EPSG:3035, invalid ones repaired, row for row.

    Missing or empty geometries become ``None`` (ignored by the spatial index), so the
    result stays aligned with the layer's rows.
    """
    series = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
    if series.crs is not None and not series.crs.equals(CELL_CRS):
        series = series.to_crs(CELL_CRS)
    geoms = np.array(series.values, dtype=object)
    absent = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    geoms[absent] = None
    bad = ~absent & ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.make_valid(geoms[bad])
    return geoms


def union_by_group(
    geoms: NDArray[np.object_], groups: NDArray[np.int64], *, block: int = 32
) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Merge the geometries of each group into one.

    Parameters
    ----------
    geoms
        Geometries to merge.
    groups
        Group id of each geometry.
    block
        Number of geometries merged per ``union_all`` row; large groups are reduced in
        several rounds.

    Returns
    -------
    tuple
        ``(group ids, merged geometry per group)``, sorted by group id.
    """
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    current = geoms[order]
    while len(g):
        starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
        counts = np.diff(np.r_[starts, len(g)])
        if counts.max() == 1:
            break
        rank = np.arange(len(g)) - np.repeat(starts, counts)
        rows_per_group = (counts + block - 1) // block
        first_row = np.cumsum(rows_per_group) - rows_per_group
        row = np.repeat(first_row, counts) + rank // block
        table = np.full((int(rows_per_group.sum()), block), None, dtype=object)
        table[row, rank % block] = current
        current = shapely.union_all(table, axis=1)
        g = np.repeat(g[starts], rows_per_group)
    return g, current


def area_share(
    grid: CellGrid, geoms: NDArray[np.object_], *, dissolve: bool = True
) -> NDArray[np.float64]:
    """Return, per cell, the share of its area covered by ``geoms`` (0–1).

    Parameters
    ----------
    grid
        The cells.
    geoms
        Polygons in EPSG:3035 (lines and points have no area and count for nothing).
    dissolve
        Merge overlapping pieces inside each cell first, so overlaps count once.
    """
    _, cell, piece = grid.pieces(geoms)
    if dissolve and len(cell):
        cell, piece = dissolve_overlaps(piece, cell)
    covered = np.bincount(cell, weights=shapely.area(piece), minlength=grid.n)
    return np.minimum(covered / CELL_AREA_M2, 1.0)


def dissolve_overlaps(
    geoms: NDArray[np.object_], groups: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Merge, within each group, only the geometries whose interiors overlap.

    Geometries that overlap nothing (most buildings; they may touch) are kept as they are;
    each connected set of overlapping ones (tree crowns in a row, a wood over a park) is
    merged by :func:`union_by_group`. The total area per group equals that of the union.

    Returns
    -------
    tuple
        ``(group of each output geometry, output geometries)``.
    """
    n = len(geoms)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = (a < b) & (groups[a] == groups[b])
    a, b = a[keep], b[keep]
    if len(a):
        inner = ~shapely.touches(geoms[a], geoms[b])  # interiors meet, not just boundaries
        a, b = a[inner], b[inner]
    if not len(a):
        return groups, geoms
    graph = sparse.coo_array((np.ones(len(a)), (a, b)), shape=(n, n))
    _, component = csgraph.connected_components(graph, directed=False)
    size = np.bincount(component)
    merged = size[component] > 1
    comp_ids, unions = union_by_group(geoms[merged], component[merged].astype(np.int64))
    # each merged component lies in one group (pairs were taken within groups)
    first = np.full(component.max() + 1, -1, dtype=np.int64)
    first[component[merged][::-1]] = np.flatnonzero(merged)[::-1]
    out_groups = np.concatenate([groups[~merged], groups[first[comp_ids]]])
    out_geoms = np.concatenate([geoms[~merged], unions])
    return out_groups, out_geoms


def area_weighted_mean(
    grid: CellGrid, geoms: NDArray[np.object_], values: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the area-weighted mean of ``values`` per cell and the covered share.

    ``geoms`` should not overlap (a partition such as LCZ blocks). Cells not covered at all
    get NaN.
    """
    feat, cell, piece = grid.pieces(geoms)
    area = shapely.area(piece)
    val = values[feat]
    ok = np.isfinite(val)
    covered = np.bincount(cell[ok], weights=area[ok], minlength=grid.n)
    total = np.bincount(cell[ok], weights=area[ok] * val[ok], minlength=grid.n)
    mean = np.full(grid.n, np.nan)
    np.divide(total, covered, out=mean, where=covered > 0)
    return mean, np.minimum(covered / CELL_AREA_M2, 1.0)
