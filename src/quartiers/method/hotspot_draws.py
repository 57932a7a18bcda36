"""Hotspots across the Monte Carlo draws: how often is each cell a hotspot?

A hotspot found on the method's own index can be an artefact of one choice of weights or
aggregation. For the first draws of the Monte Carlo (at most :data:`MAX_DRAWS`), the local
Moran's I of every tested cell is recomputed on that draw's cell index and tested with its
normal approximation under randomisation (Anselin, 1995: expectation and variance of the
statistic under random permutations of the other values), then the Benjamini–Hochberg
procedure is applied draw by draw. Permutations, as for the method's own index, would cost
``permutations`` local statistics per cell and per draw; the analytical moments give the
same statistic and a close p-value for all draws at once (matrices draws × cells).
The published figure is, per cell, the share of draws in which it is a hotspot.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import ndtr

from quartiers.method.hotspots import queen_pairs

__all__ = ["MAX_DRAWS", "hotspot_draw_share"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Draws whose cell index is kept and tested (memory: draws × cells floats).
MAX_DRAWS = 200


def _bh(p: FloatArray) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values of each row (draws × tests)."""
    m = p.shape[1]
    order = np.argsort(p, axis=1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=1) * m / np.arange(1, m + 1)[None, :]
    ranked = np.minimum.accumulate(ranked[:, ::-1], axis=1)[:, ::-1]
    out = np.empty_like(p)
    np.put_along_axis(out, order, np.minimum(ranked, 1.0), axis=1)
    return out


def hotspot_draw_share(
    cell_index: FloatArray, xy: NDArray[np.int64], tested: BoolArray, *, fdr: float
) -> FloatArray:
    """Return, per cell, the share of draws in which it is a hotspot (NaN if not tested).

    Parameters
    ----------
    cell_index
        Draws × cells: the cells' index in each draw (NaN without one).
    xy
        South-west corners of the cells.
    tested
        Cells tested on the method's own index (with an index and a neighbour).
    fdr
        False-discovery rate of the Benjamini–Hochberg procedure.
    """
    n = len(tested)
    out = np.full(n, np.nan)
    idx = np.flatnonzero(tested)
    if idx.size < 3 or cell_index.shape[0] == 0:
        return out
    local = np.full(n, -1, dtype=np.int64)
    local[idx] = np.arange(idx.size)
    i, j = queen_pairs(np.asarray(xy, dtype=np.int64))
    keep = (local[i] >= 0) & (local[j] >= 0)
    a, b = local[i[keep]], local[j[keep]]
    degree = np.bincount(a, minlength=idx.size).astype("float64")
    w = sparse.csr_array(
        (1.0 / degree[a], (a, b)), shape=(idx.size, idx.size)
    )  # row-standardised queen weights
    y = cell_index[:, idx]
    known = np.isfinite(y)
    mean = np.nanmean(np.where(known, y, np.nan), axis=1, keepdims=True)
    z = np.where(known, y - mean, 0.0)
    count = known.sum(axis=1, keepdims=True).astype("float64")
    m2 = (z**2).sum(axis=1, keepdims=True) / count
    m4 = (z**4).sum(axis=1, keepdims=True) / count
    lag = np.asarray(w @ z.T).T
    with np.errstate(divide="ignore", invalid="ignore"):
        local_i = z / m2 * lag
        b2 = m4 / m2**2
        w2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()[None, :]
        n_t = float(idx.size)
        expected = -1.0 / (n_t - 1)
        var = (
            w2 * (n_t - b2) / (n_t - 1)
            + (1 - w2) * (2 * b2 - n_t) / ((n_t - 1) * (n_t - 2))
            - expected**2
        )
        score = (local_i - expected) / np.sqrt(var)
    p = np.where(np.isfinite(score), ndtr(-score), 1.0)  # scipy.stats.norm.sf, same numbers
    q = _bh(p)
    hot = known & (q <= fdr) & (z > 0) & (lag > 0)
    out[idx] = hot.mean(axis=0)
    return out
