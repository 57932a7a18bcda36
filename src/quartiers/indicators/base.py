"""The per-cell result of an indicator: a value and the additive pair that aggregates it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["CellIndicator", "cell_values", "from_counts", "from_values", "safe_ratio"]

FloatArray = NDArray[np.float64]


def safe_ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """Return ``num / den`` element-wise, NaN where ``den`` is not positive (never inf)."""
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num / den, dtype="float64")
    bad = ~(den > 0)
    if bad.any():
        out[np.broadcast_to(bad, out.shape)] = np.nan
    return out


def cell_values(cell_ids: Sequence[str], table: pd.DataFrame, column: str) -> FloatArray:
    """Return ``table[column]`` for each cell of ``cell_ids`` (matched on ``idcar_200m``).

    Cells absent from ``table`` (or with an empty value) get NaN; a cell listed twice in
    ``table`` keeps its first row.
    """
    unique = table.drop_duplicates("idcar_200m")
    per_cell = pd.Series(
        pd.to_numeric(unique[column], errors="coerce").to_numpy(dtype="float64"),
        index=unique["idcar_200m"].astype(str).to_numpy(),
    )
    values = per_cell.reindex([str(c) for c in cell_ids])
    return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


@dataclass(frozen=True)
class CellIndicator:
    """Values of one indicator on the cells, plus its additive numerator and denominator.

    A zone's value is ``sum(share * num) / sum(share * den)`` over its cells, so rates are
    ratios of summed counts and cell-level environmental values are weighted by population.

    Attributes
    ----------
    value
        Cell value (NaN when undefined, e.g. no household or no data).
    num
        Additive numerator (0 where the value is undefined).
    den
        Additive denominator, also the weight of the cell in reference distributions.
    """

    value: FloatArray
    num: FloatArray
    den: FloatArray


def from_counts(num: FloatArray, den: FloatArray) -> CellIndicator:
    """Build a rate indicator from two count columns.

    The value is NaN where ``den`` is 0; a cell with a missing count (NaN) is left out of
    both sums, so it neither adds to nor dilutes a zone's rate.
    """
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    # One pass each to detect missing counts (the common case has none).
    if not (np.isfinite(num.sum()) and np.isfinite(den.sum())):
        known = np.isfinite(num) & np.isfinite(den)
        num = np.where(known, num, 0.0)
        den = np.where(known, den, 0.0)
    return CellIndicator(value=safe_ratio(num, den), num=num, den=den)


def from_values(value: FloatArray, population: FloatArray) -> CellIndicator:
    """Build a population-weighted indicator from cell values (NaN values weigh nothing)."""
    value = np.asarray(value, dtype="float64")
    population = np.nan_to_num(np.asarray(population, dtype="float64"), nan=0.0)
    known = np.isfinite(value)
    den = np.where(known, population, 0.0)
    num = np.where(known, value * population, 0.0)
    return CellIndicator(value=np.where(known, value, np.nan), num=num, den=den)
