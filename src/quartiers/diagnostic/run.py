"""The one orchestrator: territory inputs → indicators per cell → zones → index → Diagnostic.

:func:`run_diagnostic` wires the pure functions of :mod:`quartiers.indicators`,
:mod:`quartiers.diagnostic.aggregate`, :mod:`quartiers.spatial.zones` and :mod:`quartiers.method`;
:class:`Diagnostic` holds the result and writes/reads the output directory (see
``docs/architecture.md``). Web, report and actions read only a :class:`Diagnostic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from quartiers.access.network import WalkNetwork
from quartiers.diagnostic import _io as _run_io
from quartiers.diagnostic import _like_with_like, _reference_run
from quartiers.diagnostic import _tables as _outputs
from quartiers.diagnostic._cell_indicators import CellIndicators, compute_cell_indicators
from quartiers.diagnostic._robustness import RobustnessOptions, add_robustness
from quartiers.diagnostic._territories import add_territory_columns, territories_of
from quartiers.diagnostic.aggregate import ZoneTotals, aggregate_cells
from quartiers.diagnostic.record import RunRecord, record_from_mapping
from quartiers.errors import InputError
from quartiers.indicators.exposure import climate_per_cell
from quartiers.indicators.registry import REGISTRY
from quartiers.indicators.sensitivity import REQUIRED_COLUMNS
from quartiers.method.coherence import coherence_audit
from quartiers.method.completeness import Completeness, missing_dimensions
from quartiers.method.composite import CompiledMethod, compile_method, score
from quartiers.method.hazard import frame_columns, hazard_record
from quartiers.method.normalise import Reference
from quartiers.method.rank import rank_descending, weighted_breaks
from quartiers.method.spec import Method, default_method
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.spatial.grid import parse_cell_ids
from quartiers.spatial.overlaps import Overlaps, overlaps_for
from quartiers.spatial.zones import check_qpv_extent, comparison_groups, to_cell_crs

__all__ = ["Diagnostic", "RobustnessOptions", "run_diagnostic"]

FloatArray = NDArray[np.float64]
NOT_SIGNIFICANT = "non significatif"
_NULL_PROGRESS = NullProgress()
_ROBUSTNESS = RobustnessOptions()


@dataclass
class Diagnostic:
    """Result of a diagnostic run (all layers EPSG:3035).

    Attributes
    ----------
    cells
        One row per 200 m cell: counts, indicators, dimension scores, index, quintile.
    qpv
        One row per QPV: counts, indicators, index, rank, gaps and ratios to the rest of
        its commune and EPCI (the content of ``qpv.csv`` plus geometry).
    zones
        QPV, rest-of-commune and rest-of-EPCI zones with their counts and indicators.
    climate
        Climate indicators per commune and horizon (long table).
    indicators
        The indicator registry as a table, with availability and effective weights.
    run
        Everything needed to trace and rerun, as the plain dict written to ``run.json``
        (built by the pipeline; read it through :attr:`record`).
    hotspots
        Cells in high-high clusters of the index (local Moran's I), or None when not run.
    overlaps, network, access
        The costly intermediates of the run (overlap weights, street network, walking
        access per cell), kept in memory so that a what-if passes them back to
        :func:`quartiers.diagnose`.
    """

    cells: gpd.GeoDataFrame
    qpv: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    climate: pd.DataFrame
    indicators: pd.DataFrame
    run: dict[str, Any] = field(default_factory=dict)
    hotspots: gpd.GeoDataFrame | None = None
    #: Overlap weights of the run (in memory only; None when read back from a folder).
    overlaps: Overlaps | None = field(default=None, repr=False, compare=False)
    #: Pedestrian network the walking access was computed on (in memory only).
    network: WalkNetwork | None = field(default=None, repr=False, compare=False)
    #: Walking access per cell the run used (in memory only; its summaries are in ``cells``).
    access: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def record(self) -> RunRecord:
        """Return ``run.json`` as a typed, read-only :class:`~quartiers.diagnostic.RunRecord`.

        Validated from :attr:`run` on each access (under a millisecond), so it always
        reflects the dict; a malformed dict raises a French :class:`InputError`.
        """
        return record_from_mapping(self.run)

    def qpv_table(self) -> pd.DataFrame:
        """Return the QPV table without geometry (the content of ``qpv.csv``)."""
        return pd.DataFrame(self.qpv.drop(columns="geometry"))

    def dictionary(self) -> pd.DataFrame:
        """Return the data dictionary of every published column (``dictionnaire.csv``)."""
        return _run_io.dictionary(self)

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write the output directory and return the files written.

        Writes ``diagnostic.gpkg`` (layers ``cells``, ``qpv``, ``zones``), ``cells.parquet``,
        ``qpv.parquet``, ``zones.parquet`` (GeoParquet), ``qpv.csv``, ``dictionnaire.csv``
        and ``run.json`` (with the SHA-256 of the other files).
        """
        return _run_io.write(self, Path(out_dir))

    @classmethod
    def load(cls, out_dir: Path) -> Diagnostic:
        """Read a diagnostic written by :meth:`write`."""
        cells, qpv, zones, climate, indicators, run = _run_io.read(Path(out_dir))
        return cls(
            cells=cells,
            qpv=qpv,
            zones=zones,
            climate=climate,
            indicators=indicators,
            run=run,
            hotspots=_run_io.read_hotspots(Path(out_dir)),
        )


def _prepare_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """Check the Filosofi cells and return them sorted by id with their corners."""
    if "idcar_200m" not in cells.columns:
        raise InputError("carreaux Filosofi : colonne idcar_200m absente")
    absent = [c for c in REQUIRED_COLUMNS if c not in cells.columns]
    if absent:
        raise InputError(
            f"carreaux Filosofi : colonnes manquantes {', '.join(absent)} "
            "(attendu les comptages INSEE des carreaux de 200 m)"
        )
    table = pd.DataFrame(cells.drop(columns="geometry", errors="ignore"))
    table["idcar_200m"] = table["idcar_200m"].astype("string")
    if table["idcar_200m"].duplicated().any():
        dup = table.loc[table["idcar_200m"].duplicated(), "idcar_200m"].iloc[0]
        raise InputError(f"carreaux Filosofi : carreau {dup} en double (champ idcar_200m)")
    table = table.sort_values("idcar_200m", kind="stable").reset_index(drop=True)
    xy = parse_cell_ids(table["idcar_200m"], source="carreaux Filosofi")
    if "imputed" not in table.columns:
        table["imputed"] = False
    table["imputed"] = table["imputed"].fillna(False).astype(bool)
    return table, xy


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    """Refuse a layer lacking required columns (French message naming them)."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputError(
            f"{name} : colonnes manquantes {', '.join(absent)} (attendu {', '.join(columns)})"
        )


def _hide_small(values: FloatArray, population: FloatArray, ids: tuple[str, ...]) -> FloatArray:
    """Blank values of units whose population is below each indicator's display floor."""
    floors = np.asarray([REGISTRY[i].min_population for i in ids], dtype="float64")
    out = values.copy()
    out[population[:, None] < floors[None, :]] = np.nan
    return out


@dataclass
class _Scored:
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


def _score_units(
    values: FloatArray,
    population: FloatArray,
    ids: tuple[str, ...],
    compiled: CompiledMethod,
    reference: Reference | _reference_run.Grouped,
    groups: NDArray[np.int64] | None = None,
) -> _Scored:
    """Score units against one reference, or each against its territory's (``groups``)."""
    published = _hide_small(values, population, ids)
    cols = [ids.index(i) for i in compiled.indicator_ids]
    if isinstance(reference, Reference):
        index, scores, norm = score(published[:, cols], reference, None, compiled)
        return _Scored(values=published, index=index, scores=scores, normalised=norm)
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
    return _Scored(values=published, index=index, scores=scores, normalised=norm)


def run_diagnostic(
    inputs: TerritoryInputs,
    *,
    method: Method | None = None,
    horizon: str = "ref",
    access: pd.DataFrame | None = None,
    progress: Progress = _NULL_PROGRESS,
    robustness: RobustnessOptions = _ROBUSTNESS,
    overlaps: Overlaps | None = None,
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
        Rank intervals (Monte Carlo), Sobol indices and hotspots: on by default with the
        method file's settings; switch off or override the draw count and seed here.

    overlaps
        Overlap weights of a previous run (:attr:`Diagnostic.overlaps`); reused when they
        were built for the same cells, QPV and communes, recomputed otherwise.

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
    if horizon not in HORIZONS:
        raise InputError(f"horizon inconnu {horizon!r} (attendu : {', '.join(HORIZONS)})")
    if inputs.qpv is None or not len(inputs.qpv):
        raise InputError(f"territoire {inputs.code} : aucun QPV dans les données d'entrée")
    scale = _reference_run.prepare(method, inputs)
    progress.start("Diagnostic : zones, indicateurs, indice", total=5)
    try:
        _require(inputs.qpv, ["code_qp", "lib_qp", "insee_com", "siren_epci"], "QPV")
        _require(inputs.communes, ["insee_com", "nom", "population", "siren_epci"], "communes")
        if inputs.qpv["code_qp"].duplicated().any():
            dup = inputs.qpv.loc[inputs.qpv["code_qp"].duplicated(), "code_qp"].iloc[0]
            raise InputError(f"QPV : code {dup} en double (champ code_qp)")
        cells, xy = _prepare_cells(inputs.cells)
        qpv = to_cell_crs(inputs.qpv, name="QPV").sort_values("code_qp").reset_index(drop=True)
        communes = to_cell_crs(inputs.communes, name="communes")
        communes = communes.sort_values("insee_com").reset_index(drop=True)
        check_qpv_extent(qpv, xy, source="carreaux Filosofi")
        weights = overlaps_for(xy, qpv, communes, overlaps)
        zones, matrix = weights.zones.copy(), weights.matrix
        commune_shares = weights.commune_shares
        scale = scale.with_groups(inputs, commune_shares, xy, zones)
        progress.advance()
        computed = compute_cell_indicators(
            inputs, cells, xy, commune_shares, method=method, horizon=horizon, access=access
        )
        progress.advance()
        totals = aggregate_cells(
            matrix,
            population=cells["ind"].to_numpy(dtype="float64"),
            households=cells["men"].to_numpy(dtype="float64"),
            poor_households=cells["men_pauv"].to_numpy(dtype="float64"),
            imputed=cells["imputed"].to_numpy(dtype=bool),
            indicators=computed.values,
        )
        progress.advance()
        result, completeness = _assemble(
            inputs,
            method,
            horizon,
            cells,
            xy,
            zones,
            matrix,
            commune_shares,
            computed,
            totals,
            access,
            scale,
        )
        progress.advance()
    finally:
        progress.finish()
    diag = add_robustness(
        result,
        method=method,
        options=robustness,
        computed=computed,
        cells=cells,
        matrix=matrix,
        zones=zones,
        totals=totals,
        completeness=completeness,
        progress=progress,
        scale=scale,
    )
    diag = add_territory_columns(diag, territories_of(inputs))
    return replace(diag, overlaps=weights)


def _assemble(
    inputs: TerritoryInputs,
    method: Method,
    horizon: str,
    cells: pd.DataFrame,
    xy: NDArray[np.int64],
    zones: gpd.GeoDataFrame,
    matrix: sparse.csr_array,
    commune_shares: pd.DataFrame,
    computed: CellIndicators,
    totals: ZoneTotals,
    access: pd.DataFrame | None,
    scale: _reference_run.RunReference,
) -> tuple[Diagnostic, Completeness]:
    """Score cells and zones, compare QPV with their rests and build the output tables."""
    ids = totals.indicator_ids
    compiled = compile_method(method, ids, computed.missing)
    reference = (
        np.column_stack([computed.values[i].value for i in ids])
        if ids
        else np.zeros((len(cells), 0))
    )
    ref_weights = np.column_stack([computed.values[i].den for i in ids]) if ids else reference
    cols = [ids.index(i) for i in compiled.indicator_ids]
    cell_groups, zone_groups = scale.cell_groups, scale.zone_groups
    ref = scale.build(compiled.indicator_ids, reference[:, cols], ref_weights[:, cols])
    cell_pop = cells["ind"].to_numpy(dtype="float64")
    cell_scored = _score_units(reference, cell_pop, ids, compiled, ref, cell_groups)
    small_cell = ~(cell_pop >= method.cell_population_floor)
    cell_scored.index[small_cell] = np.nan
    cell_scored.scores[small_cell] = np.nan
    zone_scored = _score_units(totals.values, totals.population, ids, compiled, ref, zone_groups)
    cell_scored.add_hazard(method, ids, compiled)
    zone_scored.add_hazard(method, ids, compiled)
    completeness = _like_with_like.assess(
        method, compiled, cell_scored, ~small_cell, cell_pop, zone_scored, totals.population
    )
    zone_raw_scores = zone_scored.scores.copy()
    _like_with_like.apply(cell_scored, completeness.cells, completeness, compiled, blank=True)
    _like_with_like.apply(zone_scored, completeness.zones, completeness, compiled)
    breaks = weighted_breaks(cell_scored.index, cell_pop)

    is_qpv = (zones["zone_type"] == "qpv").to_numpy()
    commune_groups, epci_groups = comparison_groups(zones)
    comparisons = {
        "commune": totals.combine(commune_groups),
        "epci": totals.combine(epci_groups),
    }
    qpv_groups = None if zone_groups is None else zone_groups[is_qpv]
    compared = {
        name: _score_units(t.values, t.population, ids, compiled, ref, qpv_groups)
        for name, t in comparisons.items()
    }
    for name, scored in compared.items():
        gaps = missing_dimensions(
            scored.scores, completeness.present, comparisons[name].population > 0
        )
        _like_with_like.apply(scored, gaps, completeness, compiled)
    eligible = totals.population[is_qpv] >= method.population_floor
    if not completeness.impute:
        eligible &= ~completeness.incomplete_zones()[is_qpv]
    ranks = rank_descending(zone_scored.index[is_qpv], eligible)

    names = dict(
        zip(
            inputs.communes["insee_com"].astype(str),
            inputs.communes["nom"].astype(str),
            strict=True,
        )
    )
    states = _like_with_like.row_states(
        zone_scored.values,
        ids,
        totals.population,
        zone_raw_scores,
        compiled=compiled,
        missing=completeness.zones,
        imputed=completeness.impute,
        communes=zones["insee_com"].astype(str).tolist(),
        with_climate=_like_with_like.climate_communes(computed.climate, horizon),
        names=names,
    )
    tables = _outputs.Tables(
        ids=ids,
        compiled=compiled,
        missing=computed.missing,
        method=method,
        completeness=completeness,
    )
    cells_gdf = tables.cells_frame(
        cells,
        xy,
        cell_scored,
        small_cell,
        breaks,
        computed,
        _outputs.cell_commune(commune_shares, len(cells)),
        _outputs.cell_qpv(matrix, zones, is_qpv),
    )
    summary = _outputs.access_summary(access, cells, matrix, zones["zone_id"].tolist())
    zones_gdf = tables.zones_frame(zones, totals, zone_scored, breaks, summary, states)
    qpv_gdf = tables.qpv_frame(
        zones_gdf[is_qpv].reset_index(drop=True), ranks, comparisons, compared
    )
    indicators = _outputs.indicator_table(method, compiled, computed)
    climate = _outputs.climate_table(computed.climate, inputs.communes)
    run = _run_io.run_record(
        inputs=inputs,
        method=method,
        horizon=horizon,
        compiled=compiled,
        computed=computed,
        indicators=indicators,
        climate=climate,
        coverage=_outputs.coverage(commune_shares, cell_pop, inputs.communes),
        summary={
            "cells": len(cells_gdf),
            "population_cells": float(cell_pop.sum()),
            "qpv": len(qpv_gdf),
            "qpv_ranked": int(np.isfinite(ranks).sum()),
            "access_given": access is not None,
        },
    )
    run["coherence"] = coherence_audit(
        cell_scored.normalised, cell_scored.index, cell_pop, compiled
    )
    if method.hazard is not None:
        run["hazard"] = hazard_record(
            method.hazard.indicators,
            computed.climate,
            lambda h, c: climate_per_cell(commune_shares, computed.climate, h, len(cell_pop), c),
            cell_pop,
            horizon,
        )
    run["like_with_like"] = _like_with_like.record(completeness, qpv_gdf)
    run["reference"] = scale.record()
    diag = Diagnostic(
        cells=cells_gdf,
        qpv=qpv_gdf,
        zones=zones_gdf,
        climate=climate,
        indicators=indicators,
        run=run,
    )
    return diag, completeness
