"""Ranks and quintile classes of the composite index (pure functions)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["QUINTILES", "classify", "rank_descending", "weighted_breaks"]

FloatArray = NDArray[np.float64]

#: Cumulative shares bounding the five quintile classes.
QUINTILES = (0.2, 0.4, 0.6, 0.8)


def rank_descending(index: FloatArray, eligible: NDArray[np.bool_]) -> FloatArray:
    """Return rank 1 for the highest index among eligible units, NaN for the others.

    Ties share the lowest rank ("min" method); NaN indices are never ranked.
    """
    index = np.asarray(index, dtype="float64")
    ok = np.asarray(eligible, dtype=bool) & np.isfinite(index)
    ranks = np.full(index.shape, np.nan)
    vals = index[ok]
    # rank = 1 + number of eligible units with a strictly higher index
    sorted_desc = np.sort(vals)[::-1]
    higher = np.searchsorted(-sorted_desc, -vals, side="left")
    ranks[ok] = higher + 1.0
    return ranks


def weighted_breaks(
    values: FloatArray, weights: FloatArray, shares: tuple[float, ...] = QUINTILES
) -> FloatArray:
    """Return the values below which the given shares of the total weight lie.

    Used with the cells' index weighted by population: quintile breaks split the
    territory's residents into five groups of equal size.
    """
    values = np.asarray(values, dtype="float64")
    weights = np.asarray(weights, dtype="float64")
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return np.full(len(shares), np.nan)
    order = np.argsort(values[ok], kind="stable")
    v = values[ok][order]
    cum = np.cumsum(weights[ok][order])
    cum /= cum[-1]
    pos = np.searchsorted(cum, np.asarray(shares), side="left")
    return np.asarray(v[np.minimum(pos, len(v) - 1)], dtype="float64")


def classify(values: FloatArray, breaks: FloatArray) -> FloatArray:
    """Return the class (1 … len(breaks)+1) of each value, NaN where the value is NaN.

    A value equal to a break falls in the lower class.
    """
    values = np.asarray(values, dtype="float64")
    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    if np.isfinite(breaks).all():
        out[ok] = np.searchsorted(breaks, values[ok], side="left") + 1.0
    return out
