"""What the robustness steps read from a scored run (:class:`RobustnessInputs`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

if TYPE_CHECKING:
    from quartiers.diagnostic._cell_indicators import CellIndicators
    from quartiers.diagnostic._reference_run import RunReference
    from quartiers.diagnostic.aggregate import ZoneTotals
    from quartiers.method.completeness import Completeness
    from quartiers.method.spec import Method

__all__ = ["RobustnessInputs", "resident_mean"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RobustnessInputs:
    """The arrays of a scored run the Monte Carlo, Sobol and hotspot steps read.

    Attributes
    ----------
    method
        The validated method.
    computed
        Cell indicators (values, numerators, denominators).
    cell_population, imputed
        Population and imputation flag of the cells (order of the matrix columns).
    is_qpv
        Which zones are QPV (in the order of the ``qpv`` layer).
    qpv_matrix
        Overlap shares, QPV × cells.
    totals
        Zone totals (all zones).
    completeness
        Units lacking a dimension and the method's rule (``missing_dimension``).
    scale
        The run's reference (a fixed one is used by every draw as it is).
    alternative
        The other allocation rule and its overlap shares (QPV × cells) when the territory
        has residential buildings, else None (the allocation is not varied).
    osm_blocks
        Block of 1 km of each cell when the canopy counts mapped features, else None.
    """

    method: Method
    computed: CellIndicators
    cell_population: FloatArray
    imputed: NDArray[np.bool_]
    is_qpv: NDArray[np.bool_]
    qpv_matrix: sparse.csr_array
    totals: ZoneTotals
    completeness: Completeness | None = None
    scale: RunReference | None = None
    alternative: tuple[str, sparse.csr_array] | None = None
    osm_blocks: NDArray[np.int64] | None = None


def resident_mean(
    qpv_matrix: sparse.csr_array, values: FloatArray, population: FloatArray
) -> FloatArray:
    """Return each QPV's mean of a cell value over its residents (cells with a value)."""
    known = np.isfinite(values)
    pop = np.where(known, np.nan_to_num(population), 0.0)
    num = np.asarray(qpv_matrix @ (pop * np.where(known, values, 0.0)), dtype="float64")
    den = np.asarray(qpv_matrix @ pop, dtype="float64")
    out = np.full(den.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out
