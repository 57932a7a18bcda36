"""Result of a what-if: what each chosen action did, and the diagnostic before and after.

:class:`WhatIfResult` compares the two runs of :func:`quartiers.actions.whatif.run_whatif`
per QPV (:meth:`~WhatIfResult.qpv_changes`) and per cell (:meth:`~WhatIfResult.cell_changes`,
:meth:`~WhatIfResult.cells_geojson`) on the columns of :data:`COMPARED`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quartiers.actions.catalogue import Action
from quartiers.actions.choices import Choice
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.spatial.grid import CELL_CRS

__all__ = ["COMPARED", "Applied", "WhatIfResult", "column_label"]


#: Columns compared before/after: indicators, dimension scores, index.
COMPARED: tuple[str, ...] = (*REGISTRY, *(f"score_{d}" for d in DIMENSIONS), "index")
# Values closer than this are equal (floating noise of reruns).
_TOL = 1e-12


def column_label(column: str) -> tuple[str, str]:
    """Return the French label and unit of a compared column."""
    if column in REGISTRY:
        return REGISTRY[column].label, REGISTRY[column].unit
    if column.startswith("score_"):
        return f"Score {DIMENSIONS[column.removeprefix('score_')].lower()}", "0–1"
    if column == "rank":
        return "Rang du QPV (1 = le plus vulnérable)", "rang"
    return "Indice de vulnérabilité", "0–1"


@dataclass(frozen=True)
class Applied:
    """What one chosen action did in the simulation.

    Attributes
    ----------
    action, choice
        The action and its effective settings (defaults filled in).
    area_m2
        Area treated (m²) by an area lever (None otherwise).
    places
        Number of places opened.
    quantity
        Budget quantity in the action's cost unit.
    notes
        French remarks (room lacking in a cell, lever not represented…).
    simulated
        False when the territory's data cannot represent the lever (a place opened without
        street data): the action is carried along, « non simulée », and changes nothing.
    """

    action: Action
    choice: Choice
    area_m2: float | None
    places: int
    quantity: float
    notes: tuple[str, ...] = ()
    simulated: bool = True


@dataclass
class WhatIfResult:
    """Before/after of a what-if (both runs by the same code, method and horizon)."""

    applied: list[Applied]
    before: Diagnostic
    after: Diagnostic
    notes: list[str] = field(default_factory=list)

    def qpv_changes(self, code_qp: str | None = None) -> pd.DataFrame:
        """Return one row per QPV × compared column: ``before``, ``after``, ``delta``.

        Columns ``code_qp, lib_qp, column, label, unit, before, after, delta``; the QPV rank
        is included as column ``rank``.
        """
        b = self.before.qpv_table().set_index("code_qp")
        a = self.after.qpv_table().set_index("code_qp")
        codes = list(b.index) if code_qp is None else [code_qp]
        rows = []
        for code in codes:
            if code not in b.index:
                raise InputError(f"QPV inconnu « {code} » dans ce diagnostic")
            for column in (*COMPARED, "rank"):
                if column not in b.columns:
                    continue
                before, after = _float(b.at[code, column]), _float(a.at[code, column])
                if not (math.isfinite(before) or math.isfinite(after)):
                    continue
                label, unit = column_label(column)
                rows.append(
                    {
                        "code_qp": code,
                        "lib_qp": str(b.at[code, "lib_qp"]),
                        "column": column,
                        "label": label,
                        "unit": unit,
                        "before": before,
                        "after": after,
                        "delta": after - before,
                    }
                )
        return pd.DataFrame(rows)

    def cell_changes(self) -> pd.DataFrame:
        """Return the compared values of every cell where one of them changed.

        Long table ``idcar_200m, code_qp, population, column, before, after, delta``.
        """
        b = self.before.cells.set_index("idcar_200m")
        a = self.after.cells.set_index("idcar_200m").reindex(b.index)
        rows = []
        for column in COMPARED:
            if column not in b.columns:
                continue
            x = pd.to_numeric(b[column], errors="coerce").to_numpy(dtype="float64")
            y = pd.to_numeric(a[column], errors="coerce").to_numpy(dtype="float64")
            changed = ~_same(x, y)
            for pos in np.flatnonzero(changed):
                rows.append(
                    {
                        "idcar_200m": str(b.index[pos]),
                        "code_qp": str(b["code_qp"].iloc[pos]),
                        "population": float(b["population"].iloc[pos]),
                        "column": column,
                        "before": float(x[pos]),
                        "after": float(y[pos]),
                        "delta": float(y[pos] - x[pos]),
                    }
                )
        columns = ["idcar_200m", "code_qp", "population", "column", "before", "after", "delta"]
        return pd.DataFrame(rows, columns=columns)

    def cells_geojson(self) -> dict[str, Any]:
        """Return the changed cells as GeoJSON (WGS84) with the index before and after."""
        changes = self.cell_changes()
        ids = sorted(set(changes["idcar_200m"]))
        cells = self.before.cells.set_index("idcar_200m").loc[ids]
        after = self.after.cells.set_index("idcar_200m").reindex(ids)
        geoms = cells.geometry.set_crs(CELL_CRS, allow_override=True).to_crs("EPSG:4326")
        features = []
        for cell_id, geom in zip(ids, geoms, strict=True):
            sub = changes[changes["idcar_200m"] == cell_id]
            features.append(
                {
                    "type": "Feature",
                    "geometry": _geojson(geom),
                    "properties": {
                        "idcar_200m": cell_id,
                        "code_qp": str(cells.at[cell_id, "code_qp"]),
                        "index_before": _json_number(cells.at[cell_id, "index"]),
                        "index_after": _json_number(after.at[cell_id, "index"]),
                        "changed": sorted(set(sub["column"])),
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features}


def _geojson(geom: Any) -> dict[str, Any]:
    import shapely.geometry

    mapping: dict[str, Any] = shapely.geometry.mapping(geom)
    return mapping


def _json_number(value: object) -> float | None:
    x = _float(value)
    return round(x, 6) if math.isfinite(x) else None


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _same(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    both_nan = np.isnan(x) & np.isnan(y)
    with np.errstate(invalid="ignore"):
        close = np.abs(x - y) <= _TOL
    return np.asarray(both_nan | close, dtype=bool)
