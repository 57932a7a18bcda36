"""Hotspots of cell vulnerability: local Moran's I with permutations and FDR control.

Cells are 200 m squares of the INSEE grid (EPSG:3035); two cells are neighbours when they
share an edge or a corner (queen contiguity), found from the cells' south-west corners. For
each cell with an index, :func:`local_moran` compares its index and the mean of its
neighbours' (row-standardised weights) with conditional permutations — esda's
``Moran_Local`` computed here, the same figures bit for bit without importing esda and
libpysal (:func:`_moran_local`, tested against esda); the one-sided
pseudo p-values are adjusted by the Benjamini–Hochberg procedure (:func:`bh_adjust`, the
numbers of ``scipy.stats.false_discovery_control`` without importing ``scipy.stats``), which
keeps the expected share of false discoveries among the cells called significant at or below
``fdr``. A hotspot cell is significant and in the high-high quadrant (high index among high
neighbours); connected hotspot cells form a cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from quartiers.spatial.grid import CELL_SIZE_M

__all__ = [
    "HIGH_HIGH",
    "LocalMoran",
    "bh_adjust",
    "local_moran",
    "queen_pairs",
    "zone_shares",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def bh_adjust(p: NDArray[np.floating[Any]]) -> NDArray[np.floating[Any]]:
    """Return the Benjamini–Hochberg adjusted p-values of ``p`` (one-dimensional).

    The same operations in the same precision (esda's p-values are float32), hence the same
    numbers, as ``scipy.stats.false_discovery_control(p, method="bh")``.
    """
    m = p.size
    if m <= 1:
        return p
    order = np.argsort(p, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1)
    ranked *= m / np.arange(1, m + 1, dtype=ranked.dtype)
    np.minimum.accumulate(ranked[::-1], out=ranked[::-1])
    out = np.empty_like(ranked)
    np.put_along_axis(out, order, ranked, axis=-1)
    return np.clip(out, 0.0, 1.0)


#: esda quadrant of a high value among high neighbours.
HIGH_HIGH = 1

_OFFSETS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]


def queen_pairs(xy: IntArray, *, size: int = CELL_SIZE_M) -> tuple[IntArray, IntArray]:
    """Return every ordered pair ``(i, j)`` of cells sharing an edge or a corner.

    Parameters
    ----------
    xy
        South-west corners of the cells (EPSG:3035 metres, multiples of ``size``).
    size
        Side of a cell in metres.
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(xy) == 0:
        return empty, empty
    gx = np.floor_divide(np.asarray(xy[:, 0], dtype=np.int64), size)
    gy = np.floor_divide(np.asarray(xy[:, 1], dtype=np.int64), size)
    gx, gy = gx - gx.min() + 1, gy - gy.min() + 1
    span = int(gy.max()) + 2  # a neighbour's row never wraps into the next column
    key = gx * span + gy
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    for dx, dy in _OFFSETS:
        target = key + dx * span + dy
        pos = np.minimum(np.searchsorted(sorted_key, target), len(key) - 1)
        found = sorted_key[pos] == target
        rows.append(np.flatnonzero(found))
        cols.append(order[pos[found]])
    return np.concatenate(rows), np.concatenate(cols)


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran's I of every cell (NaN / False for cells not tested).

    Attributes
    ----------
    tested
        Cells with an index and at least one neighbour with an index.
    local_i
        Local Moran's I.
    quadrant
        1 high-high, 2 low-high, 3 low-low, 4 high-low (0 when not tested).
    p_value
        One-sided pseudo p-value from the permutations.
    q_value
        Benjamini–Hochberg adjusted p-value over the tested cells.
    hotspot
        Significant (``q_value ≤ fdr``) and high-high.
    cluster
        Connected hotspot cells share a number (1, 2, …); 0 elsewhere.
    permutations, fdr, seed
        Settings of the test.
    """

    tested: BoolArray
    local_i: FloatArray
    quadrant: IntArray
    p_value: FloatArray
    q_value: FloatArray
    hotspot: BoolArray
    cluster: IntArray
    permutations: int
    fdr: float
    seed: int

    def record(self) -> dict[str, object]:
        """Return the figures of the test for ``run.json``."""
        m = int(self.tested.sum())
        tested_p = self.p_value[self.tested]
        return {
            "method": "I de Moran local (esda), contiguïté « reine », permutations "
            "conditionnelles, taux de fausses découvertes de Benjamini–Hochberg",
            "variable": "index",
            "permutations": self.permutations,
            "fdr": self.fdr,
            "seed": self.seed,
            "tested_cells": m,
            "hotspot_cells": int(self.hotspot.sum()),
            "clusters": int(self.cluster.max()) if self.cluster.size else 0,
            "smallest_p_value": float(tested_p.min()) if m else None,
            "min_significant_cells": (
                math.ceil(m / (self.fdr * (self.permutations + 1))) if m else None
            ),
        }


def local_moran(
    values: FloatArray,
    xy: IntArray,
    *,
    permutations: int = 999,
    fdr: float = 0.05,
    seed: int = 0,
) -> LocalMoran:
    """Test every cell for local spatial association of ``values`` and find hotspots.

    Parameters
    ----------
    values
        One value per cell (the composite index); NaN cells are left out of the test and
        of their neighbours' lags.
    xy
        South-west corners of the cells (EPSG:3035 metres).
    permutations
        Conditional permutations per cell.
    fdr
        False-discovery rate of the Benjamini–Hochberg procedure.
    seed
        Seed of the permutations (same seed, same p-values).
    """
    values = np.asarray(values, dtype="float64")
    n = len(values)
    known = np.isfinite(values)
    i, j = queen_pairs(np.asarray(xy, dtype=np.int64))
    keep = known[i] & known[j]
    i, j = i[keep], j[keep]
    degree = np.bincount(i, minlength=n)
    tested = known & (degree > 0)
    out_i = np.full(n, np.nan)
    quad = np.zeros(n, dtype=np.int64)
    p = np.full(n, np.nan)
    q = np.full(n, np.nan)
    idx = np.flatnonzero(tested)
    if idx.size >= 3 and np.ptp(values[idx]) > 0:
        local = np.full(n, -1, dtype=np.int64)
        local[idx] = np.arange(idx.size)
        weights = sparse.csr_array(
            (1.0 / degree[i], (local[i], local[j])), shape=(idx.size, idx.size)
        )
        lisa_i, lisa_q, p_sim = _moran_local(values[idx], weights, permutations, seed)
        out_i[idx] = lisa_i
        quad[idx] = lisa_q
        p[idx] = p_sim
        q[idx] = bh_adjust(p_sim)
    hot = tested & (quad == HIGH_HIGH) & (np.nan_to_num(q, nan=1.0) <= fdr)
    return LocalMoran(
        tested=tested,
        local_i=out_i,
        quadrant=quad,
        p_value=p,
        q_value=q,
        hotspot=hot,
        cluster=_clusters(hot, i, j),
        permutations=permutations,
        fdr=fdr,
        seed=seed,
    )


def _moran_local(
    y: FloatArray, w: sparse.csr_array, permutations: int, seed: int
) -> tuple[FloatArray, IntArray, NDArray[np.float32]]:
    """Return local Moran's I, quadrant and pseudo p-value of each value, as esda does.

    The figures of ``esda.Moran_Local(y, w, permutations=…, seed=…)`` with row-standardised
    weights ``w`` (esda 2.x, « directed » p-values), bit for bit, without importing esda
    and libpysal (about 1 s): the same standardisation, the same conditional permutations
    (one stream ``RandomState(seed)``, one draw of ``max_card`` other cells per
    permutation, shared by every cell) and the same products, the cells of one
    cardinality at once (matrix cells·permutations × neighbours).
    """
    n = y.size
    z = y - y.mean()
    z /= y.std()
    den = (z * z).sum()
    lag = w @ z
    local_i = (n - 1) * z * lag / den
    zp, lp = z > 0, lag > 0
    quadrant = 1 * (zp & lp) + 2 * (~zp & lp) + 3 * (~zp & ~lp) + 4 * (zp & ~lp)
    cardinality = np.diff(w.indptr)
    rng = np.random.RandomState(seed)
    max_card = int(cardinality.max())
    ids = np.empty((permutations, max_card), dtype=np.int64)
    for k in range(permutations):  # the draws of esda's crand, in its order
        ids[k] = rng.choice(n - 1, size=max_card, replace=False)
    scaling = (n - 1) / (z * z).sum()
    larger = np.empty(n, dtype=np.int64)
    for card in np.unique(cardinality):
        cells = np.flatnonzero(cardinality == card)
        other = ids[None, :, :card]
        # esda draws among the other cells: index k is cell k below the cell, k + 1 above
        zrand = z[other + (other >= cells[:, None, None])]
        weights = w.data[w.indptr[cells[0]] : w.indptr[cells[0]] + card]
        dot = (zrand.reshape(-1, card) @ weights).reshape(cells.size, permutations)
        stats = z[cells, None] * (dot + 0.0 * z[cells, None]) * scaling
        larger[cells] = (stats >= local_i[cells, None]).sum(axis=1)
    low = (permutations - larger) < larger
    larger[low] = permutations - larger[low]
    p_sim = ((larger + 1.0) / (permutations + 1.0)).astype(np.float32)
    return local_i, quadrant.astype(np.int64), p_sim


def _clusters(hot: BoolArray, i: IntArray, j: IntArray) -> IntArray:
    """Number the connected groups of hotspot cells 1, 2, … (0 for other cells)."""
    n = len(hot)
    out = np.zeros(n, dtype=np.int64)
    if not hot.any():
        return out
    both = hot[i] & hot[j]
    graph = sparse.coo_array((np.ones(int(both.sum())), (i[both], j[both])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    hot_labels = labels[hot]
    # renumber in order of first appearance so numbers do not depend on scipy's internals
    _, first = np.unique(hot_labels, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(1, len(first) + 1)
    out[hot] = rank[np.searchsorted(np.unique(hot_labels), hot_labels)]
    return out


def zone_shares(
    matrix: sparse.csr_array, hotspot: BoolArray, population: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return, per zone, the share of its gridded area and of its residents in hotspots.

    Parameters
    ----------
    matrix
        Overlap shares (zones × cells), see :func:`quartiers.spatial.overlaps.overlap_matrix`.
    hotspot
        Hotspot cells.
    population
        Residents per cell.

    Returns
    -------
    tuple
        ``(cell_share, population_share)``: area of the zone's cells in hotspots over the
        area of all its cells, and the same weighted by residents (NaN without residents).
    """
    hot = np.asarray(hotspot, dtype="float64")
    pop = np.nan_to_num(np.asarray(population, dtype="float64"))
    area = matrix @ np.ones(len(hot))
    in_hot = matrix @ hot
    people = matrix @ pop
    people_hot = matrix @ (pop * hot)
    with np.errstate(divide="ignore", invalid="ignore"):
        cell_share = np.where(area > 0, in_hot / np.where(area > 0, area, 1.0), np.nan)
        pop_share = np.where(people > 0, people_hot / np.where(people > 0, people, 1.0), np.nan)
    return np.asarray(cell_share, dtype="float64"), np.asarray(pop_share, dtype="float64")
