"""Monte Carlo rank intervals and Sobol indices of a scored run (robustness step).

:func:`explore_uncertainty` builds the problem of :mod:`quartiers.method.uncertainty` from
the run's arrays, draws the method's choices, runs the Sobol analysis of
:mod:`quartiers.method.sensitivity`, and returns the new ``qpv`` columns, the ``uncertainty``
and ``sensitivity`` sections of ``run.json`` and each draw's cell index (for the hotspots).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic.robustness.columns import FEW_RANKED
from quartiers.diagnostic.robustness.data_factors import data_factors
from quartiers.diagnostic.robustness.inputs import RobustnessInputs
from quartiers.method.choices import Uncertainty
from quartiers.method.composite import CompiledMethod, compile_method
from quartiers.method.hotspot_draws import MAX_DRAWS
from quartiers.method.sensitivity import SobolResult, sobol_indices
from quartiers.method.uncertainty import (
    ROBUST_THRESHOLD,
    Z_ROBUST,
    RankingProblem,
    RankSummary,
    build_problem,
    explore,
)
from quartiers.method.variants import GROUPS, describe_space
from quartiers.parallel import Executor
from quartiers.progress import Progress

__all__ = ["UncertaintyResult", "explore_uncertainty"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class UncertaintyResult:
    """Outcome of the Monte Carlo and Sobol step.

    Attributes
    ----------
    columns
        New ``qpv`` columns (rank intervals, probabilities, main driver, Sobol indices).
    uncertainty, sensitivity
        The ``uncertainty`` and ``sensitivity`` sections of ``run.json``.
    draws_cells
        Index of every cell in every draw (draws × cells), None when the draws kept none.
    """

    columns: dict[str, Any]
    uncertainty: dict[str, Any]
    sensitivity: dict[str, Any]
    draws_cells: FloatArray | None


def explore_uncertainty(
    data: RobustnessInputs,
    settings: Uncertainty,
    codes: list[str],
    progress: Progress,
    executor: Executor,
    keep_cells: bool = True,
) -> UncertaintyResult:
    """Draw the method's choices, compute rank intervals and Sobol indices of each QPV.

    Blocks of draws and of Sobol evaluations go to ``executor`` (same numbers anywhere).
    With ``keep_cells`` every draw's cell index is returned (for the hotspots across draws).
    """
    method = data.method
    compiled = compile_method(method, data.totals.indicator_ids, data.computed.missing)
    problem = _problem(data, compiled)
    summary, outcomes, space = explore(
        method,
        problem,
        settings=settings,
        progress=progress,
        executor=executor,
        keep_cells=MAX_DRAWS if keep_cells else 0,
    )
    sobol = sobol_indices(
        problem,
        space,
        samples=settings.sobol_samples,
        seed=settings.seed,
        progress=progress,
        executor=executor,
    )
    columns = _rank_columns(summary)
    if sobol is not None:
        columns.update(_sobol_columns(sobol))
    record = {
        "enabled": True,
        "settings": settings.model_dump(mode="json"),
        "draws": summary.draws,
        "evaluated_draws": _evaluated(summary, space.size),
        "robust_threshold": ROBUST_THRESHOLD,
        "robust_rule": f"p_top_quintile − {Z_ROBUST:g} × p_top_quintile_se ≥ {ROBUST_THRESHOLD:g}",
        "ranked_qpv": int(problem.eligible.sum()),
        "few_ranked": bool(problem.eligible.sum() < FEW_RANKED),
        "choices": describe_space(space, compiled),
        "lcz_variable_classes": list(problem.lcz_classes),
        "data_factors": data_factors(
            problem,
            settings,
            has_buildings=data.alternative is not None,
            canopy_mapped=data.computed.canopy_mapped,
            canopy_in_index="canopy_share" in compiled.indicator_ids,
        ),
        "robust_top_quintile": [
            c for c, r in zip(codes, summary.robust_top_quintile, strict=True) if r == 1
        ],
    }
    return UncertaintyResult(
        columns=columns,
        uncertainty=record,
        sensitivity=_sobol_record(sobol, codes),
        draws_cells=outcomes.cells,
    )


def _problem(data: RobustnessInputs, compiled: CompiledMethod) -> RankingProblem:
    """Return the Monte Carlo problem of the run (QPV rows of the totals, compiled columns)."""
    totals, is_qpv = data.totals, data.is_qpv
    completeness, scale = data.completeness, data.scale
    cols = [totals.indicator_ids.index(i) for i in compiled.indicator_ids]
    return build_problem(
        data.method,
        compiled,
        data.computed.values,
        cell_population=data.cell_population,
        imputed=data.imputed,
        qpv_matrix=data.qpv_matrix,
        qpv_num=totals.num[is_qpv][:, cols],
        qpv_den=totals.den[is_qpv][:, cols],
        qpv_population=totals.population[is_qpv],
        missing=(
            None
            if completeness is None
            else np.vstack([completeness.zones[is_qpv], completeness.cells])
        ),
        impute=completeness is not None and completeness.impute,
        reference=None if scale is None else scale.file_reference(compiled.indicator_ids),
        cell_group=None if scale is None else scale.cell_groups,
        qpv_group=(
            None if scale is None or scale.zone_groups is None else scale.zone_groups[is_qpv]
        ),
        lcz_variable=data.computed.lcz_variable,
        alternative_matrix=None if data.alternative is None else data.alternative[1],
        osm_blocks=data.osm_blocks,
    )


def _evaluated(summary: RankSummary, size: int) -> int:
    """Return the draws actually evaluated (one when no choice varies)."""
    return summary.draws if size else 1


def _as_int(values: FloatArray) -> pd.arrays.IntegerArray:
    return pd.array([int(v) if np.isfinite(v) else None for v in values], dtype="Int64")


def _rank_columns(summary: RankSummary) -> dict[str, Any]:
    robust = [bool(v) if np.isfinite(v) else None for v in summary.robust_top_quintile]
    return {
        "rank_median": _as_int(summary.rank_median),
        "rank_low": _as_int(summary.rank_low),
        "rank_high": _as_int(summary.rank_high),
        "p_top_quintile": summary.p_top_quintile,
        "p_top_quintile_se": summary.p_top_quintile_se,
        "robust_top_quintile": pd.array(robust, dtype="boolean"),
        "share_residents_top_quintile_cells_low": summary.share_low,
        "share_residents_top_quintile_cells_high": summary.share_high,
    }


def _sobol_columns(sobol: SobolResult) -> dict[str, Any]:
    labels: list[str | None] = []
    for first, second in zip(sobol.main_driver(), sobol.runner_up(), strict=True):
        if first is None:
            labels.append(None)
        elif second is None:
            labels.append(GROUPS[first])
        else:
            labels.append(f"indéterminé ({GROUPS[first]} ou {GROUPS[second]})")
    out: dict[str, Any] = {"main_driver": pd.array(labels, dtype="string")}
    for k, group in enumerate(sobol.groups):
        out[f"sobol_total_{group}"] = sobol.total[:, k]
    return out


def _sobol_record(sobol: SobolResult | None, codes: list[str]) -> dict[str, Any]:
    if sobol is None:
        return {"enabled": False, "reason": "aucun choix de méthode ne varie"}
    return {
        "enabled": True,
        "method": "indices de Sobol du premier ordre et totaux (SALib, plan de Saltelli, "
        "intervalles à 95 % par bootstrap)",
        "output": "position du QPV parmi les habitants du territoire (part des habitants "
        "vivant dans des carreaux moins vulnérables, 0–1)",
        "samples": sobol.samples,
        "evaluations": sobol.evaluations,
        "seed": sobol.seed,
        "groups": {g: GROUPS[g] for g in sobol.groups},
        "indices": sobol.records(codes),
    }
