"""Normalise indicator matrices (pure, vectorised; called thousands of times by uncertainty).

Every normalised value is oriented so that higher means more vulnerable. Values are placed
in the reference distribution of the territory's cells: percentile ranks and min–max use the
cells' values weighted by their denominators (people or households), so a QPV's 0.8 reads
"more vulnerable than the cells where 80 % of the territory's residents live".

Build a :class:`Reference` once (it sorts the reference cells) and pass it to
:func:`normalise` for repeated calls: each call is then a binary search per value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Reference", "normalise", "normalise_column", "subset"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Reference:
    """Sorted reference distribution of each indicator (unoriented), with its moments.

    Attributes
    ----------
    values
        Per indicator, the finite reference values with positive weight, sorted.
    cumulative
        Per indicator, the cumulative weights (length ``len(values) + 1``, starting at 0).
    low, high, mean, std
        Per indicator: weighted minimum, maximum, mean and standard deviation (NaN when
        the indicator has no reference value).
    """

    values: tuple[FloatArray, ...]
    cumulative: tuple[FloatArray, ...]
    low: FloatArray
    high: FloatArray
    mean: FloatArray
    std: FloatArray

    @classmethod
    def build(cls, reference: FloatArray, weights: FloatArray) -> Reference:
        """Sort a reference matrix (cells × indicators) weighted by ``weights``."""
        reference = np.asarray(reference, dtype="float64")
        weights = np.asarray(weights, dtype="float64")
        k = reference.shape[1]
        values, cumulative = [], []
        low, high, mean, std = (np.full(k, np.nan) for _ in range(4))
        for j in range(k):
            ok = np.isfinite(reference[:, j]) & (weights[:, j] > 0)
            r, w = reference[ok, j], weights[ok, j]
            order = np.argsort(r, kind="stable")
            values.append(r[order])
            cumulative.append(np.concatenate([[0.0], np.cumsum(w[order])]))
            if r.size:
                low[j], high[j] = r.min(), r.max()
                mean[j] = np.average(r, weights=w)
                std[j] = np.sqrt(np.average((r - mean[j]) ** 2, weights=w))
        return cls(tuple(values), tuple(cumulative), low, high, mean, std)


def subset(reference: Reference, cols: Sequence[int]) -> Reference:
    """Return the reference of columns ``cols`` only (in that order)."""
    pick = list(cols)
    return Reference(
        tuple(reference.values[j] for j in pick),
        tuple(reference.cumulative[j] for j in pick),
        reference.low[pick],
        reference.high[pick],
        reference.mean[pick],
        reference.std[pick],
    )


#: Relative tolerance under which two values count as tied in a percentile rank.
TIE_TOLERANCE = 1e-9


def _column(
    x: FloatArray,
    ref: Reference,
    j: int,
    *,
    kind: str,
    direction: float,
    bounds: tuple[float, float] | None,
) -> FloatArray:
    out = np.full(x.shape, np.nan)
    known = np.isfinite(x)
    xv = x[known]
    if kind == "bounds":
        if bounds is None:
            raise ValueError("bounds normalisation needs (low, high)")
        lo, hi = bounds
        v = np.clip((xv - lo) / (hi - lo), 0.0, 1.0)
    elif ref.values[j].size == 0:
        return out
    elif kind == "percentile":
        sorted_ref, cum = ref.values[j], ref.cumulative[j]
        # Values equal up to floating-point rounding (a zone mean of identical cells) tie.
        tol = TIE_TOLERANCE * np.maximum(1.0, np.abs(xv))
        below = np.searchsorted(sorted_ref, xv - tol, side="left")
        upto = np.searchsorted(sorted_ref, xv + tol, side="right")
        v = (cum[below] + 0.5 * (cum[upto] - cum[below])) / cum[-1]
    elif kind == "minmax":
        lo, hi = float(ref.low[j]), float(ref.high[j])
        v = np.full(xv.shape, 0.5) if hi <= lo else np.clip((xv - lo) / (hi - lo), 0.0, 1.0)
    elif kind == "zscore":
        std = float(ref.std[j])
        v = np.zeros(xv.shape) if std <= 0 else (xv - float(ref.mean[j])) / std
        out[known] = v if direction > 0 else -v
        return out
    else:
        raise ValueError(f"unknown normalisation {kind!r}")
    # On [0, 1] scales the reversed order is the complement (mid-ranks are symmetric).
    out[known] = v if direction > 0 else 1.0 - v
    return out


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
    reference = Reference.build(
        np.asarray(ref, dtype="float64")[:, None], np.asarray(weights, dtype="float64")[:, None]
    )
    x = np.asarray(x, dtype="float64")
    return _column(x, reference, 0, kind=kind, direction=direction, bounds=bounds)


def normalise(
    values: FloatArray,
    reference: Reference | FloatArray,
    weights: FloatArray | None = None,
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
        A prebuilt :class:`Reference`, or the matrix (cells × indicators) of the reference
        distribution (then ``weights`` is required).
    weights
        Matrix (cells × indicators) of reference weights, when ``reference`` is a matrix.
    kinds, directions, bounds
        Per indicator: normalisation id, direction (±1) and fixed bounds (or None).

    Returns
    -------
    numpy.ndarray
        Matrix of the shape of ``values``, oriented (higher = more vulnerable).
    """
    if not isinstance(reference, Reference):
        if weights is None:
            raise ValueError("weights are needed with a reference matrix")
        reference = Reference.build(reference, weights)
    values = np.asarray(values, dtype="float64")
    out = np.empty_like(values)
    for j, kind in enumerate(kinds):
        out[:, j] = _column(
            values[:, j],
            reference,
            j,
            kind=kind,
            direction=float(directions[j]),
            bounds=bounds[j],
        )
    return out
