"""The arrays a method variant needs: a territory's cells, QPV and indicators as matrices.

A :class:`RankingProblem` is built once per run (:func:`build_problem`) and evaluated under
thousands of method variants by :mod:`quartiers.method.evaluation` (Monte Carlo of
:mod:`quartiers.method.uncertainty`, Sobol analysis of :mod:`quartiers.method.sensitivity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import CellIndicator
from quartiers.indicators.registry import REGISTRY
from quartiers.method.composite import CompiledMethod
from quartiers.method.normalise import Reference
from quartiers.method.spec import Method

__all__ = ["RankingProblem", "build_problem"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class RankingProblem:
    """Everything a draw needs, as arrays (indicator columns in ``compiled`` order).

    Attributes
    ----------
    compiled
        The method as run (the draws replace its kinds, weights and aggregations).
    drawn_normalisation
        Per indicator: True when it follows the method's default normalisation (the draws
        change it), False when the method gives it its own.
    cell_value, cell_num, cell_den
        Cells × indicators: value, additive numerator and denominator (also the weight of a
        cell in the reference distribution).
    cell_population
        Residents per cell.
    cell_floor
        Cells with fewer residents get no index (they do not enter the quintile breaks).
    qpv_matrix
        Sparse overlap shares (QPV × cells).
    qpv_num, qpv_den, qpv_population
        The QPV's summed numerators, denominators and residents.
    eligible
        QPV ranked (population at or above the method's floor).
    display_floor
        Per indicator: residents a unit needs for its value to be shown (and scored).
    imputed
        Cells estimated by INSEE.
    perturbable
        Per indicator: computed from Filosofi counts (imputed values can be perturbed).
    bounded
        Per indicator: a share (0–1), so a perturbed numerator never exceeds its denominator.
    missing
        Stacked units (QPV then cells) × dimensions: the unit lacks a dimension the territory
        has (:mod:`quartiers.method.completeness`); None when every unit is complete.
    impute
        Missing dimension scores are drawn (``missing_dimension: impute``); otherwise the
        incomplete cells leave the quintile breaks (incomplete QPV are not ``eligible``).
    lcz_column, lcz_classes
        Column of ``lcz_heat`` and the LCZ classes of « variable » sensitivity present in the
        territory (-1 and () when none: the LCZ score table does not vary).
    lcz_shares
        Cells × ``lcz_classes``: each class's share of the cell's scored LCZ area (0 where
        the cell has no ``lcz_heat`` value).
    lcz_qpv
        QPV × ``lcz_classes``: ``qpv_matrix @ (den × lcz_shares)``, how a class's score moves
        the QPV's ``lcz_heat`` numerator.
    lcz_range
        Range in which a « variable » class's score is drawn (the method uses its middle).
    reference
        A fixed reference (method ``reference: FILE``, columns in ``compiled`` order) used
        by every draw; None: each draw normalises against the run's (perturbed) cells.
    cell_group, qpv_group
        Territory index of each cell and QPV (method ``reference: territory``; -1: none):
        a unit is normalised against the cells of its territory (all cells for -1).
    allocation_rules
        The run's allocation rule then the alternative one a draw may use instead (empty:
        the allocation does not vary).
    alternative_matrix
        Overlap shares (QPV × cells) under the alternative rule, or None.
    osm_column, osm_blocks, osm_range
        Column of ``canopy_share`` when it comes from mapped OpenStreetMap features, each
        cell's block of 1 km and the completeness range drawn per block
        (:mod:`quartiers.method.osm_coverage`); -1 / None when the canopy does not vary.
    """

    compiled: CompiledMethod
    drawn_normalisation: BoolArray
    cell_value: FloatArray
    cell_num: FloatArray
    cell_den: FloatArray
    cell_population: FloatArray
    cell_floor: float
    qpv_matrix: sparse.csr_array
    qpv_num: FloatArray
    qpv_den: FloatArray
    qpv_population: FloatArray
    eligible: BoolArray
    display_floor: FloatArray
    imputed: BoolArray
    perturbable: BoolArray
    bounded: BoolArray
    missing: BoolArray | None = None
    impute: bool = False
    lcz_column: int = -1
    lcz_classes: tuple[str, ...] = ()
    lcz_shares: FloatArray | None = None
    lcz_qpv: FloatArray | None = None
    lcz_range: tuple[float, float] = (1.0, 3.0)
    reference: Reference | None = None
    cell_group: IntArray | None = None
    qpv_group: IntArray | None = None
    allocation_rules: tuple[str, ...] = ()
    alternative_matrix: sparse.csr_array | None = None
    osm_column: int = -1
    osm_blocks: IntArray | None = None
    osm_range: tuple[float, float] = (1.0, 1.0)

    @property
    def n_qpv(self) -> int:
        """Return the number of QPV."""
        return int(self.qpv_num.shape[0])

    def under_alternative(self) -> RankingProblem:
        """Return the problem with the QPV allocated by the alternative rule.

        The cells do not change; the QPV's sums, residents and LCZ class weights are
        summed again through :attr:`alternative_matrix`. The QPV ranked stay the run's.
        """
        if self.alternative_matrix is None:
            return self
        matrix = self.alternative_matrix
        lcz_qpv = self.lcz_qpv
        if lcz_qpv is not None and self.lcz_shares is not None:
            den = self.cell_den[:, [self.lcz_column]]
            lcz_qpv = np.asarray(matrix @ (den * self.lcz_shares), dtype="float64")
        return replace(
            self,
            qpv_matrix=matrix,
            qpv_num=np.asarray(matrix @ self.cell_num, dtype="float64"),
            qpv_den=np.asarray(matrix @ self.cell_den, dtype="float64"),
            qpv_population=np.asarray(matrix @ self.cell_population, dtype="float64"),
            lcz_qpv=lcz_qpv,
            alternative_matrix=None,
        )


def build_problem(
    method: Method,
    compiled: CompiledMethod,
    indicators: Mapping[str, CellIndicator],
    *,
    cell_population: FloatArray,
    imputed: BoolArray,
    qpv_matrix: sparse.csr_array,
    qpv_num: FloatArray | None = None,
    qpv_den: FloatArray | None = None,
    qpv_population: FloatArray | None = None,
    missing: BoolArray | None = None,
    impute: bool = False,
    lcz_variable: Mapping[str, FloatArray] | None = None,
    reference: Reference | None = None,
    cell_group: IntArray | None = None,
    qpv_group: IntArray | None = None,
    alternative_matrix: sparse.csr_array | None = None,
    osm_blocks: IntArray | None = None,
) -> RankingProblem:
    """Gather the arrays of a :class:`RankingProblem`.

    Parameters
    ----------
    method, compiled
        The validated method and ``compile_method(method, indicators)``.
    indicators
        Indicator id → cell values (at least those of ``compiled``).
    cell_population, imputed
        Residents per cell (``ind``); cells estimated by INSEE.
    qpv_matrix
        Overlap shares (QPV × cells), see :func:`quartiers.spatial.overlaps.overlap_matrix`.
    qpv_num, qpv_den, qpv_population
        QPV totals as the diagnostic computed them (``ZoneTotals`` rows of the QPV, in
        ``compiled`` column order); summed here from ``qpv_matrix`` when None.
    missing, impute
        QPV then cells × dimensions lacking a dimension the territory has, or None; draw the
        missing dimension scores when ``impute``, otherwise an incomplete QPV is not ranked.
    lcz_variable
        Per LCZ class of « variable » sensitivity, its share of each cell's scored LCZ area
        (:func:`~quartiers.indicators.exposure.lcz_class_fractions`), or None.
    reference, cell_group, qpv_group
        A fixed reference of the ``compiled`` indicators, or None (the run's cells); the
        territory of each cell and QPV when each is normalised within its territory.
    alternative_matrix
        Overlap shares (QPV × cells) under the other allocation rule (the territory has
        residential buildings), or None; drawn when ``uncertainty.allocations`` lists both.
    osm_blocks
        Block of 1 km of each cell when ``canopy_share`` comes from mapped OpenStreetMap
        features (:func:`~quartiers.method.osm_coverage.blocks_of`), or None; its mapping
        completeness is drawn when ``uncertainty.osm_completeness`` is set.
    """
    ids, n = compiled.indicator_ids, len(cell_population)
    pop = np.nan_to_num(np.asarray(cell_population, dtype="float64"))
    num, den = _stack(indicators, ids, n, "num"), _stack(indicators, ids, n, "den")
    matrix = sparse.csr_array(qpv_matrix)
    q_pop = np.asarray(matrix @ pop if qpv_population is None else qpv_population, "float64")
    lcz = _lcz_fields(ids, den, matrix, lcz_variable, method.uncertainty.lcz_variable_range)
    return RankingProblem(
        compiled=compiled,
        cell_value=_stack(indicators, ids, n, "value"),
        cell_num=num,
        cell_den=den,
        cell_population=pop,
        cell_floor=float(method.cell_population_floor),
        qpv_matrix=matrix,
        qpv_num=np.asarray(matrix @ num if qpv_num is None else qpv_num, dtype="float64"),
        qpv_den=np.asarray(matrix @ den if qpv_den is None else qpv_den, dtype="float64"),
        qpv_population=q_pop,
        eligible=_eligible(method, q_pop, missing, impute),
        imputed=np.asarray(imputed, dtype=bool),
        missing=None if missing is None or not np.any(missing) else np.asarray(missing, bool),
        impute=impute,
        reference=reference,
        cell_group=cell_group,
        qpv_group=qpv_group,
        **_indicator_flags(method, ids),
        **lcz,
        **_data_factors(method, ids, alternative_matrix, osm_blocks),
    )


def _eligible(
    method: Method, q_pop: FloatArray, missing: BoolArray | None, impute: bool
) -> BoolArray:
    """Return the QPV ranked: above the population floor, complete unless imputed."""
    eligible = np.asarray(q_pop >= method.population_floor, dtype=bool)
    if missing is not None and not impute:
        eligible &= ~np.asarray(missing, dtype=bool)[: len(q_pop)].any(axis=1)
    return eligible


def _data_factors(
    method: Method,
    ids: tuple[str, ...],
    alternative: sparse.csr_array | None,
    blocks: IntArray | None,
) -> dict[str, Any]:
    """Return the allocation and OSM-coverage fields when the data let them vary."""
    unc = method.uncertainty
    out: dict[str, Any] = {}
    rules = [r for r in unc.allocations or () if r != method.allocation]
    if alternative is not None and rules:
        out["allocation_rules"] = (method.allocation, rules[0])
        out["alternative_matrix"] = sparse.csr_array(alternative)
    span = unc.osm_completeness
    if blocks is not None and span is not None and span[0] < 1 and "canopy_share" in ids:
        out["osm_column"] = ids.index("canopy_share")
        out["osm_blocks"] = np.asarray(blocks, dtype=np.int64)
        out["osm_range"] = (float(span[0]), float(span[1]))
    return out


def _stack(
    indicators: Mapping[str, CellIndicator], ids: tuple[str, ...], n: int, attr: str
) -> FloatArray:
    """Return the cells × indicators matrix of attribute ``attr`` (value, num or den)."""
    if not ids:
        return np.zeros((n, 0))
    return np.column_stack([getattr(indicators[i], attr) for i in ids]).astype("float64")


def _indicator_flags(method: Method, ids: tuple[str, ...]) -> dict[str, Any]:
    """Per indicator: normalisation drawn, display floor, Filosofi (perturbable), a share."""
    return {
        "drawn_normalisation": np.asarray(
            [_own_normalisation(method, i) is None for i in ids], dtype=bool
        ),
        "display_floor": np.asarray([REGISTRY[i].min_population for i in ids], dtype="float64"),
        "perturbable": np.asarray(["Filosofi" in REGISTRY[i].source for i in ids], dtype=bool),
        "bounded": np.asarray([REGISTRY[i].unit == "part (0–1)" for i in ids], dtype=bool),
    }


def _lcz_fields(
    ids: tuple[str, ...],
    den: FloatArray,
    matrix: sparse.csr_array,
    shares: Mapping[str, FloatArray] | None,
    span: tuple[float, float],
) -> dict[str, Any]:
    """Return the ``lcz_*`` fields: the « variable » classes present where LCZ is known."""
    if not shares or "lcz_heat" not in ids or not span[1] > span[0]:
        return {}
    j = ids.index("lcz_heat")
    known = den[:, j] > 0
    present = [c for c, v in shares.items() if np.any(np.asarray(v)[known] > 0)]
    if not present:
        return {}
    table = np.column_stack([np.where(known, shares[c], 0.0) for c in present])
    return {
        "lcz_column": j,
        "lcz_classes": tuple(present),
        "lcz_shares": table,
        "lcz_qpv": np.asarray(matrix @ (den[:, [j]] * table), dtype="float64"),
        "lcz_range": (float(span[0]), float(span[1])),
    }


def _own_normalisation(method: Method, indicator_id: str) -> str | None:
    choice = method.choice(indicator_id)
    return None if choice is None else choice.normalisation
