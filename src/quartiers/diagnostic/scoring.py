"""Score cells and zones, apply the like-with-like rule and rank the QPV (orchestrator step).

:func:`score_run` normalises the cell and zone indicators against the run's reference
(:mod:`quartiers.diagnostic._reference_run`), combines them into dimension scores and the
index (:func:`quartiers.method.composite.score`), applies the method's ``missing_dimension``
rule (:mod:`quartiers.diagnostic._like_with_like`), scores each QPV's rest of commune and
EPCI, and ranks the QPV. Everything it returns is a :class:`RunScores`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic import _like_with_like, _reference_run
from quartiers.diagnostic._cell_indicators import CellIndicators
from quartiers.diagnostic._prepare import Layers
from quartiers.diagnostic.aggregate import ZoneTotals
from quartiers.indicators.registry import REGISTRY
from quartiers.method.completeness import Completeness, missing_dimensions
from quartiers.method.composite import CompiledMethod, compile_method, score
from quartiers.method.hazard import frame_columns
from quartiers.method.normalise import Reference
from quartiers.method.rank import rank_descending, weighted_breaks
from quartiers.method.spec import Method
from quartiers.schemas import TerritoryInputs
from quartiers.spatial.zones import comparison_groups

__all__ = ["RunContext", "RunScores", "Scored", "hide_small", "score_run", "score_units"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class RunContext:
    """What the scoring and the output tables of a run read (built by the orchestrator)."""

    inputs: TerritoryInputs
    method: Method
    horizon: str
    access: pd.DataFrame | None
    layers: Layers
    computed: CellIndicators
    totals: ZoneTotals
    scale: _reference_run.RunReference


@dataclass
class Scored:
    """Published values, normalised indicators, dimension scores and index of some units."""

    values: FloatArray  # published indicator values (units × computed indicators)
    index: FloatArray
    scores: FloatArray
    normalised: FloatArray  # normalised indicators of the index (compiled column order)
    hazard: dict[str, FloatArray] = field(default_factory=dict)  # hazard and exposure levels

    def add_hazard(self, method: Method, ids: tuple[str, ...], compiled: CompiledMethod) -> None:
        """Set the hazard level and exposure level columns (method v2 ``hazard`` section)."""
        if method.hazard is None:
            return
        bounds = method.hazard.indicators
        values = {i: self.values[:, ids.index(i)] for i in bounds if i in ids}
        dims = compiled.dimension_ids
        exposure = (
            self.scores[:, dims.index("exposure")]
            if "exposure" in dims
            else np.full(self.values.shape[0], np.nan)
        )
        self.hazard = frame_columns(bounds, values, exposure)


@dataclass(frozen=True)
class RunScores:
    """The scored units of a run (see :func:`score_run`).

    ``cells`` and ``zones`` are final (like-with-like rule applied); ``zone_raw_scores``
    are the zones' dimension scores before imputation; ``comparisons`` and ``compared``
    are each QPV's rest of commune and EPCI (totals and scores, keys ``commune``, ``epci``).
    """

    compiled: CompiledMethod
    cell_population: FloatArray
    cells: Scored
    small_cell: BoolArray
    zones: Scored
    zone_raw_scores: FloatArray
    completeness: Completeness
    breaks: FloatArray
    is_qpv: BoolArray
    comparisons: Mapping[str, ZoneTotals]
    compared: Mapping[str, Scored]
    ranks: FloatArray


def hide_small(values: FloatArray, population: FloatArray, ids: tuple[str, ...]) -> FloatArray:
    """Blank values of units whose population is below each indicator's display floor."""
    floors = np.asarray([REGISTRY[i].min_population for i in ids], dtype="float64")
    out = values.copy()
    out[population[:, None] < floors[None, :]] = np.nan
    return out


def score_units(
    values: FloatArray,
    population: FloatArray,
    ids: tuple[str, ...],
    compiled: CompiledMethod,
    reference: Reference | _reference_run.Grouped,
    groups: IntArray | None = None,
) -> Scored:
    """Score units against one reference, or each against its territory's (``groups``)."""
    published = hide_small(values, population, ids)
    cols = [ids.index(i) for i in compiled.indicator_ids]
    if isinstance(reference, Reference):
        index, scores, norm = score(published[:, cols], reference, None, compiled)
        return Scored(values=published, index=index, scores=scores, normalised=norm)
    if groups is None:
        raise ValueError("a reference per territory needs the territory of each unit")
    parts = [
        (rows, score(published[rows][:, cols], ref, None, compiled))
        for rows, ref in reference.split(groups)
    ]
    n = len(published)
    index = np.full(n, np.nan)
    scores = np.full((n, len(compiled.dimension_ids)), np.nan)
    norm = np.full((n, len(cols)), np.nan)
    for rows, (i, s, x) in parts:
        index[rows], scores[rows], norm[rows] = i, s, x
    return Scored(values=published, index=index, scores=scores, normalised=norm)


def _cell_values(ctx: RunContext) -> tuple[FloatArray, FloatArray]:
    """Return the cell indicator values and their denominators (columns: zone totals' ids)."""
    ids = ctx.totals.indicator_ids
    values = ctx.computed.values
    if not ids:
        empty = np.zeros((len(ctx.layers.cells), 0))
        return empty, empty
    return (
        np.column_stack([values[i].value for i in ids]),
        np.column_stack([values[i].den for i in ids]),
    )


def score_run(ctx: RunContext) -> RunScores:
    """Score cells and zones against the run's reference, then the QPV's rests, and rank."""
    ids = ctx.totals.indicator_ids
    method, totals, scale = ctx.method, ctx.totals, ctx.scale
    compiled = compile_method(method, ids, ctx.computed.missing)
    cell_values, ref_weights = _cell_values(ctx)
    cols = [ids.index(i) for i in compiled.indicator_ids]
    ref = scale.build(compiled.indicator_ids, cell_values[:, cols], ref_weights[:, cols])
    cell_pop = ctx.layers.cells["ind"].to_numpy(dtype="float64")
    cells = score_units(cell_values, cell_pop, ids, compiled, ref, scale.cell_groups)
    small_cell = ~(cell_pop >= method.cell_population_floor)
    cells.index[small_cell] = np.nan
    cells.scores[small_cell] = np.nan
    zones = score_units(totals.values, totals.population, ids, compiled, ref, scale.zone_groups)
    cells.add_hazard(method, ids, compiled)
    zones.add_hazard(method, ids, compiled)
    completeness = _like_with_like.assess(
        method, compiled, cells, ~small_cell, cell_pop, zones, totals.population
    )
    zone_raw_scores = zones.scores.copy()
    _like_with_like.apply(cells, completeness.cells, completeness, compiled, blank=True)
    _like_with_like.apply(zones, completeness.zones, completeness, compiled)
    breaks = weighted_breaks(cells.index, cell_pop)
    is_qpv = (ctx.layers.zones["zone_type"] == "qpv").to_numpy()
    comparisons, compared = _score_rests(ctx, compiled, ref, completeness, is_qpv)
    eligible = totals.population[is_qpv] >= method.population_floor
    if not completeness.impute:
        eligible &= ~completeness.incomplete_zones()[is_qpv]
    return RunScores(
        compiled=compiled,
        cell_population=cell_pop,
        cells=cells,
        small_cell=small_cell,
        zones=zones,
        zone_raw_scores=zone_raw_scores,
        completeness=completeness,
        breaks=breaks,
        is_qpv=is_qpv,
        comparisons=comparisons,
        compared=compared,
        ranks=rank_descending(zones.index[is_qpv], eligible),
    )


def _score_rests(
    ctx: RunContext,
    compiled: CompiledMethod,
    ref: Reference | _reference_run.Grouped,
    completeness: Completeness,
    is_qpv: BoolArray,
) -> tuple[dict[str, ZoneTotals], dict[str, Scored]]:
    """Return the totals and scores of each QPV's rest of commune and rest of EPCI."""
    ids = ctx.totals.indicator_ids
    commune_groups, epci_groups = comparison_groups(ctx.layers.zones)
    comparisons = {
        "commune": ctx.totals.combine(commune_groups),
        "epci": ctx.totals.combine(epci_groups),
    }
    zone_groups = ctx.scale.zone_groups
    qpv_groups = None if zone_groups is None else zone_groups[is_qpv]
    compared = {
        name: score_units(t.values, t.population, ids, compiled, ref, qpv_groups)
        for name, t in comparisons.items()
    }
    for name, scored in compared.items():
        gaps = missing_dimensions(
            scored.scores, completeness.present, comparisons[name].population > 0
        )
        _like_with_like.apply(scored, gaps, completeness, compiled)
    return comparisons, compared
