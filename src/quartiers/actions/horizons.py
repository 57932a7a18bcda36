"""Climate horizons of a QPV: the same neighbourhood at reference, +2, +2.7 and +4 °C.

Values come from the diagnostic's climate table (commune level, Climadiag or DRIAS). A QPV
straddling communes gets the mean of their values weighted by its residents in each (its
inhabited cells' commune), as the cell indicators do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quartiers.actions.matching import qpv_cells, qpv_row
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.exposure import CLIMATE_IDS
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import format_number
from quartiers.schemas import HORIZONS

__all__ = ["HorizonValue", "climate_horizons", "horizon_table"]


@dataclass(frozen=True)
class HorizonValue:
    """One climate indicator of a QPV at one horizon (``low``/``high``: model spread)."""

    indicator: str
    label: str
    unit: str
    horizon: str
    horizon_label: str
    value: float
    low: float
    high: float


def _commune_weights(diagnostic: Diagnostic, code_qp: str) -> dict[str, float]:
    cells = qpv_cells(diagnostic, code_qp)
    if not cells.empty and "insee_com" in cells.columns:
        pop = pd.to_numeric(cells["population"], errors="coerce").fillna(0.0)
        weights = pop.groupby(cells["insee_com"].astype(str)).sum()
        weights = weights[weights > 0]
        if len(weights):
            return {str(k): float(v) for k, v in weights.items()}
    row = qpv_row(diagnostic, code_qp)
    codes = str(row.get("insee_coms") or row.get("insee_com") or "").split(",")
    return {c.strip(): 1.0 for c in codes if c.strip()}


def climate_horizons(diagnostic: Diagnostic, code_qp: str) -> list[HorizonValue]:
    """Return the QPV's climate indicators at every horizon present, in horizon order."""
    weights = _commune_weights(diagnostic, code_qp)
    table = diagnostic.climate
    if table is None or not len(table) or not weights:
        return []
    table = table[table["insee_com"].astype(str).isin(list(weights))]
    out = []
    for indicator in CLIMATE_IDS:
        for horizon, horizon_label in HORIZONS.items():
            rows = table[(table["indicator"] == indicator) & (table["horizon"] == horizon)]
            if rows.empty:
                continue
            w = rows["insee_com"].astype(str).map(weights).to_numpy(dtype="float64")
            values = {}
            for column in ("value", "low", "high"):
                x = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype="float64")
                ok = np.isfinite(x) & (w > 0)
                values[column] = float(np.average(x[ok], weights=w[ok])) if ok.any() else math.nan
            if not math.isfinite(values["value"]):
                continue
            ind = REGISTRY[indicator]
            out.append(
                HorizonValue(
                    indicator=indicator,
                    label=ind.label.split(" (")[0],
                    unit=ind.unit,
                    horizon=horizon,
                    horizon_label=horizon_label,
                    value=values["value"],
                    low=values["low"],
                    high=values["high"],
                )
            )
    return out


def horizon_table(values: list[HorizonValue]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Return the horizon column labels and one row of texts per climate indicator."""
    horizons = [h for h in HORIZONS if any(v.horizon == h for v in values)]
    rows: list[tuple[str, list[str]]] = []
    for label in dict.fromkeys(v.label for v in values):
        cells = []
        for h in horizons:
            hit = [v for v in values if v.label == label and v.horizon == h]
            if not hit:
                cells.append("")
                continue
            v = hit[0]
            text = format_number(v.value, 1)
            if math.isfinite(v.low) and math.isfinite(v.high):
                text += f" ({format_number(v.low, 1)}–{format_number(v.high, 1)})"
            cells.append(text)
        unit = next(v.unit for v in values if v.label == label)
        rows.append((f"{label} ({unit})", cells))
    return [HORIZONS[h] for h in horizons], rows
