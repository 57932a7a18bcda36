"""The reference distribution of the normalisation (method key ``reference``; pure).

Percentile, min–max and z-score place a value in the population-weighted distribution of
*reference cells*:

- ``run`` (default): every cell of the run;
- ``territory``: the cells of the unit's own territory (``--territory`` repeated);
- a file (``ref.parquet``, written by ``quartiers reference build``): a distribution
  computed once from any set of cells, e.g. the national grid.

A reference file keeps, per indicator and vintage, the distinct values of the reference
cells with their summed weights when there are at most :data:`MAX_POINTS` of them (the
normalisation is then exactly the one computed from the cells), otherwise
:data:`MAX_POINTS` weighted quantiles at mid-probabilities ``(k + 1/2) / MAX_POINTS`` each
carrying ``1 / MAX_POINTS`` of the weight: a percentile read on them (weighted mid-rank,
no interpolation between points) is within ``1 / MAX_POINTS`` of the exact one. Minimum,
maximum, weighted mean and standard deviation are always computed on every cell, so
min–max and z-score are exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from quartiers.method.normalise import Reference

__all__ = [
    "MAX_POINTS",
    "REFERENCES",
    "check_reference",
    "from_points",
    "moments",
    "reference_kind",
    "summarise",
]

FloatArray = NDArray[np.float64]

#: Reference choices named by a word (id → French label); anything else is a file path.
REFERENCES: dict[str, str] = {
    "run": "tous les carreaux du diagnostic",
    "territory": "les carreaux de chaque territoire, séparément",
}

#: Most points kept per indicator and vintage in a reference file.
MAX_POINTS = 10_001


def reference_kind(value: str) -> str:
    """Return ``run``, ``territory`` or ``file`` for a method's ``reference`` value."""
    return value if value in REFERENCES else "file"


def check_reference(value: str) -> list[tuple[str, str]]:
    """Return ``(field, French message)`` when ``reference`` is neither a word nor a .parquet."""
    if reference_kind(value) == "file" and not value.strip().lower().endswith(".parquet"):
        return [
            (
                "reference",
                f"valeur {value!r} inconnue (attendu : run, territory ou le chemin d'un "
                "fichier .parquet écrit par « quartiers reference build »)",
            )
        ]
    return []


def moments(values: FloatArray, weights: FloatArray) -> tuple[float, float, float, float]:
    """Return weighted ``(low, high, mean, std)`` of the finite, positively weighted values.

    The same formulas as :meth:`Reference.build`; NaN when nothing is left.
    """
    ok = np.isfinite(values) & (weights > 0)
    r, w = values[ok], weights[ok]
    if not r.size:
        return (np.nan, np.nan, np.nan, np.nan)
    mean = float(np.average(r, weights=w))
    std = float(np.sqrt(np.average((r - mean) ** 2, weights=w)))
    return (float(r.min()), float(r.max()), mean, std)


def summarise(
    values: FloatArray, weights: FloatArray, max_points: int = MAX_POINTS
) -> tuple[FloatArray, FloatArray, bool]:
    """Return the points of a weighted distribution, their weights, and whether it is exact.

    Parameters
    ----------
    values, weights
        Reference values and their weights (NaN or non-positive weights are ignored).
    max_points
        Above this many distinct values, keep weighted quantiles at mid-probabilities.

    Returns
    -------
    tuple
        Sorted distinct values, the weight each carries, and True when they are the exact
        distribution (False: quantile summary).
    """
    ok = np.isfinite(values) & (weights > 0)
    distinct, inverse = np.unique(values[ok], return_inverse=True)
    summed: FloatArray = np.asarray(
        np.bincount(inverse.ravel(), weights=weights[ok], minlength=distinct.size), dtype="float64"
    )
    if distinct.size <= max_points:
        return distinct, summed, True
    cumulative = np.cumsum(summed)
    total = float(cumulative[-1])
    levels = (np.arange(max_points) + 0.5) / max_points * total
    at = np.minimum(np.searchsorted(cumulative, levels, side="left"), distinct.size - 1)
    points, counts = np.unique(distinct[at], return_counts=True)
    return points, np.asarray(counts * (total / max_points), dtype="float64"), False


def from_points(
    columns: Sequence[tuple[FloatArray, FloatArray]],
    low: FloatArray,
    high: FloatArray,
    mean: FloatArray,
    std: FloatArray,
) -> Reference:
    """Return a :class:`Reference` from stored points (one ``(values, weights)`` per column)."""
    values, cumulative = [], []
    for points, weights in columns:
        order = np.argsort(points, kind="stable")
        values.append(np.asarray(points, dtype="float64")[order])
        cumulative.append(np.concatenate([[0.0], np.cumsum(np.asarray(weights)[order])]))
    return Reference(
        tuple(values),
        tuple(cumulative),
        np.asarray(low, dtype="float64"),
        np.asarray(high, dtype="float64"),
        np.asarray(mean, dtype="float64"),
        np.asarray(std, dtype="float64"),
    )
