"""Like with like: which units lack a dimension of the index, and what to do about it.

A unit (cell, QPV, rest of a commune) whose index is built on fewer dimensions than the others
of the territory must not be ranked against them: its index measures something else. The
method key ``missing_dimension`` says what to do with it:

``exclude`` (default)
    the unit keeps the dimensions it has, but it is not ranked and gets no quintile
    (status « incomplet »); the cells lacking a dimension leave the quintile breaks.
``impute``
    the missing dimension score is set to the territory's population-weighted mean of that
    dimension over the cells that have it; the Monte Carlo draws it uniformly over the whole
    scale of the dimension (0–1; with a z-score, the range of the territory's cells), so the
    rank interval covers every value the missing data allows.

Pure functions over score matrices (units × dimensions, in ``CompiledMethod.dimension_ids``
order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MISSING_DIMENSION",
    "Completeness",
    "draw_range",
    "fill_scores",
    "missing_dimensions",
    "present_dimensions",
    "territory_fill",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Values of the method key ``missing_dimension`` (id → French label).
MISSING_DIMENSION: dict[str, str] = {
    "exclude": "QPV sans toutes les dimensions : publiés à part, non classés (« incomplet »)",
    "impute": (
        "dimension absente imputée (moyenne du territoire pondérée par la population), "
        "tirée sur toute son échelle dans l'analyse d'incertitude"
    ),
}


def present_dimensions(cell_scores: FloatArray, scored: BoolArray) -> BoolArray:
    """Return, per dimension, whether at least one scored cell of the territory has it.

    Parameters
    ----------
    cell_scores
        Dimension scores of the cells (cells × dimensions).
    scored
        Cells that get an index (populated above the method's cell floor).
    """
    known = np.isfinite(np.asarray(cell_scores, dtype="float64"))
    return np.asarray(known[np.asarray(scored, dtype=bool)].any(axis=0), dtype=bool)


def missing_dimensions(scores: FloatArray, present: BoolArray, populated: BoolArray) -> BoolArray:
    """Return units × dimensions: True where a populated unit lacks a present dimension.

    A unit without residents (or whose every dimension is unknown) is not "incomplete": it
    has no index at all and is handled by the population floors.
    """
    known = np.isfinite(np.asarray(scores, dtype="float64"))
    has_any = known.any(axis=1) & np.asarray(populated, dtype=bool)
    return np.asarray(~known & present[None, :] & has_any[:, None], dtype=bool)


def territory_fill(cell_scores: FloatArray, weights: FloatArray) -> FloatArray:
    """Return per dimension the population-weighted mean score of the cells that have it."""
    scores = np.asarray(cell_scores, dtype="float64")
    w = np.asarray(weights, dtype="float64")[:, None]
    ok = np.isfinite(scores) & (w > 0)
    total = np.where(ok, w, 0.0).sum(axis=0)
    num = np.where(ok, scores * w, 0.0).sum(axis=0)
    out = np.full(scores.shape[1], np.nan)
    np.divide(num, total, out=out, where=total > 0)
    return out


def fill_scores(scores: FloatArray, missing: BoolArray, values: FloatArray) -> FloatArray:
    """Return ``scores`` with ``missing`` entries set to ``values`` (per unit or dimension).

    ``values`` is either one value per dimension or a matrix of the shape of ``scores``.
    """
    out = np.array(scores, dtype="float64", copy=True)
    full = np.broadcast_to(np.asarray(values, dtype="float64"), out.shape)
    out[missing] = full[missing]
    return out


def draw_range(
    cell_scores: FloatArray, scored: BoolArray, zscore: Sequence[bool]
) -> tuple[FloatArray, FloatArray]:
    """Return per dimension the ``(low, high)`` range an imputed score is drawn in.

    Scores on 0–1 scales (percentile, min–max, fixed bounds) range over the whole scale;
    a dimension holding a z-scored indicator ranges over its scored cells' minimum–maximum.
    """
    scores = np.asarray(cell_scores, dtype="float64")[np.asarray(scored, dtype=bool)]
    k = scores.shape[1]
    low, high = np.zeros(k), np.ones(k)
    for d in range(k):
        if zscore[d]:
            col = scores[:, d]
            col = col[np.isfinite(col)]
            if col.size:
                low[d], high[d] = float(col.min()), float(col.max())
    return low, high


@dataclass(frozen=True)
class Completeness:
    """Which dimensions each unit lacks, and how the method treats them.

    Attributes
    ----------
    mode
        ``exclude`` or ``impute`` (the method's ``missing_dimension``).
    dimension_ids
        Dimensions of the index, in score column order.
    present
        Per dimension: some scored cell of the territory has it.
    cells, zones
        Units × dimensions: True where the unit lacks a present dimension.
    fill
        Per dimension, the value given to a missing score with ``impute`` (NaN otherwise).
    """

    mode: str
    dimension_ids: tuple[str, ...]
    present: BoolArray
    cells: BoolArray
    zones: BoolArray
    fill: FloatArray

    @property
    def impute(self) -> bool:
        """Return True when missing dimensions are imputed."""
        return self.mode == "impute"

    def incomplete_cells(self) -> BoolArray:
        """Return the cells lacking a dimension."""
        return np.asarray(self.cells.any(axis=1), dtype=bool)

    def incomplete_zones(self) -> BoolArray:
        """Return the zones lacking a dimension."""
        return np.asarray(self.zones.any(axis=1), dtype=bool)
