"""The « couverture OSM » factor: how much of the real tree canopy OpenStreetMap maps.

Without a tree-cover raster, ``canopy_share`` counts the trees, woods and tree rows *mapped*
in OpenStreetMap: a lower bound of the real canopy, lower where fewer trees were mapped.
There is no reference to measure that completeness against, so the uncertainty analysis
draws it: each draw gives every block of :data:`BLOCK_M` metres (25 cells of 200 m: the scale
of a neighbourhood that one mapper covers, or not) a completeness ``c`` drawn uniformly in
the method's ``uncertainty.osm_completeness`` range, and divides the mapped canopy of the
block's cells by it (capped at the whole cell). The index normalises within the territory,
so a uniform under-mapping would change nothing: only the unevenness between blocks moves
the ranks, and that is what is drawn. A cell with no mapped canopy stays at 0 (the factor
cannot invent trees; the per-QPV ``canopy_warning`` flags QPV with few mapped trees).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from quartiers.indicators.base import safe_ratio

if TYPE_CHECKING:
    from quartiers.method.problem import RankingProblem

__all__ = ["BLOCK_M", "STREAM", "blocks_of", "completeness", "osm_batch"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Side (m) of the blocks that share one drawn mapping completeness.
BLOCK_M = 1000

#: Third seed word of the completeness draws (the imputed-cell noise uses ``(seed, key)``).
STREAM = 22


def blocks_of(xy: NDArray[np.int64]) -> IntArray:
    """Return the block (0…) of each cell from its south-west corner (EPSG:3035, metres)."""
    xy = np.asarray(xy, dtype=np.int64).reshape(-1, 2)
    if not len(xy):
        return np.zeros(0, dtype=np.int64)
    _, inverse = np.unique(xy // BLOCK_M, axis=0, return_inverse=True)
    return np.asarray(inverse.reshape(-1), dtype=np.int64)


def completeness(problem: RankingProblem, seed: int, keys: NDArray[np.int64]) -> FloatArray:
    """Return the drawn completeness of each block (draws × blocks), one generator a draw."""
    assert problem.osm_blocks is not None
    n = int(problem.osm_blocks.max()) + 1 if problem.osm_blocks.size else 0
    low, high = problem.osm_range
    return np.stack(
        [np.random.default_rng([seed, int(k), STREAM]).uniform(low, high, n) for k in keys]
    ).reshape(len(keys), n)


def osm_batch(
    problem: RankingProblem, seed: int, keys: NDArray[np.int64]
) -> tuple[FloatArray, FloatArray]:
    """Return ``canopy_share`` (draws × stacked units) and its cell reference (draws × cells).

    Each cell's mapped canopy is divided by its block's drawn completeness and capped at 1
    (the whole cell); its numerator follows (value × residents) and the QPV numerators
    through the overlap matrix, as for the imputed cells.
    """
    p = problem
    j = p.osm_column
    assert p.osm_blocks is not None
    c = completeness(p, seed, keys)[:, p.osm_blocks]
    cells = np.minimum(p.cell_value[None, :, j] / c, 1.0)  # NaN (no value) stays NaN
    new = np.where(np.isfinite(cells), cells * p.cell_den[None, :, j], 0.0)
    delta = new - p.cell_num[None, :, j]
    qpv_num = p.qpv_num[None, :, j] + np.asarray(p.qpv_matrix @ delta.T).T
    qpv = safe_ratio(qpv_num, np.broadcast_to(p.qpv_den[None, :, j], qpv_num.shape))
    floor = p.display_floor[j]
    stacked = np.concatenate(
        [
            np.where(p.qpv_population[None, :] < floor, np.nan, qpv),
            np.where(p.cell_population[None, :] < floor, np.nan, cells),
        ],
        axis=1,
    )
    return stacked, cells
