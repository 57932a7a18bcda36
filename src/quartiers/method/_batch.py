"""Batched evaluation of method variants: matrices draws × units instead of a loop per draw.

The Monte Carlo and the Sobol analysis evaluate thousands of variants of the method. Each one
aggregates the same normalised columns with other weights and rules, then places the QPV
among the cells: done one draw at a time, the fixed cost of dozens of small numpy calls per
draw dominates on a territory of a few thousand cells. Here a batch of draws is one tensor
(draws × units × indicators): weighted means are batched matrix products, quintile breaks one
sort per batch, ranks one comparison of the QPV with each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from quartiers.method._positions import LONG_ROW, row_positions
from quartiers.method.normalise import TIE_TOLERANCE
from quartiers.method.rank import QUINTILES

__all__ = [
    "batch_breaks",
    "batch_normalise",
    "batch_positions",
    "batch_ranks",
    "batch_weighted_mean",
    "sorted_reference",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Normalised values are floored at this before a geometric mean.
GEOMETRIC_FLOOR = 0.01


def batch_weighted_mean(x: FloatArray, w: FloatArray, groups: FloatArray, how: str) -> FloatArray:
    """Weighted mean by group of the last axis of ``x``, skipping NaN, one weight row per draw.

    Parameters
    ----------
    x
        Draws × units × columns.
    w
        Draws × columns: the weights of each draw.
    groups
        One-hot matrix (columns × groups).
    how
        ``arithmetic`` or ``geometric``.

    Returns
    -------
    numpy.ndarray
        Draws × units × groups; NaN where a unit has no known value in a group.
    """
    known = np.isfinite(x)
    wk = np.where(known, w[:, None, :], 0.0)
    if how == "geometric":
        terms = np.where(known, np.log(np.maximum(np.where(known, x, 1.0), GEOMETRIC_FLOOR)), 0.0)
    else:
        terms = np.where(known, x, 0.0)
    num = (wk * terms) @ groups
    den = wk @ groups
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return np.exp(out) if how == "geometric" else out


def _rows_take(a: NDArray[np.generic], idx: NDArray[np.intp]) -> NDArray[Any]:
    """Return ``take_along_axis(a, idx, axis=1)`` through one flat gather (2-D arrays)."""
    b, k = idx.shape
    flat = (idx + (np.arange(b) * a.shape[1])[:, None]).ravel()
    return np.asarray(a.ravel()[flat].reshape(b, k))


def sorted_reference(values: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sort each row of ``values`` (unknown last) and return it with its cumulative weights.

    Unknown values and cells of weight 0 are sorted last as ``inf``; the order of equal
    values is the stable one: it changes the cumulative sums (hence their rounding).
    numpy's stable sort is faster here than ordering the groups of equal values of its
    default sort by index (measured on the Sobol batches of La Roche-sur-Yon).
    """
    ok = np.isfinite(values) & (weights[None, :] > 0)
    keyed = np.where(ok, values, np.inf)
    order = np.argsort(keyed, axis=1, kind="stable")
    sorted_values = _rows_take(keyed, order)
    w = np.where(ok, weights[None, :], 0.0)
    cum = np.cumsum(_rows_take(w, order), axis=1)
    return sorted_values, cum


def batch_breaks(
    values: FloatArray,
    weights: FloatArray,
    shares: tuple[float, ...] = QUINTILES,
    *,
    reference: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """Return per row the values below which ``shares`` of the weight lie (draws × shares).

    Row by row the same as :func:`quartiers.method.rank.weighted_breaks`; NaN rows when a row
    has no known value. ``reference`` is ``sorted_reference(values, weights)`` when the
    caller already has it.
    """
    sorted_values, cum = reference or sorted_reference(values, weights)
    total = cum[:, -1:]
    out = np.full((values.shape[0], len(shares)), np.nan)
    has = total[:, 0] > 0
    if not has.any():
        return out
    share = cum[has] / total[has]
    count = (np.isfinite(sorted_values[has])).sum(axis=1)
    for s, target in enumerate(shares):
        pos = (share < target).sum(axis=1)
        pos = np.minimum(pos, count - 1)
        out[has, s] = sorted_values[has][np.arange(int(has.sum())), pos]
    return out


def batch_positions(
    points: FloatArray,
    values: FloatArray,
    weights: FloatArray,
    *,
    reference: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """Return the weighted mid-rank (0–1) of each row's ``points`` among that row's ``values``.

    Row by row the same as :func:`quartiers.method.normalise.normalise_column` with the
    ``percentile`` normalisation (ties within :data:`TIE_TOLERANCE`). ``reference`` is
    ``sorted_reference(values, weights)`` when the caller already has it; without it, long
    rows are placed one by one (:func:`quartiers.method._positions.row_positions`).
    """
    if reference is None and values.shape[1] >= LONG_ROW:
        pairs = zip(points, values, strict=True)
        rows = [row_positions(pt, v, weights, TIE_TOLERANCE) for pt, v in pairs]
        return np.asarray(rows, dtype="float64").reshape(points.shape)
    sorted_values, cum = reference or sorted_reference(values, weights)
    b = sorted_values.shape[0]
    cum = np.concatenate([np.zeros((b, 1)), cum], axis=1)
    total = cum[:, -1:]
    known = np.isfinite(points)
    # Searching sorted points is ~3× faster (numpy narrows each search from the last).
    order = np.argsort(np.where(known, points, np.inf), axis=1)
    x = _rows_take(points, order)
    tol = TIE_TOLERANCE * np.maximum(1.0, np.abs(x))
    low, high = x - tol, x + tol
    below = np.empty(x.shape, dtype=np.intp)
    upto = np.empty(x.shape, dtype=np.intp)
    for r in range(b):
        below[r] = np.searchsorted(sorted_values[r], low[r], side="left")
        upto[r] = np.searchsorted(sorted_values[r], high[r], side="right")
    at_below, at_upto = _rows_take(cum, below), _rows_take(cum, upto)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (at_below + 0.5 * (at_upto - at_below)) / total
    out = np.empty(points.shape)
    out.ravel()[(order + (np.arange(b) * points.shape[1])[:, None]).ravel()] = v.ravel()
    return np.where(known & (total > 0), out, np.nan)


def batch_ranks(index: FloatArray, eligible: BoolArray) -> FloatArray:
    """Return per row rank 1 for the highest index among eligible units (NaN otherwise).

    Row by row the same as :func:`quartiers.method.rank.rank_descending` (ties share the
    lowest rank).
    """
    ok = eligible[None, :] & np.isfinite(index)
    vals = np.where(ok, index, -np.inf)
    higher = (vals[:, None, :] > vals[:, :, None]) & ok[:, None, :]
    return np.where(ok, higher.sum(axis=2) + 1.0, np.nan)


def batch_normalise(
    values: FloatArray,
    reference: FloatArray,
    weights: FloatArray,
    *,
    kind: str,
    direction: float,
    bounds: tuple[float, float] | None,
) -> FloatArray:
    """Normalise one indicator for a batch of draws, each against its own reference.

    Row by row the same as :func:`quartiers.method.normalise.normalise_column`.

    Parameters
    ----------
    values
        Draws × units to normalise.
    reference
        Draws × cells: each draw's reference distribution (NaN ignored).
    weights
        Weight of each reference cell (its denominator), shared by the draws.
    kind, direction, bounds
        As for :func:`~quartiers.method.normalise.normalise_column`.
    """
    if kind == "bounds":
        if bounds is None:
            raise ValueError("bounds normalisation needs (low, high)")
        lo, hi = bounds
        v = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
        return v if direction > 0 else 1.0 - v
    ok = np.isfinite(reference) & (weights[None, :] > 0)
    has = ok.any(axis=1, keepdims=True)
    if kind == "percentile":
        v = batch_positions(values, reference, weights)
    elif kind == "minmax":
        lo = np.min(np.where(ok, reference, np.inf), axis=1, keepdims=True)
        hi = np.max(np.where(ok, reference, -np.inf), axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(hi <= lo, 0.5, np.clip((values - lo) / (hi - lo), 0.0, 1.0))
    elif kind == "zscore":
        w = np.where(ok, weights[None, :], 0.0)
        r = np.where(ok, reference, 0.0)
        total = w.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (r * w).sum(axis=1, keepdims=True) / total
            std = np.sqrt((w * (r - mean) ** 2).sum(axis=1, keepdims=True) / total)
            v = np.where(std <= 0, 0.0, (values - mean) / std)
        v = np.where(np.isfinite(values) & has, v, np.nan)
        return v if direction > 0 else -v
    else:
        raise ValueError(f"unknown normalisation {kind!r}")
    v = np.where(np.isfinite(values) & has, v, np.nan)
    return v if direction > 0 else 1.0 - v
