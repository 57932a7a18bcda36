"""Apply the method's ``missing_dimension`` rule to scored units (private to the orchestrator).

:func:`assess` finds the cells and zones whose index lacks a dimension the territory has
(:mod:`quartiers.method.completeness`); :func:`apply` imputes their missing scores when the
method says ``impute`` (and recomputes their index), or blanks the index of incomplete cells
when it says ``exclude``; :func:`row_states` tells, per zone, what its index is built on, for
``index_label``, ``index_note`` and ``status_detail`` (:mod:`quartiers.diagnostic._index_label`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.diagnostic._index_label import RowState, layers_of
from quartiers.indicators.exposure import CLIMATE_IDS
from quartiers.indicators.registry import REGISTRY
from quartiers.method.completeness import (
    Completeness,
    fill_scores,
    missing_dimensions,
    present_dimensions,
    territory_fill,
)
from quartiers.method.composite import CompiledMethod, combine

if TYPE_CHECKING:
    from quartiers.diagnostic.scoring import Scored
    from quartiers.method.spec import Method

__all__ = ["apply", "assess", "climate_communes", "record", "row_states"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def assess(
    method: Method,
    compiled: CompiledMethod,
    cells: Scored,
    cell_scored: BoolArray,
    cell_population: FloatArray,
    zones: Scored,
    zone_population: FloatArray,
) -> Completeness:
    """Return which cells and zones lack a dimension, and the imputed value of each."""
    present = present_dimensions(cells.scores, cell_scored)
    fill = np.full(len(compiled.dimension_ids), np.nan)
    if method.missing_dimension == "impute":
        weights = np.where(cell_scored, cell_population, 0.0)
        fill = territory_fill(cells.scores, weights)
    return Completeness(
        mode=method.missing_dimension,
        dimension_ids=compiled.dimension_ids,
        present=present,
        cells=missing_dimensions(cells.scores, present, cell_scored),
        zones=missing_dimensions(zones.scores, present, zone_population > 0),
        fill=fill,
    )


def apply(
    scored: Scored,
    missing: BoolArray,
    completeness: Completeness,
    compiled: CompiledMethod,
    *,
    blank: bool = False,
) -> None:
    """Impute the missing scores of ``scored`` (``impute``) or blank their index (``blank``).

    With ``exclude``, incomplete zones keep their partial index (labelled for what it
    measures); incomplete cells (``blank=True``) lose theirs so that they neither colour the
    map nor move the quintile breaks.
    """
    rows = missing.any(axis=1)
    if not rows.any():
        return
    if completeness.impute:
        scored.scores[:] = fill_scores(scored.scores, missing, completeness.fill)
        scored.index[rows] = combine(scored.scores[rows], compiled)
    elif blank:
        scored.index[rows] = np.nan


def climate_communes(climate: pd.DataFrame, horizon: str) -> set[str]:
    """Return the communes with at least one climate value at the horizon."""
    if not len(climate) or "insee_com" not in climate.columns:
        return set()
    at = climate[(climate["horizon"] == horizon) & np.isfinite(climate["value"].astype(float))]
    return {str(c) for c in at["insee_com"]}


def row_states(
    values: FloatArray,
    ids: Sequence[str],
    population: FloatArray,
    scores: FloatArray,
    *,
    compiled: CompiledMethod,
    missing: BoolArray,
    imputed: bool,
    communes: Sequence[str],
    with_climate: set[str],
    names: Mapping[str, str],
) -> list[RowState]:
    """Return, per unit, what its index is built on and which input layers it lacks.

    Parameters
    ----------
    values
        Published indicator values (units × ``ids``), blanks below display floors.
    ids
        Indicator ids of the columns of ``values``.
    population
        Residents per unit.
    scores
        Dimension scores before imputation (units × ``compiled.dimension_ids``).
    compiled
        The method as run (its ``dropped`` indicators are missing everywhere).
    missing
        Units × dimensions lacking a dimension the territory has.
    imputed
        Missing dimensions were imputed.
    communes
        Per unit, its commune codes separated by commas.
    with_climate
        Communes with climate projections at the horizon.
    names
        Commune code → name.
    """
    dims = compiled.dimension_ids
    exposure = [i for i in compiled.indicator_ids if REGISTRY[i].dimension == "exposure"]
    local = [ids.index(i) for i in exposure if i not in CLIMATE_IDS]
    floors = np.asarray([REGISTRY[i].min_population for i in ids], dtype="float64")
    blank = ~np.isfinite(values) & (population[:, None] >= floors[None, :])
    in_index = [ids.index(i) for i in compiled.indicator_ids]
    out = []
    for r in range(values.shape[0]):
        known = {d for k, d in enumerate(dims) if np.isfinite(scores[r, k])}
        imputed_dims = {d for k, d in enumerate(dims) if missing[r, k]} if imputed else set()
        commune_only = "exposure" in known and not np.isfinite(values[r, local]).any()
        absent = [*compiled.dropped]
        absent += [ids[j] for j in in_index if blank[r, j] and ids[j] not in absent]
        layers = layers_of(absent)
        gone = {d for k, d in enumerate(dims) if missing[r, k]}
        own = layers_of([i for i in absent if REGISTRY[i].dimension in gone])
        codes = [c.strip() for c in str(communes[r]).split(",") if c.strip()]
        lacking = tuple(f"{names.get(c, c)} ({c})" for c in codes if c not in with_climate)
        out.append(
            RowState(
                measured=frozenset(known),
                imputed=frozenset(imputed_dims),
                commune_exposure=commune_only,
                missing_layers=tuple(layers),
                communes_without_climate=lacking if "climate" in layers else (),
                dimension_layers=tuple(own),
            )
        )
    return out


def record(completeness: Completeness, qpv: pd.DataFrame) -> dict[str, object]:
    """Return the ``run.json`` entry of the rule: mode, dimensions present, QPV concerned."""
    from quartiers.method.completeness import MISSING_DIMENSION

    dims = completeness.dimension_ids
    present = [d for d, ok in zip(dims, completeness.present, strict=True) if ok]
    concerned = qpv[qpv["missing_dimensions"].astype(str) != ""]
    return {
        "missing_dimension": completeness.mode,
        "rule": MISSING_DIMENSION[completeness.mode],
        "dimensions_present": present,
        "imputed_values": (
            {d: round(float(v), 6) for d, v in zip(dims, completeness.fill, strict=True)}
            if completeness.impute
            else {}
        ),
        "qpv": {
            str(row["code_qp"]): str(row["missing_dimensions"]) for _, row in concerned.iterrows()
        },
    }
