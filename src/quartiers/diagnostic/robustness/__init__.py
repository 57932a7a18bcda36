"""Robustness of a diagnostic: rank intervals, Sobol indices, hotspots (for the orchestrator).

Private to :mod:`quartiers.diagnostic.run`: once the index is computed, :func:`add_robustness`
runs the Monte Carlo of :mod:`quartiers.method.uncertainty` and the Sobol analysis of
:mod:`quartiers.method.sensitivity` (:mod:`.uncertainty`) and the local Moran's I of
:mod:`quartiers.method.hotspots` (:mod:`.hotspots`) on the arrays the orchestrator already
holds, and returns the diagnostic with the new ``qpv`` columns (:mod:`.columns`), the
``hotspots`` layer and their settings and results in ``run.json``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import ValidationError
from scipy import sparse

from quartiers.diagnostic.robustness.columns import (
    DICTIONARY_ENTRIES,
    FEW_RANKED,
    HOTSPOT_COLUMNS,
    QPV_COLUMNS,
)
from quartiers.diagnostic.robustness.hotspots import empty_hotspots, find_hotspots
from quartiers.diagnostic.robustness.inputs import RobustnessInputs
from quartiers.diagnostic.robustness.uncertainty import explore_uncertainty
from quartiers.errors import InputError
from quartiers.heap import reused_heap
from quartiers.method.choices import Uncertainty
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import Progress

if TYPE_CHECKING:
    from quartiers.diagnostic.result import Diagnostic
    from quartiers.method.spec import Method

__all__ = [
    "DICTIONARY_ENTRIES",
    "FEW_RANKED",
    "HOTSPOT_COLUMNS",
    "QPV_COLUMNS",
    "RobustnessInputs",
    "RobustnessOptions",
    "add_robustness",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RobustnessOptions:
    """What to run after the index, and overrides of the method file's settings.

    Attributes
    ----------
    uncertainty
        Run the Monte Carlo and the Sobol analysis.
    hotspots
        Look for hotspots (local Moran's I).
    draws
        Monte Carlo draws (overrides ``uncertainty.draws``).
    seed
        Seed of every random step (overrides ``uncertainty.seed`` and ``hotspots.seed``).
    """

    uncertainty: bool = True
    hotspots: bool = True
    draws: int | None = None
    seed: int | None = None


def _settings(method: Method, options: RobustnessOptions) -> Uncertainty:
    update: dict[str, Any] = {}
    if options.draws is not None:
        update["draws"] = options.draws
    if options.seed is not None:
        update["seed"] = options.seed
    if not update:
        return method.uncertainty
    try:
        return Uncertainty.model_validate({**method.uncertainty.model_dump(), **update})
    except ValidationError:
        raise InputError(
            f"incertitude : nombre de tirages {options.draws} ou graine {options.seed} invalide "
            "(attendu : tirages entre 1 et 100 000, graine entière positive ou nulle)"
        ) from None


def add_robustness(
    diag: Diagnostic,
    data: RobustnessInputs,
    *,
    options: RobustnessOptions,
    progress: Progress,
    executor: Executor = SERIAL,
) -> Diagnostic:
    """Return ``diag`` with rank intervals, Sobol indices and hotspots.

    Parameters
    ----------
    diag
        The diagnostic as scored by the orchestrator.
    data
        The run's method and arrays (cells in the order of the matrix columns, QPV in the
        order of ``diag.qpv``); with ``completeness`` units lacking a dimension are excluded
        from the ranks or imputed in every draw; a fixed ``scale`` (a reference file) is used
        by every draw as it is, otherwise each draw normalises against the perturbed cells.
    options
        What to run and overrides of the draw count and seed.
    progress
        Receives the steps (French labels).
    executor
        Computes the blocks of Monte Carlo draws and Sobol evaluations.
    """
    method = data.method
    codes = diag.qpv["code_qp"].astype(str).tolist()
    unc = _settings(method, options)
    columns: dict[str, Any] = _empty_columns(len(codes))
    draws_cells: FloatArray | None = None
    columns["share_residents_top_quintile_cells"] = _top_cell_share(
        data.qpv_matrix, diag.cells, data.cell_population
    )
    run = dict(diag.run)
    run["uncertainty"] = {"enabled": False}
    run["sensitivity"] = {"enabled": False}
    hotspots_on = options.hotspots and method.hotspots.enabled
    if options.uncertainty and unc.enabled:
        with reused_heap():  # the draws and Sobol evaluations share the kept heap
            explored = explore_uncertainty(data, unc, codes, progress, executor, hotspots_on)
        columns.update(explored.columns)
        run["uncertainty"], run["sensitivity"] = explored.uncertainty, explored.sensitivity
        draws_cells = explored.draws_cells
    hotspots = empty_hotspots()
    run["hotspots"] = {"enabled": False}
    if hotspots_on:
        seed = method.hotspots.seed if options.seed is None else options.seed
        found = find_hotspots(
            diag.cells, data, seed=seed, draws_cells=draws_cells, progress=progress
        )
        columns.update(found.columns)
        hotspots, run["hotspots"] = found.layer, found.record
        diag = replace(diag, cells=_with_column(diag.cells, "hotspot_draw_share", found.draw_share))
    return replace(diag, qpv=_insert(diag.qpv, columns), hotspots=hotspots, run=run)


def _with_column(cells: gpd.GeoDataFrame, name: str, values: Any) -> gpd.GeoDataFrame:
    """Return ``cells`` with one more column, without pandas' « highly fragmented » warning.

    The cells layer keeps one block per column (not gathered into one block: ≈ 1 GB copied
    for a national grid), so the advice does not apply.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        return cells.assign(**{name: values})


def _top_cell_share(
    qpv_matrix: sparse.csr_array, cells: pd.DataFrame, population: FloatArray
) -> FloatArray:
    """Return the share of each QPV's residents living in cells of quintile 5."""
    top = cells["quintile"].astype("Float64").fillna(0).to_numpy(dtype="float64") == 5.0
    pop = np.nan_to_num(population)
    residents = np.asarray(qpv_matrix @ (pop * top), dtype="float64")
    total = np.asarray(qpv_matrix @ pop, dtype="float64")
    out = np.full(total.shape, np.nan)
    np.divide(residents, total, out=out, where=total > 0)
    return out


def _empty_columns(n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in QPV_COLUMNS:
        if col.startswith("rank_"):
            out[col] = pd.array([None] * n, dtype="Int64")
        elif col == "robust_top_quintile":
            out[col] = pd.array([None] * n, dtype="boolean")
        elif col == "main_driver":
            out[col] = pd.array([None] * n, dtype="string")
        else:
            out[col] = np.full(n, np.nan)
    return out


def _insert(qpv: gpd.GeoDataFrame, columns: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return ``qpv`` with ``columns`` placed right after ``quintile`` (replacing old ones)."""
    frame = qpv.drop(columns=[c for c in columns if c in qpv.columns])
    at = frame.columns.get_loc("quintile") + 1 if "quintile" in frame.columns else frame.shape[1]
    for offset, (name, values) in enumerate(columns.items()):
        frame.insert(int(at) + offset, name, values)
    return frame
