"""Cells → zones: exact overlap shares as a sparse matrix, additive sums, ratios of sums.

A zone's count is the sum over cells of ``share × count`` where ``share`` is the exact
share of the cell's area inside the zone (:func:`quartiers.spatial.grid.overlap_shares`); a zone's
rate is the ratio of its summed numerator and denominator (never a mean of cell ratios).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import CellIndicator, safe_ratio

__all__ = ["ZoneTotals", "aggregate_cells"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ZoneTotals:
    """Summed counts and indicator values of a set of zones.

    Attributes
    ----------
    population, households, poor_households, imputed_population
        Summed counts (fractional: shares × counts).
    num, den
        Summed numerators and denominators (zones × indicators).
    values
        ``num / den`` (NaN where ``den`` is 0).
    indicator_ids
        Column order of ``num``, ``den`` and ``values``.
    """

    population: FloatArray
    households: FloatArray
    poor_households: FloatArray
    imputed_population: FloatArray
    num: FloatArray
    den: FloatArray
    values: FloatArray
    indicator_ids: tuple[str, ...]

    def combine(self, groups: Sequence[Sequence[int]]) -> ZoneTotals:
        """Return the totals of unions of zones (each group a list of zone positions).

        Counts add up, so the union of disjoint zones is exact (e.g. the rest of two
        communes a QPV straddles).
        """
        rows = [np.asarray(g, dtype=np.int64) for g in groups]

        def summed(a: FloatArray) -> FloatArray:
            return np.asarray(
                [a[r].sum(axis=0) if r.size else np.zeros(a.shape[1:]) for r in rows]
            ).reshape((len(rows), *a.shape[1:]))

        num, den = summed(self.num), summed(self.den)
        return ZoneTotals(
            population=summed(self.population),
            households=summed(self.households),
            poor_households=summed(self.poor_households),
            imputed_population=summed(self.imputed_population),
            num=num,
            den=den,
            values=safe_ratio(num, den),
            indicator_ids=self.indicator_ids,
        )


def aggregate_cells(
    matrix: sparse.csr_array,
    *,
    population: FloatArray,
    households: FloatArray,
    poor_households: FloatArray,
    imputed: NDArray[np.bool_],
    indicators: Mapping[str, CellIndicator],
) -> ZoneTotals:
    """Sum cell counts and indicator numerators/denominators into zones.

    Parameters
    ----------
    matrix
        Overlap shares (zones × cells) from :func:`overlap_matrix`.
    population, households, poor_households
        Cell counts (``ind``, ``men``, ``men_pauv``).
    imputed
        True for cells estimated by INSEE.
    indicators
        Indicator id → :class:`CellIndicator`.
    """
    # One sparse product per column, on the whole grid: no gathered copy of the cells a zone
    # touches, no (cells × columns) block (on a national grid, 2.3 million rows × dozens of
    # columns written across). Each zone's sum runs over its entries in the same order as a
    # product with the stacked columns, so the sums are the same numbers.
    pop = np.nan_to_num(np.asarray(population, dtype="float64"))
    ids = tuple(indicators)
    columns = [
        pop,
        np.nan_to_num(np.asarray(households, dtype="float64")),
        np.nan_to_num(np.asarray(poor_households, dtype="float64")),
        np.where(np.asarray(imputed, dtype=bool), pop, 0.0),
        *(indicators[i].num for i in ids),
        *(indicators[i].den for i in ids),
    ]
    summed = np.column_stack(
        [np.asarray(matrix @ np.asarray(c, dtype="float64")).reshape(-1) for c in columns]
    )
    k = len(ids)
    num = summed[:, 4 : 4 + k]
    den = summed[:, 4 + k :]
    return ZoneTotals(
        population=summed[:, 0],
        households=summed[:, 1],
        poor_households=summed[:, 2],
        imputed_population=summed[:, 3],
        num=num,
        den=den,
        values=safe_ratio(num, den),
        indicator_ids=ids,
    )
