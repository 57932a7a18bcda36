"""Weights and aggregation: from normalised indicators to dimension scores and the index.

:func:`compile_method` turns a validated :class:`~quartiers.method.spec.Method` and the set of
indicators available for a territory into a :class:`CompiledMethod` of plain arrays;
:func:`composite` and :func:`score` are pure vectorised functions over indicator matrices,
fit to be called thousands of times (Monte Carlo over weights, normalisations and
aggregations: replace fields of the compiled method with :func:`dataclasses.replace`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.method._batch import GEOMETRIC_FLOOR, batch_weighted_mean
from quartiers.method.normalise import Reference, normalise
from quartiers.method.spec import Method

__all__ = [
    "GEOMETRIC_FLOOR",
    "CompiledMethod",
    "combine",
    "compile_method",
    "composite",
    "score",
]

FloatArray = NDArray[np.float64]

#: Normalised values are floored at this before a geometric mean (a zero would zero it).


@dataclass(frozen=True)
class CompiledMethod:
    """A method restricted to the indicators available, as arrays.

    Attributes
    ----------
    indicator_ids
        Indicators entering the index, in column order.
    dimension_ids
        Dimensions entering the index.
    dimension_of
        Index in ``dimension_ids`` of each indicator's dimension.
    directions
        ``+1``/``-1`` per indicator.
    kinds
        Normalisation id per indicator.
    bounds
        Fixed bounds per indicator (``None`` unless ``bounds`` normalisation).
    indicator_weights
        Weight of each indicator within its dimension, renormalised to sum to 1 per
        dimension over the available indicators.
    dimension_weights
        Weight of each dimension, renormalised to sum to 1 over the available dimensions.
    within, across
        ``arithmetic`` or ``geometric``.
    dropped
        Indicators of the method (positive weight) left out, with the French reason.
    """

    indicator_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    dimension_of: NDArray[np.int64]
    directions: FloatArray
    kinds: tuple[str, ...]
    bounds: tuple[tuple[float, float] | None, ...]
    indicator_weights: FloatArray
    dimension_weights: FloatArray
    within: str
    across: str
    dropped: dict[str, str]


def compile_method(
    method: Method, available: Collection[str], reasons: dict[str, str] | None = None
) -> CompiledMethod:
    """Restrict a method to the available indicators and renormalise its weights.

    Parameters
    ----------
    method
        A validated method.
    available
        Indicator ids computed for the territory.
    reasons
        French reason why each unavailable indicator is missing (copied to ``dropped``).
    """
    reasons = reasons or {}
    ids: list[str] = []
    dims: list[str] = []
    dim_of: list[int] = []
    weights: list[float] = []
    dim_weights: list[float] = []
    dropped: dict[str, str] = {}
    for dim_id in DIMENSIONS:
        dim = method.dimensions.get(dim_id)
        if dim is None or dim.weight <= 0:
            continue
        chosen = [(i, c) for i, c in dim.choices().items() if c.weight > 0 and i in set(available)]
        for i, c in dim.choices().items():
            if c.weight > 0 and i not in set(available):
                dropped[i] = reasons.get(i, "indicateur non calculé pour ce territoire")
        if not chosen:
            continue
        total = sum(c.weight for _, c in chosen)
        dims.append(dim_id)
        dim_weights.append(dim.weight)
        for i, c in chosen:
            ids.append(i)
            dim_of.append(len(dims) - 1)
            weights.append(c.weight / total)
    dw = np.asarray(dim_weights, dtype="float64")
    if dw.size:
        dw = dw / dw.sum()
    return CompiledMethod(
        indicator_ids=tuple(ids),
        dimension_ids=tuple(dims),
        dimension_of=np.asarray(dim_of, dtype=np.int64),
        directions=np.asarray([REGISTRY[i].direction for i in ids], dtype="float64"),
        kinds=tuple(method.normalisation_of(i) for i in ids),
        bounds=tuple(_bounds(method, i) for i in ids),
        indicator_weights=np.asarray(weights, dtype="float64"),
        dimension_weights=dw,
        within=method.aggregation.within,
        across=method.aggregation.across,
        dropped=dropped,
    )


def _bounds(method: Method, indicator_id: str) -> tuple[float, float] | None:
    choice = method.choice(indicator_id)
    return None if choice is None else choice.bounds


def _mean(x: FloatArray, w: FloatArray, groups: FloatArray, how: str) -> FloatArray:
    """Weighted mean of the columns of ``x`` by group, skipping NaN (renormalised weights).

    ``groups`` is a one-hot matrix (columns × groups). Rows with no known value in a group
    get NaN for that group. The one-draw case of :func:`batch_weighted_mean`.
    """
    out: FloatArray = batch_weighted_mean(x[None, :, :], w[None, :], groups, how)[0]
    return out


def composite(normalised: FloatArray, compiled: CompiledMethod) -> tuple[FloatArray, FloatArray]:
    """Aggregate normalised indicators into dimension scores and the composite index.

    Parameters
    ----------
    normalised
        Matrix (units × indicators) in the column order of ``compiled.indicator_ids``.
    compiled
        Weights and aggregations.

    Returns
    -------
    tuple
        ``(index, scores)``: index per unit (NaN when every dimension is unknown) and the
        matrix (units × dimensions) of dimension scores. A unit lacking some indicators is
        scored on the others, their weights renormalised.
    """
    n = normalised.shape[0]
    k = len(compiled.indicator_ids)
    d = len(compiled.dimension_ids)
    if k == 0:
        return np.full(n, np.nan), np.full((n, 0), np.nan)
    one_hot = np.zeros((k, d))
    one_hot[np.arange(k), compiled.dimension_of] = 1.0
    scores = _mean(normalised, compiled.indicator_weights, one_hot, compiled.within)
    return combine(scores, compiled), scores


def combine(scores: FloatArray, compiled: CompiledMethod) -> FloatArray:
    """Aggregate dimension scores (units × dimensions) into the composite index.

    Used by :func:`composite`, and again after a missing dimension score was imputed
    (:mod:`quartiers.method.completeness`).
    """
    d = len(compiled.dimension_ids)
    if d == 0:
        return np.full(scores.shape[0], np.nan)
    return _mean(scores, compiled.dimension_weights, np.ones((d, 1)), compiled.across)[:, 0]


def score(
    values: FloatArray,
    reference: Reference | FloatArray,
    weights: FloatArray | None,
    compiled: CompiledMethod,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normalise then aggregate: return ``(index, dimension scores, normalised matrix)``.

    ``values`` (units × indicators) follows the column order of ``compiled.indicator_ids``;
    ``reference`` is a prebuilt :class:`~quartiers.method.normalise.Reference` in the same
    order (fast path for repeated calls) or a cells × indicators matrix with its
    ``weights``.
    """
    norm = normalise(
        values,
        reference,
        weights,
        kinds=compiled.kinds,
        directions=compiled.directions,
        bounds=compiled.bounds,
    )
    index, scores = composite(norm, compiled)
    return index, scores, norm
