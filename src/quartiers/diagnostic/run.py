"""The one orchestrator: territory inputs → indicators per cell → zones → index → Diagnostic.

:func:`run_diagnostic` runs the steps in order: check and lay the inputs on the grid
(:mod:`quartiers.diagnostic._prepare`), compute the cell indicators
(:mod:`quartiers.diagnostic._cell_indicators`), sum them per zone
(:mod:`quartiers.diagnostic.aggregate`), score and rank (:mod:`quartiers.diagnostic.scoring`),
build the layers and ``run.json`` (:mod:`quartiers.diagnostic._assemble`), then robustness
(:mod:`quartiers.diagnostic.robustness`) and territory columns. :class:`Diagnostic`
(:mod:`quartiers.diagnostic.result`) holds the result; see ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from quartiers.diagnostic import _reference_run
from quartiers.diagnostic._allocation import AllocationSummary, add_allocation_columns, allocate
from quartiers.diagnostic._assemble import assemble
from quartiers.diagnostic._cell_indicators import CellIndicators, compute_cell_indicators
from quartiers.diagnostic._indicator_memo import IndicatorMemo
from quartiers.diagnostic._insee_check import add_insee_comparison
from quartiers.diagnostic._prepare import Layers, check_request, prepare_layers
from quartiers.diagnostic._territories import add_territory_columns, territories_of
from quartiers.diagnostic._zone_words import with_zone_words
from quartiers.diagnostic.aggregate import ZoneTotals, aggregate_cells
from quartiers.diagnostic.health_validation import add_health_validation
from quartiers.diagnostic.result import Diagnostic
from quartiers.diagnostic.robustness import RobustnessInputs, RobustnessOptions, add_robustness
from quartiers.diagnostic.scoring import RunContext, RunScores, score_run
from quartiers.heap import reused_heap
from quartiers.method.osm_coverage import blocks_of
from quartiers.method.spec import Method, default_method
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import TerritoryInputs
from quartiers.spatial.overlaps import Overlaps

__all__ = ["Diagnostic", "RobustnessOptions", "run_diagnostic"]

_NULL_PROGRESS = NullProgress()
_ROBUSTNESS = RobustnessOptions()


def run_diagnostic(
    inputs: TerritoryInputs,
    *,
    method: Method | None = None,
    horizon: str = "ref",
    access: pd.DataFrame | None = None,
    progress: Progress = _NULL_PROGRESS,
    robustness: RobustnessOptions = _ROBUSTNESS,
    overlaps: Overlaps | None = None,
    executor: Executor = SERIAL,
    memo: IndicatorMemo | None = None,
) -> Diagnostic:
    """Run the heat-wave vulnerability diagnostic of a territory (inputs already read).

    :func:`quartiers.diagnose` is the entry point: it reads the sources, computes walking
    access and calls this function.

    Parameters
    ----------
    inputs
        Normalised inputs (QPV, Filosofi cells, communes; optional environmental layers).
    method
        Validated method; the packaged default when None.
    horizon
        Climate horizon, one of :data:`quartiers.schemas.HORIZONS`.
    access
        Walking access per cell (index ``idcar_200m``, columns ``dist_<category>_m``…)
        from the accessibility module; the resource dimension runs without it.
    progress
        Receives the progress of the steps (French labels).
    robustness
        Rank intervals, Sobol indices and hotspots (on, with the method's settings, by default).
    overlaps, memo
        Overlap weights and indicator steps of a previous run (:attr:`Diagnostic.overlaps`,
        ``.memo``): reused when built for the same cells, QPV and communes (steps: from the
        same layer objects), recomputed otherwise; this run's steps are added to ``memo``.
    executor
        Computes the independent parts (zones and overlaps per région, blocks of draws): this
        process by default, or a Dask cluster (:mod:`quartiers.parallel`); same numbers.

    Returns
    -------
    Diagnostic
        Cells, QPV and zones (EPSG:3035) with indicators, index and ranks.

    Raises
    ------
    InputError
        Unknown horizon, missing Filosofi columns, QPV outside the grid extent…
    """
    method = method or default_method()
    check_request(inputs, horizon)
    scale = _reference_run.prepare(method, inputs, horizon)
    progress.start("Diagnostic : zones, indicateurs, indice", total=5)
    try:
        with reused_heap():  # see _indicators
            layers, allocation = _allocated(inputs, method, overlaps, executor, memo)
        scale = scale.with_groups(inputs, layers.commune_shares, layers.xy, layers.zones)
        progress.advance()
        computed = _indicators(inputs, layers, method, horizon, access, scale, memo)
        progress.advance()
        totals = _zone_totals(layers, computed)
        progress.advance()
        ctx = RunContext(inputs, method, horizon, access, layers, computed, totals, scale)
        scores = score_run(ctx)
        result = assemble(ctx, scores)
        progress.advance()
    finally:
        progress.finish()
    diag = _completed(result, ctx, scores, allocation, robustness, progress, executor)
    return replace(diag, overlaps=layers.weights, memo=memo)


def _indicators(
    inputs: TerritoryInputs,
    layers: Layers,
    method: Method,
    horizon: str,
    access: pd.DataFrame | None,
    scale: _reference_run.RunReference,
    memo: IndicatorMemo | None,
) -> CellIndicators:
    """Compute the cell indicators on a kept heap (as the zones and overlaps before them).

    Both steps allocate and free the same temporaries again and again: from a kept heap
    (:func:`~quartiers.heap.reused_heap`) their pages are reused instead of mapped and
    zeroed anew (national run: zones 24 → 20 s, indicators 4.3 → 1.2 s), and given back at
    the end of each step; the peak of the run (index and layers) is not in them.
    """
    with reused_heap():
        return compute_cell_indicators(
            inputs,
            layers.cells,
            layers.xy,
            layers.commune_shares,
            method=method,
            horizon=horizon,
            access=access,
            worst=scale.worst_distances() if method.unreachable == "worst" else None,
            memo=memo,
        )


@dataclass(frozen=True)
class _Allocation:
    """The allocation weights and populations of a run (kept in a what-if's memo)."""

    weights: Overlaps
    summary: AllocationSummary


def _allocated(
    inputs: TerritoryInputs,
    method: Method,
    overlaps: Overlaps | None,
    executor: Executor,
    memo: IndicatorMemo | None,
) -> tuple[Layers, AllocationSummary]:
    """Lay the inputs on the grid and allocate the cells' counts (:func:`allocate`).

    With a memo, the allocation of the previous run is reused when it read the same
    buildings and overlap weights (the same objects) on the same cells and method.
    """
    layers = prepare_layers(inputs, overlaps, executor)
    if memo is None:
        return allocate(layers, inputs, method)
    pop = pd.to_numeric(layers.cells["ind"], errors="coerce").to_numpy(dtype="float64")
    memo.bind(layers.xy, pop, layers.cells, method)
    key = (inputs.buildings, layers.weights)
    kept = memo.get("allocation", key, _Allocation)
    if kept is None:
        allocated, summary = allocate(layers, inputs, method)
        kept = _Allocation(weights=allocated.weights, summary=summary)
        memo.put("allocation", key, kept)
    return replace(layers, weights=kept.weights), kept.summary


def _completed(
    result: Diagnostic,
    ctx: RunContext,
    scores: RunScores,
    allocation: AllocationSummary,
    robustness: RobustnessOptions,
    progress: Progress,
    executor: Executor,
) -> Diagnostic:
    """Add robustness, territory, allocation, INSEE and health columns to the scored run."""
    diag = add_robustness(
        result,
        _robustness_inputs(ctx, scores, allocation),
        options=robustness,
        progress=progress,
        executor=executor,
    )
    diag = add_territory_columns(diag, territories_of(ctx.inputs))
    diag = add_allocation_columns(diag, allocation)
    diag = add_insee_comparison(diag, allocation, ctx.inputs.insee_qpv)
    diag = add_health_validation(diag, ctx.inputs.health)
    return with_zone_words(diag) if ctx.inputs.notes.zones is not None else diag


def _zone_totals(layers: Layers, computed: CellIndicators) -> ZoneTotals:
    """Return the counts and indicator sums of every zone (overlap-weighted cells)."""
    cells = layers.cells
    return aggregate_cells(
        layers.matrix,
        population=cells["ind"].to_numpy(dtype="float64"),
        households=cells["men"].to_numpy(dtype="float64"),
        poor_households=cells["men_pauv"].to_numpy(dtype="float64"),
        imputed=cells["imputed"].to_numpy(dtype=bool),
        indicators=computed.values,
    )


def _robustness_inputs(
    ctx: RunContext, scores: RunScores, allocation: AllocationSummary
) -> RobustnessInputs:
    """Return what the robustness steps read from the scored run."""
    cells = ctx.layers.cells
    rows = np.flatnonzero(scores.is_qpv)
    alternative = allocation.alternative
    return RobustnessInputs(
        method=ctx.method,
        computed=ctx.computed,
        cell_population=cells["ind"].to_numpy(dtype="float64"),
        imputed=cells["imputed"].to_numpy(dtype=bool),
        is_qpv=scores.is_qpv,
        qpv_matrix=sparse.csr_array(ctx.layers.matrix[rows]),
        totals=ctx.totals,
        completeness=scores.completeness,
        scale=ctx.scale,
        alternative=(
            None
            if alternative is None
            else (alternative[0], sparse.csr_array(alternative[1][rows]))
        ),
        osm_blocks=blocks_of(ctx.layers.xy) if ctx.computed.canopy_mapped else None,
    )
