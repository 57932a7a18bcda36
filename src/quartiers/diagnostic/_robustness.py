"""Robustness of a diagnostic: rank intervals, Sobol indices, hotspots (for the orchestrator).

Private to :mod:`quartiers.diagnostic.run`: once the index is computed, :func:`add_robustness`
runs the Monte Carlo of :mod:`quartiers.method.uncertainty`, the Sobol analysis of
:mod:`quartiers.method.sensitivity` and the local Moran's I of :mod:`quartiers.method.hotspots`
on the arrays the orchestrator already holds, and returns the diagnostic with the new ``qpv``
columns, the ``hotspots`` layer and their settings and results in ``run.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import ValidationError
from scipy import sparse

from quartiers.errors import InputError
from quartiers.method.choices import Uncertainty
from quartiers.method.composite import compile_method
from quartiers.method.hotspot_draws import hotspot_draw_share
from quartiers.method.hotspots import LocalMoran, local_moran, zone_shares
from quartiers.method.sensitivity import SobolResult, sobol_indices
from quartiers.method.uncertainty import (
    ROBUST_THRESHOLD,
    Z_ROBUST,
    RankSummary,
    build_problem,
    explore,
)
from quartiers.method.variants import GROUPS, describe_space
from quartiers.progress import Progress
from quartiers.spatial.grid import CELL_CRS

if TYPE_CHECKING:
    from quartiers.diagnostic._cell_indicators import CellIndicators
    from quartiers.diagnostic._reference_run import RunReference
    from quartiers.diagnostic.aggregate import ZoneTotals
    from quartiers.diagnostic.result import Diagnostic
    from quartiers.method.completeness import Completeness
    from quartiers.method.spec import Method

__all__ = [
    "DICTIONARY_ENTRIES",
    "FEW_RANKED",
    "HOTSPOT_COLUMNS",
    "QPV_COLUMNS",
    "RobustnessOptions",
    "add_robustness",
]

FloatArray = NDArray[np.float64]

#: Sobol groups whose column appears only when the group was explored (an imputed dimension,
#: « variable » LCZ classes present in the territory).
OPTIONAL_GROUPS = ("missing", "lcz_scores")

#: Columns added to the ``qpv`` layer and ``qpv.csv`` (after ``quintile``).
QPV_COLUMNS = (
    "rank_median",
    "rank_low",
    "rank_high",
    "p_top_quintile",
    "p_top_quintile_se",
    "robust_top_quintile",
    "share_residents_top_quintile_cells",
    "share_residents_top_quintile_cells_low",
    "share_residents_top_quintile_cells_high",
    "main_driver",
    *(f"sobol_total_{g}" for g in GROUPS if g not in OPTIONAL_GROUPS),
    "hotspot_cell_share",
    "hotspot_population_share",
    "hotspot_draw_share",
)

#: Columns of the ``hotspots`` layer.
HOTSPOT_COLUMNS = (
    "idcar_200m",
    "insee_com",
    "code_qp",
    "population",
    "index",
    "local_i",
    "p_value",
    "q_value",
    "cluster",
    "hotspot_draw_share",
)


_COMPUTED = "calculé par Quartiers en transition"
_THRESHOLD_FR = f"{ROBUST_THRESHOLD:g}".replace(".", ",")
_MC = " (tirages Monte Carlo des choix de méthode)"
_Z_FR = f"{Z_ROBUST:g}".replace(".", ",")

#: Data dictionary entries of the new columns: column → (label, unit, direction, source).
DICTIONARY_ENTRIES: dict[str, tuple[str, str, str, str]] = {
    "rank_median": ("Rang médian du QPV" + _MC, "rang", "", _COMPUTED),
    "rank_low": (
        "Borne basse de l'intervalle de rang à 90 % : 5 % des tirages donnent un rang plus "
        "petit (plus vulnérable)",
        "rang",
        "",
        _COMPUTED,
    ),
    "rank_high": (
        "Borne haute de l'intervalle de rang à 90 % : 5 % des tirages donnent un rang plus "
        "grand (moins vulnérable)",
        "rang",
        "",
        _COMPUTED,
    ),
    "p_top_quintile": (
        "Probabilité d'être dans le quintile des 20 % d'habitants les plus vulnérables du "
        "territoire (part des tirages)",
        "probabilité (0–1)",
        "plus élevé = plus vulnérable",
        _COMPUTED,
    ),
    "p_top_quintile_se": (
        "Erreur type Monte Carlo de la probabilité d'être dans le quintile le plus vulnérable "
        "(racine de p (1 − p) / nombre de tirages)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "robust_top_quintile": (
        f"Robustement dans le quintile le plus vulnérable (probabilité ≥ {_THRESHOLD_FR} "
        f"même en retranchant {_Z_FR} erreurs types)",
        "oui/non",
        "",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells": (
        "Part des habitants du QPV vivant dans des carreaux du quintile le plus vulnérable "
        "du territoire (méthode par défaut)",
        "part (0–1)",
        "plus élevé = plus vulnérable",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells_low": (
        "Borne basse (5 % des tirages) de la part des habitants du QPV vivant dans des "
        "carreaux du quintile le plus vulnérable" + _MC,
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "share_residents_top_quintile_cells_high": (
        "Borne haute (95 % des tirages) de la part des habitants du QPV vivant dans des "
        "carreaux du quintile le plus vulnérable" + _MC,
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "main_driver": (
        "Choix de méthode qui fait le plus varier la place du QPV (plus grand indice de Sobol "
        "total ; « indéterminé (A ou B) » quand les intervalles à 95 % des deux premiers se "
        "recoupent)",
        "",
        "",
        _COMPUTED,
    ),
    **{
        f"sobol_total_{g}": (
            f"Indice de Sobol total du choix « {label} » : part de la variance de la place du "
            "QPV due à ce choix, interactions comprises (vide : choix non exploré)",
            "part (0–1)",
            "",
            _COMPUTED,
        )
        for g, label in GROUPS.items()
    },
    "hotspot_cell_share": (
        "Part de la surface carroyée du QPV située dans des points chauds (agrégats de "
        "carreaux à indice élevé entourés de carreaux à indice élevé, I de Moran local)",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "hotspot_population_share": (
        "Part des habitants du QPV vivant dans des points chauds de l'indice",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
    "local_i": ("I de Moran local de l'indice du carreau", "sans unité", "", _COMPUTED),
    "p_value": (
        "p-valeur de permutation du I de Moran local (unilatérale)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "q_value": (
        "p-valeur ajustée par la procédure de Benjamini–Hochberg (taux de fausses découvertes)",
        "probabilité (0–1)",
        "",
        _COMPUTED,
    ),
    "cluster": ("Numéro de l'agrégat de points chauds (carreaux contigus)", "", "", _COMPUTED),
    "hotspot_draw_share": (
        "Part des tirages Monte Carlo de la méthode où le carreau est un point chaud (pour un "
        "QPV : moyenne sur ses habitants) ; vide : carreau non testé ou analyse non faite",
        "part (0–1)",
        "",
        _COMPUTED,
    ),
}


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
    *,
    method: Method,
    options: RobustnessOptions,
    computed: CellIndicators,
    cells: pd.DataFrame,
    matrix: sparse.csr_array,
    zones: pd.DataFrame,
    totals: ZoneTotals,
    progress: Progress,
    completeness: Completeness | None = None,
    scale: RunReference | None = None,
) -> Diagnostic:
    """Return ``diag`` with rank intervals, Sobol indices and hotspots.

    Parameters
    ----------
    diag
        The diagnostic as scored by the orchestrator.
    method
        The validated method.
    options
        What to run and overrides of the draw count and seed.
    computed
        Cell indicators (values, numerators, denominators).
    cells
        Filosofi cells (``ind``, ``imputed``) in the order of the matrix columns.
    matrix
        Overlap shares (zones × cells).
    zones
        Zones (``zone_type`` says which rows are QPV, in the order of ``diag.qpv``).
    totals
        Zone totals (rows of ``zones``).
    completeness
        Units lacking a dimension and the method's rule (``missing_dimension``): excluded
        from the ranks or imputed in every draw.
    progress
        Receives the steps (French labels).
    scale
        The run's reference: a fixed one (a reference file) is used by every draw as it is;
        otherwise each draw normalises against the run's (perturbed) cells.
    """
    is_qpv = (zones["zone_type"] == "qpv").to_numpy()
    qpv_matrix = sparse.csr_array(matrix[np.flatnonzero(is_qpv)])
    codes = diag.qpv["code_qp"].astype(str).tolist()
    unc = _settings(method, options)
    columns: dict[str, Any] = _empty_columns(len(codes))
    draws_cells: FloatArray | None = None
    columns["share_residents_top_quintile_cells"] = _top_cell_share(
        qpv_matrix, diag.cells, cells["ind"].to_numpy(dtype="float64")
    )
    run = dict(diag.run)
    run["uncertainty"] = {"enabled": False}
    run["sensitivity"] = {"enabled": False}
    if options.uncertainty and unc.enabled:
        compiled = compile_method(method, totals.indicator_ids, computed.missing)
        cols = [totals.indicator_ids.index(i) for i in compiled.indicator_ids]
        problem = build_problem(
            method,
            compiled,
            computed.values,
            cell_population=cells["ind"].to_numpy(dtype="float64"),
            imputed=cells["imputed"].to_numpy(dtype=bool),
            qpv_matrix=qpv_matrix,
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
            lcz_variable=computed.lcz_variable,
        )
        summary, outcomes, space = explore(method, problem, settings=unc, progress=progress)
        draws_cells = outcomes.cells
        sobol = sobol_indices(
            problem, space, samples=unc.sobol_samples, seed=unc.seed, progress=progress
        )
        columns.update(_rank_columns(summary))
        if sobol is not None:
            columns.update(_sobol_columns(sobol))
        run["uncertainty"] = {
            "enabled": True,
            "settings": unc.model_dump(mode="json"),
            "draws": summary.draws,
            "evaluated_draws": _evaluated(summary, space.size),
            "robust_threshold": ROBUST_THRESHOLD,
            "robust_rule": f"p_top_quintile − {Z_ROBUST:g} × p_top_quintile_se ≥ "
            f"{ROBUST_THRESHOLD:g}",
            "ranked_qpv": int(problem.eligible.sum()),
            "few_ranked": bool(problem.eligible.sum() < FEW_RANKED),
            "choices": describe_space(space, compiled),
            "lcz_variable_classes": list(problem.lcz_classes),
            "robust_top_quintile": [
                c for c, r in zip(codes, summary.robust_top_quintile, strict=True) if r == 1
            ],
        }
        run["sensitivity"] = _sobol_record(sobol, codes)
    hotspots = _empty_hotspots()
    run["hotspots"] = {"enabled": False}
    if options.hotspots and method.hotspots.enabled:
        seed = method.hotspots.seed if options.seed is None else options.seed
        progress.start("Points chauds : I de Moran local des carreaux", total=None)
        try:
            lisa = local_moran(
                diag.cells["index"].to_numpy(dtype="float64"),
                diag.cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64),
                permutations=method.hotspots.permutations,
                fdr=method.hotspots.fdr,
                seed=seed,
            )
        finally:
            progress.finish()
        cell_share, pop_share = zone_shares(
            qpv_matrix, lisa.hotspot, cells["ind"].to_numpy(dtype="float64")
        )
        columns["hotspot_cell_share"] = cell_share
        columns["hotspot_population_share"] = pop_share
        draw_share = np.full(len(cells), np.nan)
        if draws_cells is not None:
            draw_share = hotspot_draw_share(
                draws_cells,
                diag.cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64),
                lisa.tested,
                fdr=method.hotspots.fdr,
            )
            columns["hotspot_draw_share"] = _resident_mean(
                qpv_matrix, draw_share, cells["ind"].to_numpy(dtype="float64")
            )
        hotspots = _hotspot_layer(diag.cells, lisa, draw_share)
        run["hotspots"] = {
            "enabled": True,
            **lisa.record(),
            "draws_tested": 0 if draws_cells is None else int(draws_cells.shape[0]),
            "draws_method": "I de Moran local de chaque tirage, loi normale sous "
            "randomisation (Anselin, 1995), Benjamini–Hochberg tirage par tirage",
        }
        diag = replace(diag, cells=diag.cells.assign(hotspot_draw_share=draw_share))
    return replace(diag, qpv=_insert(diag.qpv, columns), hotspots=hotspots, run=run)


def _resident_mean(
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


#: Under this many ranked QPV, rank intervals say little: the share of residents living in
#: top-quintile cells (with its interval) is shown instead.
FEW_RANKED = 5


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


def _evaluated(summary: RankSummary, size: int) -> int:
    """Return the draws actually evaluated (one when no choice varies)."""
    return summary.draws if size else 1


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


def _insert(qpv: gpd.GeoDataFrame, columns: dict[str, Any]) -> gpd.GeoDataFrame:
    """Return ``qpv`` with ``columns`` placed right after ``quintile`` (replacing old ones)."""
    frame = qpv.drop(columns=[c for c in columns if c in qpv.columns])
    at = frame.columns.get_loc("quintile") + 1 if "quintile" in frame.columns else frame.shape[1]
    for offset, (name, values) in enumerate(columns.items()):
        frame.insert(int(at) + offset, name, values)
    return frame


def _empty_hotspots() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in HOTSPOT_COLUMNS})
    for col in ("idcar_200m", "insee_com", "code_qp"):
        frame[col] = frame[col].astype("string")
    frame["cluster"] = frame["cluster"].astype("int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CELL_CRS), crs=CELL_CRS)


def _hotspot_layer(
    cells: gpd.GeoDataFrame, lisa: LocalMoran, draw_share: FloatArray
) -> gpd.GeoDataFrame:
    """Return the hotspot cells with their statistics (EPSG:3035)."""
    hot = lisa.hotspot
    frame = pd.DataFrame(
        {
            "idcar_200m": cells["idcar_200m"].astype("string").to_numpy()[hot],
            "insee_com": cells["insee_com"].astype("string").to_numpy()[hot],
            "code_qp": cells["code_qp"].astype("string").to_numpy()[hot],
            "population": cells["population"].to_numpy(dtype="float64")[hot],
            "index": cells["index"].to_numpy(dtype="float64")[hot],
            "local_i": lisa.local_i[hot],
            "p_value": lisa.p_value[hot],
            "q_value": lisa.q_value[hot],
            "cluster": lisa.cluster[hot],
            "hotspot_draw_share": draw_share[hot],
        }
    )
    for col in ("idcar_200m", "insee_com", "code_qp"):
        frame[col] = frame[col].astype("string")
    return gpd.GeoDataFrame(frame, geometry=cells.geometry.to_numpy()[hot], crs=CELL_CRS)
