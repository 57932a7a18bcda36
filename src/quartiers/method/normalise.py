"""Normalise indicator matrices (pure, vectorised; called thousands of times by uncertainty).

Every normalised value is oriented so that higher means more vulnerable. Values are placed
in the reference distribution of the territory's cells: percentile ranks and min–max use the
cells' values weighted by their denominators (people or households), so a QPV's 0.8 reads
"more vulnerable than the cells where 80 % of the territory's residents live".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["normalise", "normalise_column"]

FloatArray = NDArray[np.float64]


def _percentile(x: FloatArray, ref: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted mid-rank of ``x`` in ``ref``: share of weight below plus half the ties."""
    order = np.argsort(ref, kind="stable")
    ref_sorted = ref[order]
    cum = np.concatenate([[0.0], np.cumsum(w[order])])
    total = cum[-1]
    lo = np.searchsorted(ref_sorted, x, side="left")
    hi = np.searchsorted(ref_sorted, x, side="right")
    return np.asarray((cum[lo] + 0.5 * (cum[hi] - cum[lo])) / total, dtype="float64")


def normalise_column(
    x: FloatArray,
    ref: FloatArray,
    weights: FloatArray,
    *,
    kind: str,
    direction: float,
    bounds: tuple[float, float] | None = None,
) -> FloatArray:
    """Normalise one indicator.

    Parameters
    ----------
    x
        Values to normalise (NaN stays NaN).
    ref
        Reference values (the territory's cells); NaN or zero-weight entries are ignored.
    weights
        Weight of each reference value (its denominator: people, households).
    kind
        ``percentile`` (weighted mid-rank, 0–1), ``minmax`` (0–1, clipped), ``zscore``
        (weighted mean and standard deviation) or ``bounds`` (0–1 between fixed bounds).
    direction
        ``+1`` if higher is more vulnerable, ``-1`` otherwise; the result is oriented.
    bounds
        ``(low, high)`` for ``bounds``.

    Returns
    -------
    numpy.ndarray
        Normalised values, higher = more vulnerable. A constant reference gives 0.5
        (``percentile``, ``minmax``) or 0 (``zscore``).
    """
    x = np.asarray(x, dtype="float64")
    out = np.full(x.shape, np.nan)
    known = np.isfinite(x)
    if kind == "bounds":
        if bounds is None:
            raise ValueError("bounds normalisation needs (low, high)")
        lo, hi = bounds
        v = np.clip((x[known] - lo) / (hi - lo), 0.0, 1.0)
        out[known] = v if direction > 0 else 1.0 - v
        return out
    ok = np.isfinite(ref) & (weights > 0)
    r = direction * np.asarray(ref, dtype="float64")[ok]
    w = np.asarray(weights, dtype="float64")[ok]
    if r.size == 0:
        return out
    xv = direction * x[known]
    if kind == "percentile":
        out[known] = _percentile(xv, r, w)
    elif kind == "minmax":
        lo, hi = float(r.min()), float(r.max())
        out[known] = 0.5 if hi <= lo else np.clip((xv - lo) / (hi - lo), 0.0, 1.0)
    elif kind == "zscore":
        mean = float(np.average(r, weights=w))
        std = float(np.sqrt(np.average((r - mean) ** 2, weights=w)))
        out[known] = 0.0 if std <= 0 else (xv - mean) / std
    else:
        raise ValueError(f"unknown normalisation {kind!r}")
    return out


def normalise(
    values: FloatArray,
    reference: FloatArray,
    weights: FloatArray,
    *,
    kinds: Sequence[str],
    directions: FloatArray,
    bounds: Sequence[tuple[float, float] | None],
) -> FloatArray:
    """Normalise an indicator matrix column by column.

    Parameters
    ----------
    values
        Matrix (units × indicators) to normalise: cells, QPV or zones.
    reference
        Matrix (cells × indicators) of the reference distribution.
    weights
        Matrix (cells × indicators) of reference weights.
    kinds, directions, bounds
        Per indicator: normalisation id, direction (±1) and fixed bounds (or None).

    Returns
    -------
    numpy.ndarray
        Matrix of the shape of ``values``, oriented (higher = more vulnerable).
    """
    values = np.asarray(values, dtype="float64")
    out = np.empty_like(values)
    for j, kind in enumerate(kinds):
        out[:, j] = normalise_column(
            values[:, j],
            reference[:, j],
            weights[:, j],
            kind=kind,
            direction=float(directions[j]),
            bounds=bounds[j],
        )
    return out
