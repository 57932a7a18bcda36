"""Build the :class:`Diagnostic` of a scored run: layers, tables and ``run.json`` (orchestrator).

:func:`assemble` turns a :class:`~quartiers.diagnostic.scoring.RunScores` into the ``cells``,
``zones`` and ``qpv`` layers (:mod:`quartiers.diagnostic._tables`), the indicator and climate
tables, and the ``run.json`` dict (:func:`quartiers.diagnostic.run_files.run_record` plus the
coherence audit, hazard, like-with-like and reference sections).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.diagnostic import _like_with_like
from quartiers.diagnostic import _tables as _outputs
from quartiers.diagnostic import run_files as _run_io
from quartiers.diagnostic._canopy_warning import add_canopy_warning
from quartiers.diagnostic._hazard_columns import add_hazard_columns
from quartiers.diagnostic._side_tables import (
    access_summary,
    cell_commune,
    cell_qpv,
    climate_table,
    coverage,
    indicator_table,
)
from quartiers.diagnostic.result import Diagnostic
from quartiers.diagnostic.scoring import RunContext, RunScores
from quartiers.indicators.exposure import CellCommunes
from quartiers.method.coherence import coherence_audit
from quartiers.method.hazard import hazard_record
from quartiers.spatial.grid import cell_squares

__all__ = ["assemble"]


def assemble(ctx: RunContext, scores: RunScores) -> Diagnostic:
    """Return the diagnostic of a scored run (no robustness or territory columns yet)."""
    tables = _outputs.Tables(
        ids=ctx.totals.indicator_ids,
        compiled=scores.compiled,
        missing=ctx.computed.missing,
        method=ctx.method,
        completeness=scores.completeness,
    )
    cells_gdf = _cells_layer(ctx, scores, tables)
    zones_gdf = _zones_layer(ctx, scores, tables)
    qpv_gdf = add_hazard_columns(
        tables.qpv_frame(
            zones_gdf[scores.is_qpv].reset_index(drop=True),
            scores.ranks,
            scores.comparisons,
            scores.compared,
        )
    )
    qpv_gdf = add_canopy_warning(qpv_gdf, ctx.inputs, ctx.layers.xy)
    indicators = indicator_table(ctx.method, scores.compiled, ctx.computed)
    climate = climate_table(ctx.computed.climate, ctx.inputs.communes)
    run = _run_json(ctx, scores, indicators, climate, n_cells=len(cells_gdf), qpv=qpv_gdf)
    return Diagnostic(
        cells=cells_gdf,
        qpv=qpv_gdf,
        zones=zones_gdf,
        climate=climate,
        indicators=indicators,
        run=run,
    )


def _cells_layer(ctx: RunContext, scores: RunScores, tables: _outputs.Tables) -> gpd.GeoDataFrame:
    """Return the ``cells`` layer."""
    layers = ctx.layers
    return tables.cells_frame(
        layers.cells,
        layers.xy,
        scores.cells,
        scores.small_cell,
        scores.breaks,
        ctx.computed,
        cell_commune(layers.commune_shares, len(layers.cells)),
        cell_qpv(layers.matrix, layers.zones, scores.is_qpv),
        cell_squares(_geometry(ctx.inputs.cells), layers.rows, layers.xy),
    )


def _geometry(cells: pd.DataFrame) -> gpd.GeoSeries | None:
    """Return the input cells' geometry column (None without one)."""
    if isinstance(cells, gpd.GeoDataFrame) and cells.active_geometry_name in cells.columns:
        return cells.geometry
    return None


def _zones_layer(ctx: RunContext, scores: RunScores, tables: _outputs.Tables) -> gpd.GeoDataFrame:
    """Return the ``zones`` layer, with what each zone's index is built on."""
    zones, totals = ctx.layers.zones, ctx.totals
    communes = ctx.inputs.communes
    names = dict(zip(communes["insee_com"].astype(str), communes["nom"].astype(str), strict=True))
    states = _like_with_like.row_states(
        scores.zones.values,
        totals.indicator_ids,
        totals.population,
        scores.zone_raw_scores,
        compiled=scores.compiled,
        missing=scores.completeness.zones,
        imputed=scores.completeness.impute,
        communes=zones["insee_com"].astype(str).tolist(),
        with_climate=_like_with_like.climate_communes(ctx.computed.climate, ctx.horizon),
        names=names,
    )
    summary = access_summary(
        ctx.access, ctx.layers.cells, ctx.layers.matrix, zones["zone_id"].tolist()
    )
    return tables.zones_frame(zones, totals, scores.zones, scores.breaks, summary, states)


def _run_json(
    ctx: RunContext,
    scores: RunScores,
    indicators: pd.DataFrame,
    climate: pd.DataFrame,
    *,
    n_cells: int,
    qpv: gpd.GeoDataFrame,
) -> dict[str, Any]:
    """Return the ``run.json`` dict of the scored run."""
    cell_pop, computed = scores.cell_population, ctx.computed
    commune_shares = ctx.layers.commune_shares
    run = _run_io.run_record(
        inputs=ctx.inputs,
        method=ctx.method,
        horizon=ctx.horizon,
        compiled=scores.compiled,
        computed=computed,
        indicators=indicators,
        climate=climate,
        coverage=coverage(commune_shares, cell_pop, ctx.inputs.communes),
        summary={
            "cells": n_cells,
            "population_cells": float(cell_pop.sum()),
            "qpv": len(qpv),
            "qpv_ranked": int(np.isfinite(scores.ranks).sum()),
            "access_given": ctx.access is not None,
        },
    )
    run["coherence"] = coherence_audit(
        scores.cells.normalised, scores.cells.index, cell_pop, scores.compiled
    )
    if ctx.method.hazard is not None:
        spread = CellCommunes(commune_shares, len(cell_pop)).spread
        run["hazard"] = hazard_record(
            ctx.method.hazard.indicators,
            computed.climate,
            lambda h, c: spread(computed.climate, h, c),
            cell_pop,
            ctx.horizon,
        )
    run["like_with_like"] = _like_with_like.record(scores.completeness, qpv)
    run["reference"] = ctx.scale.record()
    return run
