"""Positions of a long row's own cells among themselves (national size), without a second sort.

:func:`quartiers.method._batch.batch_positions` places points among a reference: it sorts the
reference (stably, for the cumulative weights) and sorts the points too, because searching
sorted points is faster. In the percentile normalisation of a perturbed column the points are
the QPV then the cells, and the cells' points are the reference's own values (some hidden):
their sorted order is the reference's. :func:`row_positions` searches them in that order and
sorts only the other points (the QPV, and cells whose point is not their reference value).
Every point gets the same searches and the same formula: the same numbers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["LONG_ROW", "row_positions"]

FloatArray = NDArray[np.float64]

#: Rows of at least this many reference cells take :func:`row_positions` (the batches of
#: small territories, many short rows, are placed as one 2-D array).
LONG_ROW = 50_000


def _mid_ranks(x: FloatArray, sorted_values: FloatArray, cum: FloatArray, tol: float) -> FloatArray:
    """Weighted mid-rank of the points ``x`` (``cum`` starts with 0), as ``batch_positions``."""
    t = tol * np.maximum(1.0, np.abs(x))
    below = np.searchsorted(sorted_values, x - t, side="left")
    upto = np.searchsorted(sorted_values, x + t, side="right")
    at_below, at_upto = cum[below], cum[upto]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((at_below + 0.5 * (at_upto - at_below)) / cum[-1])


def row_positions(
    points: FloatArray, values: FloatArray, weights: FloatArray, tol: float
) -> FloatArray:
    """Return one row of ``batch_positions(points, values, weights)`` (1-D arrays).

    The reference is sorted as :func:`quartiers.method._batch.sorted_reference` sorts a row
    (unknown values and cells of weight 0 last as ``inf``, equal values in index order).
    The last ``values.size`` points that equal their cell's reference value take the
    mid-rank computed in the reference's sorted order; the others are searched after a sort
    of their own.
    """
    ok = np.isfinite(values) & (weights > 0)
    keyed = np.where(ok, values, np.inf)
    order = np.argsort(keyed, kind="stable")
    sorted_values = keyed[order]
    cum = np.concatenate([np.zeros(1), np.cumsum(np.where(ok, weights, 0.0)[order])])
    known = np.isfinite(points)
    out = np.full(points.shape, np.nan)
    own = np.zeros(points.shape, dtype=bool)
    head = points.size - values.size
    if head >= 0:
        n_ok = int(np.count_nonzero(ok))
        ranked = np.full(values.size, np.nan)
        ranked[order[:n_ok]] = _mid_ranks(sorted_values[:n_ok], sorted_values, cum, tol)
        own[head:] = (points[head:] == values) & ok
        out[head:] = np.where(own[head:], ranked, np.nan)
    rest = np.flatnonzero(known & ~own)
    if rest.size:
        # Searching sorted points is ~3× faster (numpy narrows each search from the last).
        rest = rest[np.argsort(points[rest])]
        out[rest] = _mid_ranks(points[rest], sorted_values, cum, tol)
    return np.where(known & (cum[-1] > 0), out, np.nan)
