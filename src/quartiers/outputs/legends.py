"""The legend of a mapped quantity: one rule for the web map, ``carte.html`` and the PDF maps.

Classes are population-weighted quintiles of the cells (:func:`make_legend`), equal
intervals pooled over every horizon for a per-commune climate indicator, or fixed shares
(:data:`HAZARD_BREAKS`: out of the zone, up to a quarter, a half, three quarters, more) for
the share of a group in a hazard zone; a value equal to a break falls in the lower class.
The web catalogue, the offline map page and the PDF sheets all call :func:`legend_at`, so
a cell gets the same class, colour and words everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
from quartiers.outputs.classes import Legend, equal_breaks, make_legend
from quartiers.outputs.formatting import format_value
from quartiers.outputs.quantities import IndicatorInfo, indicator_infos
from quartiers.schemas import HORIZONS

if TYPE_CHECKING:
    from quartiers.diagnostic import Diagnostic

__all__ = [
    "CELL_MAP_LIMIT",
    "HAZARD_BREAKS",
    "ClimateTable",
    "climate_lookup",
    "diagnostic_legend",
    "finite_columns",
    "legend_at",
    "mappable_quantities",
    "population_weights",
]

FloatArray = NDArray[np.float64]

#: Above this many cells (national runs), maps do not carry the cells themselves: the web
#: map draws them from vector tiles, ``carte.html`` colours the QPV and sends to the app.
CELL_MAP_LIMIT = 60_000

#: Classes of a share in a hazard zone: 0 (no one in the zone), then quarters. Quintiles
#: would be meaningless where most residents live out of every zone.
HAZARD_BREAKS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
_HAZARD_IDS = frozenset(ind.id for ind in HAZARD_INDICATORS)
_HAZARD_NOTE = (
    "Classes : part fixe en zone d'aléa (première classe : personne en zone ; puis par "
    "quarts), les mêmes dans tous les territoires ; couleur foncée = plus exposé"
)
#: (indicator, horizon) → commune code → value.
ClimateTable = Mapping[tuple[str, str], Mapping[str, float]]


def climate_lookup(climate: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """Return the per-commune climate values by (indicator, horizon) of ``Diagnostic.climate``."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    if not len(climate) or not {"indicator", "horizon", "insee_com", "value"} <= set(
        climate.columns
    ):
        return out
    values = pd.to_numeric(climate["value"], errors="coerce")
    for ind, hz, com, val in zip(
        climate["indicator"], climate["horizon"], climate["insee_com"], values, strict=True
    ):
        if pd.notna(val):
            out.setdefault((str(ind), str(hz)), {})[str(com)] = float(val)
    return out


def _has_finite(column: pd.Series) -> bool:
    """Tell whether ``pd.to_numeric(column, errors="coerce")`` holds a finite number.

    Text held by Arrow is parsed only where it could be a number: a text whose first
    non-blank character is an ASCII letter never parses to a finite one (at most ``inf`` or
    ``nan``), and each distinct text once (2.3 million cell codes took 12 s to parse at
    national size, 0.2 s so).
    """
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pc.drop_null(pa.array(column.array))
        text = pc.filter(text, pc.invert(pc.match_substring_regex(text, r"^\s*[A-Za-z]")))
        column = pd.Series(pc.unique(text).to_pylist(), dtype=object)
    values = pd.to_numeric(column, errors="coerce")
    return bool(np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan)).any())


def finite_columns(frame: pd.DataFrame) -> set[str]:
    """Return the columns of ``frame`` (geometry aside) holding at least one finite number."""
    return {str(col) for col in frame.columns if col != "geometry" and _has_finite(frame[col])}


def mappable_quantities(diag: Diagnostic, climate: ClimateTable) -> dict[str, IndicatorInfo]:
    """Return the index, dimension scores and indicators of a diagnostic, index first."""
    index_info = diag.record.index
    return indicator_infos(
        diag.indicators,
        climate_ids=sorted({ind for ind, _ in climate}),
        columns_with_values=finite_columns(diag.cells),
        dimensions_in_index=index_info.dimensions,
    )


def population_weights(cells: pd.DataFrame) -> FloatArray:
    """Return the residents of each cell (0 where unknown), the weights of the quintiles."""
    return pd.to_numeric(cells["population"], errors="coerce").to_numpy("float64", na_value=0.0)


def legend_at(
    info: IndicatorInfo,
    values: FloatArray,
    weights: FloatArray,
    *,
    horizon: str,
    climate: ClimateTable,
) -> Legend:
    """Return the legend of a quantity from the cells' values and residents at a horizon."""
    fixed = None
    if info.climate:
        pooled = [v for (ind, _), table in climate.items() if ind == info.id
                  for v in table.values()]  # fmt: skip
        fixed = equal_breaks(np.asarray(pooled, dtype="float64")) or None
    hazard = info.id in _HAZARD_IDS
    legend = make_legend(
        info,
        values,
        weights,
        horizon=horizon,
        horizon_label=HORIZONS.get(horizon, horizon),
        fixed_breaks=HAZARD_BREAKS if hazard else fixed,
        fixed_note=_HAZARD_NOTE if hazard else None,
    )
    if hazard and len(legend.labels) == len(HAZARD_BREAKS) + 1:
        first_quarter = f"plus de 0 % à {format_value(HAZARD_BREAKS[1], info.unit)}"
        labels = ("personne en zone (0 %)", first_quarter, *legend.labels[2:])
        legend = replace(legend, labels=labels)
    return legend


def diagnostic_legend(
    diag: Diagnostic,
    column: str,
    *,
    quantities: Mapping[str, IndicatorInfo] | None = None,
    climate: ClimateTable | None = None,
) -> Legend:
    """Return the legend of a cell column of a diagnostic at the diagnostic's own horizon.

    ``quantities`` and ``climate`` (from :func:`mappable_quantities` and
    :func:`climate_lookup`) are computed when not given.
    """
    climate = climate if climate is not None else climate_lookup(diag.climate)
    infos = quantities if quantities is not None else mappable_quantities(diag, climate)
    horizon = diag.record.horizon.id or "ref"
    values = pd.to_numeric(diag.cells[column], errors="coerce").to_numpy("float64", na_value=np.nan)
    return legend_at(
        infos[column], values, population_weights(diag.cells), horizon=horizon, climate=climate
    )
