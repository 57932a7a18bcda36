"""The comparison page: every loaded territory and its QPV side by side.

Indicator values compare across territories (same definition, same unit); the composite
index does not (it is normalised within each territory), which the page says.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    as_float,
    format_number,
    format_ratio,
    format_value,
    ordinal,
)
from quartiers.outputs.quantities import IndicatorInfo
from quartiers.schemas import HORIZONS
from quartiers.web import urls
from quartiers.web.charts import DotGroup, dot_plot
from quartiers.web.state import WebState

__all__ = ["DEFAULT_INDICATOR", "comparison_context", "comparison_menu"]

DEFAULT_INDICATOR = "poverty_rate"


def comparison_menu(state: WebState) -> list[tuple[str, list[IndicatorInfo]]]:
    """Return the registry indicators available in at least one territory, by dimension."""
    seen: dict[str, IndicatorInfo] = {}
    for td in state.catalog:
        for ind, info in td.indicators.items():
            if info.kind == "indicator" and info.available and ind not in seen:
                seen[ind] = info
    groups = []
    for dim, label in DIMENSIONS.items():
        members = [i for i in seen.values() if i.dimension == dim]
        if members:
            groups.append((label, members))
    return groups


def _territory_rows(state: WebState) -> list[dict[str, Any]]:
    rows = []
    for td in state.catalog:
        summary = state.payloads[td.code].summary
        rows.append(
            {
                "code": td.code,
                "name": td.name,
                "url": urls.page_territory(td.code),
                "communes": len(td.communes),
                "qpv": summary["qpv_count"],
                "ranked": summary["qpv_ranked"],
                "population_qpv": format_number(summary["population_qpv"], 0),
                "population_cells": format_number(summary["population_cells"], 0),
                "horizon": summary["horizon"]["label"],
                "method": f"{summary['method']['name']} (v{summary['method']['version']})",
                "uncertainty": "oui" if summary["has_uncertainty"] else "non disponible",
            }
        )
    return rows


def _qpv_rows(state: WebState, info: IndicatorInfo, horizon: str) -> list[dict[str, Any]]:
    rows = []
    for td in state.catalog:
        local = td.indicators.get(info.id)
        if local is None or not local.available:
            for i, code_qp in enumerate(td.qpv_codes):
                rows.append(_missing_row(td.code, td.name, td, i, code_qp, local))
            continue
        values = td.qpv_values(info.id, horizon)
        same_horizon = not info.climate or horizon == td.horizon
        for i, code_qp in enumerate(td.qpv_codes):
            row = td.qpv.iloc[i]
            value = float(values[i])
            gap = row.get(f"gap_commune_{info.id}") if same_horizon else None
            ratio = row.get(f"ratio_commune_{info.id}") if same_horizon else None
            gap_value = as_float(gap)
            rest = value - gap_value if gap_value is not None and np.isfinite(value) else None
            rows.append(
                {
                    "territory": td.code,
                    "territory_name": td.name,
                    "code_qp": code_qp,
                    "lib_qp": str(row.get("lib_qp") or code_qp),
                    "url": urls.page_qpv(td.code, code_qp),
                    "value": value if np.isfinite(value) else None,
                    "value_display": format_value(value, info.unit),
                    "rest_display": format_value(rest, info.unit),
                    "ratio_display": format_ratio(ratio),
                    "index_display": format_number(row.get("index"), 2),
                    "rank_display": ordinal(row.get("rank")),
                    "reason": "",
                }
            )
    present = [r for r in rows if r["value"] is not None]
    present.sort(key=lambda r: r["value"], reverse=info.direction > 0)
    return present + [r for r in rows if r["value"] is None]


def _missing_row(
    code: str, name: str, td: Any, i: int, code_qp: str, local: IndicatorInfo | None
) -> dict[str, Any]:
    row = td.qpv.iloc[i]
    return {
        "territory": code,
        "territory_name": name,
        "code_qp": code_qp,
        "lib_qp": str(row.get("lib_qp") or code_qp),
        "url": urls.page_qpv(code, code_qp),
        "value": None,
        "value_display": MISSING,
        "rest_display": MISSING,
        "ratio_display": MISSING,
        "index_display": format_number(row.get("index"), 2),
        "rank_display": ordinal(row.get("rank")),
        "reason": (local.missing_reason if local else "indicateur absent de ce diagnostic"),
    }


def _chart(state: WebState, info: IndicatorInfo, horizon: str, rows: list[dict[str, Any]]) -> Any:
    groups = []
    for td in state.catalog:
        points = tuple(
            (f"{r['lib_qp']} ({r['code_qp']})", r["value"])
            for r in rows
            if r["territory"] == td.code
        )
        reference = None
        if td.available(info.id) and (not info.climate or horizon == td.horizon):
            zones = td.diagnostic.zones
            epci = zones[zones["zone_type"] == "reste_epci"]
            if len(epci) and info.id in epci.columns:
                ref = float(epci.iloc[0][info.id])
                reference = ref if np.isfinite(ref) else None
        groups.append(DotGroup(label=td.name, points=points, reference=reference))
    return dot_plot(
        groups,
        info.unit,
        chart_id="graphique-comparaison",
        title=f"{info.label} : QPV de chaque territoire",
        desc=(
            "Une ligne par territoire ; un rond par QPV ; le trait vertical marque le reste de "
            "l'intercommunalité hors QPV. Les valeurs sont dans le tableau qui suit."
        ),
    )


def _climate_table(state: WebState) -> list[dict[str, Any]]:
    rows = []
    for td in state.catalog:
        communes = sorted({c for codes in td.qpv["insee_coms"] for c in str(codes).split(",") if c})
        for ind, info in td.indicators.items():
            if not info.climate:
                continue
            for com in communes:
                values = [
                    format_value(td.climate_value(ind, hz, com), info.unit) for hz in HORIZONS
                ]
                rows.append(
                    {
                        "territory_name": td.name,
                        "commune": f"{td.communes.get(com, com)} ({com})",
                        "indicator": info.label,
                        "values": values,
                    }
                )
    return rows


def comparison_context(
    state: WebState, indicator: str | None, horizon: str | None
) -> dict[str, Any]:
    """Return the template context of the comparison page."""
    menu = comparison_menu(state)
    known = {i.id: i for _, members in menu for i in members}
    notes = []
    chosen = indicator or DEFAULT_INDICATOR
    if chosen not in known:
        if indicator:
            notes.append(f"indicateur « {indicator} » non disponible : taux de pauvreté affiché")
        chosen = DEFAULT_INDICATOR if DEFAULT_INDICATOR in known else next(iter(known), "")
    hz = horizon if horizon in HORIZONS else next(iter(HORIZONS))
    if horizon and horizon not in HORIZONS:
        notes.append(f"horizon « {horizon} » inconnu : {HORIZONS[hz]} affiché")
    info = known.get(chosen)
    rows = _qpv_rows(state, info, hz) if info else []
    return {
        "menu": menu,
        "indicator": info,
        "horizon": hz,
        "horizons": list(HORIZONS.items()),
        "notes": notes,
        "territories": _territory_rows(state),
        "rows": rows,
        "chart": _chart(state, info, hz, rows) if info else None,
        "climate_rows": _climate_table(state),
        "climate_horizons": list(HORIZONS.values()),
    }
