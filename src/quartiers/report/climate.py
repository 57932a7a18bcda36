"""Heat horizons of a commune: Climadiag indicators today and at +2, +2.7 and +4 °C.

Without Climadiag Commune for the commune, the DRIAS 2020 values (nearest SAFRAN grid point,
one RCP scenario) stand in for them, and the section says so (title, note).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import MISSING, as_float, format_number
from quartiers.report._common import commune_names, missing_reasons
from quartiers.report.charts import climate_chart
from quartiers.report.model import Chart, ClimateRow
from quartiers.schemas import HORIZONS

__all__ = ["CLIMATE_INDICATORS", "ClimateSection", "climate_section", "climate_values"]

#: Climate indicators of the sheets, in display order.
CLIMATE_INDICATORS = ("heat_wave_days", "warm_nights", "very_hot_days")
_SHORT = {
    "heat_wave_days": "Jours de vague de chaleur",
    "warm_nights": "Nuits chaudes",
    "very_hot_days": "Journées très chaudes",
}


@dataclass(frozen=True)
class ClimateSection:
    """The heat horizon block of a sheet."""

    commune: str
    horizons: list[str]
    rows: list[ClimateRow]
    chart: Chart | None
    note: str


def climate_values(
    climate: pd.DataFrame, insee_com: str
) -> dict[str, list[tuple[float | None, float | None, float | None]]]:
    """Return indicator → per horizon (in :data:`HORIZONS` order) ``(value, low, high)``.

    Only indicators with at least one value are returned.
    """
    if not len(climate) or "insee_com" not in climate.columns:
        return {}
    mine = climate[climate["insee_com"].astype(str) == insee_com]
    out = {}
    for ind in CLIMATE_INDICATORS:
        rows = mine[mine["indicator"] == ind].set_index("horizon")
        points = []
        for horizon in HORIZONS:
            if horizon in rows.index:
                r = rows.loc[horizon]
                points.append((as_float(r["value"]), as_float(r["low"]), as_float(r["high"])))
            else:
                points.append((None, None, None))
        if any(p[0] is not None for p in points):
            out[ind] = points
    return out


def _cell(point: tuple[float | None, float | None, float | None]) -> str:
    value, low, high = point
    if value is None:
        return MISSING
    text = format_number(value, 1)
    if low is not None and high is not None:
        text += f" ({format_number(low, 1)} à {format_number(high, 1)})"
    return text


def climate_section(diag: Diagnostic, insee_com: str, *, chart: bool = True) -> ClimateSection:
    """Return the heat horizons of a commune (table rows and chart), or say they are missing."""
    name = commune_names(diag).get(insee_com, insee_com)
    commune = f"{name} ({insee_com})" if name != insee_com else insee_com
    horizons = list(HORIZONS.values())
    values = climate_values(diag.climate, insee_com)
    if not values:
        reasons = missing_reasons(diag)
        why = reasons.get("heat_wave_days") or "indicateurs Climadiag absents pour cette commune"
        return ClimateSection(
            commune=commune,
            horizons=horizons,
            rows=[],
            chart=None,
            note=f"Horizons de chaleur non disponibles : {why}.",
        )
    rows = [
        ClimateRow(
            label=REGISTRY[ind].label.split(" (")[0],
            unit=REGISTRY[ind].unit,
            values=[_cell(p) for p in points],
        )
        for ind, points in values.items()
    ]
    source, note = _source(diag.climate, insee_com)
    drawn = None
    if chart:
        drawn = climate_chart(
            {_SHORT[ind]: points for ind, points in values.items()},
            horizons=horizons,
            title=f"Chaleur à {name} selon le niveau de réchauffement ({source})",
        )
    return ClimateSection(commune=commune, horizons=horizons, rows=rows, chart=drawn, note=note)


def _source(climate: pd.DataFrame, insee_com: str) -> tuple[str, str]:
    """Return the short name and the note of the commune's climate source (French)."""
    mine = climate[climate["insee_com"].astype(str) == insee_com]
    sources = set(mine.get("source", pd.Series(dtype=str)).astype(str))
    drias = sorted(s.split(":", 1)[1] for s in sources if s.startswith("drias:"))
    tracc = (
        "Niveaux de réchauffement de la trajectoire de référence (TRACC) : +2 °C vers 2030, "
        "+2,7 °C vers 2050, +4 °C vers 2100."
    )
    climadiag = (
        "Valeurs communales de Météo-France (Climadiag Commune) : moyenne des modèles et, "
        "entre parenthèses, leur fourchette."
    )
    if not drias:
        return "Climadiag", f"{climadiag} {tracc}"
    scenario = ", ".join(drias).replace("RCP", "RCP ")
    fallback = (
        f"Météo-France, DRIAS 2020 (scénario {scenario}), valeur du point de la grille "
        "SAFRAN le plus proche de la commune"
    )
    periods = (
        "Périodes DRIAS : 1976–2005 pour la référence, 2021–2050, 2041–2070 et 2071–2100 "
        "rangées en 2030, 2050 et 2100 (approximation : des fenêtres de 30 ans d'un scénario, "
        "non des niveaux de réchauffement)."
    )
    if "climadiag" in sources:
        return "Climadiag, à défaut DRIAS", f"{climadiag} À défaut : {fallback}. {periods}"
    return "DRIAS 2020", f"{fallback}, faute de données Climadiag Commune. {periods}"
