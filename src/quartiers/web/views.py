"""What the map pages need: indicator menus, map configuration and the QPV table rows.

Pure functions from a :class:`~quartiers.web.catalog.TerritoryData` to plain dictionaries
that the templates render and the map scripts read (``<script type="application/json">``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from quartiers.diagnostic.record import COVERAGE_NOTE_PREFIX
from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
from quartiers.indicators.housing_registry import HOUSING_IDS
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    format_number,
    format_share,
    format_value,
    ordinal,
)
from quartiers.outputs.quantities import INDEX_ID, IndicatorInfo
from quartiers.schemas import HORIZONS
from quartiers.settings import Settings
from quartiers.web import urls
from quartiers.web.api import MAX_BBOX_KM2, MAX_CELLS_PAGE
from quartiers.web.basemap import fond_config
from quartiers.web.catalog import TerritoryData
from quartiers.web.features import TILE_THRESHOLD
from quartiers.web.tiles import LAYER, MAX_ZOOM

__all__ = [
    "INCOMPLETE",
    "horizon_options",
    "index_labels",
    "indicator_groups",
    "map_config",
    "qpv_rows",
    "resolve_choice",
]

#: The menu group of the hazard layers.
HAZARD_MENU = "Aléas : part en zone inondable, de submersion, d'argiles"
HAZARD_IDS = frozenset(ind.id for ind in HAZARD_INDICATORS)
#: The menu group of the DPE indicators (housing and indoor heat, energy).
HOUSING_MENU = "Logement et chaleur intérieure (DPE)"
_HOUSING = frozenset(HOUSING_IDS)

QPV_TABLE_SORTS = {
    "rang": "rank",
    "indice": "index",
    "intervalle": "rank_interval",
    "nom": "lib_qp",
}


def indicator_groups(
    td: TerritoryData, *, only: set[str] | None = None
) -> list[tuple[str, list[IndicatorInfo]]]:
    """Return the indicator menu: index and scores, then one group per dimension.

    The hazard shares (flood, sea, clay, several hazards) get their own group after the
    exposure indicators: one map layer per hazard and population group. The DPE
    indicators (F/G, summer comfort, coverage, energy) get theirs at the end.
    """
    infos = [i for i in td.indicators.values() if only is None or i.id in only]
    groups = [("Indice et scores", [i for i in infos if i.kind in ("index", "score")])]
    for dim, label in DIMENSIONS.items():
        members = [i for i in infos if i.kind == "indicator" and i.dimension == dim]
        groups.append((label, [i for i in members if i.id not in HAZARD_IDS | _HOUSING]))
        if dim == "exposure":
            groups.append((HAZARD_MENU, [i for i in members if i.id in HAZARD_IDS]))
    housing = [i for i in infos if i.kind == "indicator" and i.id in _HOUSING]
    groups.append((HOUSING_MENU, sorted(housing, key=lambda i: HOUSING_IDS.index(i.id))))
    return [(label, members) for label, members in groups if members]


def horizon_options() -> list[tuple[str, str]]:
    """Return the climate horizons (id, French label)."""
    return list(HORIZONS.items())


def resolve_choice(
    td: TerritoryData, indicator: str | None, horizon: str | None
) -> tuple[str, str, list[str]]:
    """Return the indicator and horizon to show, and French notes on replaced choices."""
    notes = []
    chosen = indicator or INDEX_ID
    if chosen not in td.indicators:
        notes.append(f"indicateur « {chosen} » inconnu : l'indice est affiché")
        chosen = INDEX_ID
    elif not td.indicators[chosen].available:
        info = td.indicators[chosen]
        notes.append(
            f"{info.label} : non disponible ({info.missing_reason}) ; l'indice est affiché"
        )
        chosen = INDEX_ID
    hz = horizon or td.horizon
    if hz not in HORIZONS:
        notes.append(f"horizon « {hz} » inconnu : {HORIZONS[td.horizon]} affiché")
        hz = td.horizon
    return chosen, hz, notes


def _legend_key(info: IndicatorInfo, horizon: str, run_horizon: str) -> str:
    return f"{info.id}|{horizon if info.climate else run_horizon}"


def _horizons_of(td: TerritoryData, info: IndicatorInfo) -> list[str]:
    return td.climate_horizons() if info.climate else [td.horizon]


def _indicator_tables(
    td: TerritoryData, infos: list[IndicatorInfo]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, dict[str, str]]]:
    """Return the map's legends, commune climate values, raw and displayed QPV values."""
    legends: dict[str, Any] = {}
    climate: dict[str, dict[str, dict[str, float]]] = {}
    qpv_values: dict[str, dict[str, dict[str, float | None]]] = {}
    qpv_display: dict[str, dict[str, str]] = {}
    codes = td.qpv_codes
    for info in infos:
        for hz in _horizons_of(td, info):
            key = _legend_key(info, hz, td.horizon)
            legends[key] = td.legend(info.id, hz).as_dict()
            qvals = td.qpv_values(info.id, hz)
            qpv_display[key] = {
                c: format_value(v, info.unit) for c, v in zip(codes, qvals, strict=True)
            }
            if info.climate:
                climate.setdefault(info.id, {})[hz] = {
                    com: td.climate_value(info.id, hz, com) for com in td.communes
                }
                qpv_values.setdefault(info.id, {})[hz] = {
                    c: (float(v) if np.isfinite(v) else None)
                    for c, v in zip(codes, qvals, strict=True)
                }
    climate = {
        ind: {hz: {c: v for c, v in table.items() if np.isfinite(v)} for hz, table in hzs.items()}
        for ind, hzs in climate.items()
    }
    return legends, climate, qpv_values, qpv_display


def _map_bbox(td: TerritoryData, focus_qpv: str | None) -> list[float]:
    """Return the initial map extent: the territory, or about 900 m around a QPV."""
    bbox = list(td.bbox)
    if focus_qpv is not None:
        pos = td.qpv_position(focus_qpv)
        minx, miny, maxx, maxy = td.qpv.geometry.iloc[pos].bounds
        pad_x, pad_y = 0.012, 0.008  # about 900 m around the QPV
        bbox = [minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y]
    return bbox


def map_config(
    td: TerritoryData,
    settings: Settings,
    *,
    indicator: str,
    horizon: str,
    contributions_url: str | None,
    only: set[str] | None = None,
    focus_qpv: str | None = None,
) -> dict[str, Any]:
    """Return the configuration read by the map scripts (JSON-ready).

    Parameters
    ----------
    td
        The territory.
    settings
        For the optional online basemap.
    indicator, horizon
        Initial choice.
    contributions_url
        GeoJSON of published contributions, None when contributions are not available.
    only
        Restrict the indicator menu (the QPV page's resources map).
    focus_qpv
        Centre the map on this QPV (its page).
    """
    infos = [i for i in td.indicators.values() if i.available and (only is None or i.id in only)]
    legends, climate, qpv_values, qpv_display = _indicator_tables(td, infos)
    bbox = _map_bbox(td, focus_qpv)
    layers: dict[str, str | None] = {
        name: (
            f"/api/territories/{td.code}/layers/{name}.geojson"
            if getattr(td, name) is not None
            else None
        )
        for name in ("hotspots", "places")
    }
    layers["contributions"] = contributions_url
    tiles = None
    if focus_qpv is None and len(td.cells) > TILE_THRESHOLD:
        # national size: cells come as vector tiles carrying their value at every horizon
        tiles = {"url": urls.api_tiles(td.code), "maxzoom": MAX_ZOOM, "layer": LAYER}
        climate = {}
    basemap = None
    if settings.basemap_url:
        basemap = {"url": settings.basemap_url, "attribution": settings.basemap_attribution}
    return {
        "territory": td.code,
        "bbox": [round(v, 6) for v in bbox],
        "cells_url": urls.api_cells(td.code),
        "tiles": tiles,
        "qpv_url": f"/api/territories/{td.code}/qpv.geojson",
        "max_bbox_km2": MAX_BBOX_KM2,
        "max_page": MAX_CELLS_PAGE,
        "layers": layers,
        "basemap": basemap,
        "fond": fond_config(td.code, td.directory),
        "run_horizon": td.horizon,
        "horizons": dict(HORIZONS),
        "indicators": [
            {
                "id": i.id,
                "label": i.label,
                "unit": i.unit,
                "climate": i.climate,
                "direction": i.direction,
            }
            for i in infos
        ],
        "legends": legends,
        "climate": climate,
        "qpv_values": qpv_values,
        "qpv_display": qpv_display,
        "initial": {"indicator": indicator, "horizon": horizon},
        "focus_qpv": focus_qpv,
    }


def _num(value: Any) -> float | None:
    if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
        number = float(value)  # fast path: 1,632 QPV × several columns at national size
        return number if math.isfinite(number) else None
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) and np.isfinite(number) else None


def qpv_rows(td: TerritoryData, *, indicator: str, horizon: str) -> list[dict[str, Any]]:
    """Return the rows of the overview's QPV table (values and their French display)."""
    info = td.indicators[indicator]
    shown = td.qpv_values(indicator, horizon)
    rows = []
    for i, row in enumerate(td.qpv.to_dict(orient="records")):
        code_qp = str(row["code_qp"])
        low, high = _num(row.get("rank_low")), _num(row.get("rank_high"))
        p_top = _num(row.get("p_top_quintile"))
        rank = _num(row.get("rank"))
        index = _num(row.get(INDEX_ID))
        rows.append(
            {
                "code_qp": code_qp,
                "lib_qp": str(row.get("lib_qp") or code_qp),
                "url": urls.page_qpv(td.code, code_qp),
                "communes": td.commune_label(str(row.get("insee_coms") or row.get("insee_com"))),
                "population": _num(row.get("population")),
                "population_display": format_number(row.get("population"), 0),
                "index": index,
                "index_display": format_number(index, 2),
                "rank": rank,
                "rank_display": ordinal(rank) if rank is not None else "non classé",
                "rank_low": low,
                "rank_high": high,
                "interval_display": (
                    f"{ordinal(low)} à {ordinal(high)}"
                    if low is not None and high is not None
                    else MISSING
                ),
                "p_top": p_top,
                "p_top_display": format_value(p_top, "part (0–1)"),
                "value": _num(shown[i]),
                "value_display": format_value(shown[i], info.unit),
                "status_detail": str(row.get("status_detail") or ""),
                "status": str(row.get("status") or ""),
                "status_display": _status_text(str(row.get("status") or ""), rank),
                "index_label": str(row.get("index_label") or ""),
                "index_note": str(row.get("index_note") or ""),
            }
        )
    return rows


#: Status of a QPV whose index lacks a dimension the others have (shown apart, unranked).
INCOMPLETE = "incomplet"


def _status_text(status: str, rank: float | None) -> str:
    """Return the short French status of a QPV for the first-screen table."""
    if status == INCOMPLETE:
        return "indice incomplet, non classé"
    if status == "non significatif":
        return "trop peu d'habitants, non classé"
    return "classé" if rank is not None else "non classé"


def index_labels(rows: list[dict[str, Any]]) -> list[str]:
    """Return the distinct labels of what the indices of the given QPV rows measure."""
    return list(dict.fromkeys(r["index_label"] for r in rows if r["index_label"]))


def sort_rows(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[dict[str, Any]]:
    """Sort table rows by ``rang``, ``indice``, ``intervalle`` or ``nom`` (missing last)."""
    key_name = QPV_TABLE_SORTS.get(sort, "rank")

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        if key_name == "lib_qp":
            return (False, row["lib_qp"].casefold())
        if key_name == "rank_interval":
            low, high = row["rank_low"], row["rank_high"]
            return (low is None, low or 0.0, high or 0.0)
        value = row[key_name]
        return (value is None, value or 0.0)

    present = [r for r in rows if not key(r)[0]]
    missing = [r for r in rows if key(r)[0]]
    present.sort(key=key, reverse=descending)
    return present + missing


#: Communes whose legal population the grid covers below this share are listed as partial.
PARTIAL_COVERAGE = 0.9

#: What a 0 % coverage means for the results (territory page, communes block).
ZERO_COVERAGE_TEXT = (
    "Une commune couverte à 0 % n'a aucun carreau de 200 m de la grille INSEE (Filosofi) "
    "dans les données du diagnostic : ses habitants ne sont comptés dans aucun indicateur ni "
    "dans les comparaisons (reste de la commune, reste de l'EPCI), et les résultats ne "
    "décrivent que la partie couverte du territoire."
)


#: Above this many communes, the coverage table lists only the partly covered ones.
COVERAGE_ROWS = 200


def coverage_block(td: TerritoryData) -> dict[str, Any]:
    """Return the communes with their grid coverage (rows, partial ones, 0 % ones)."""
    rows: list[dict[str, Any]] = [
        {
            "insee_com": c.insee_com,
            "nom": c.nom or c.insee_com,
            "share": c.grid_share,
            "share_display": format_share(c.grid_share, 0),
        }
        for c in td.record.coverage
    ]
    rows.sort(key=lambda r: (r["share"] is None, r["share"] or 0.0, r["nom"]))
    partial = [r for r in rows if r["share"] is not None and float(r["share"]) < PARTIAL_COVERAGE]
    zero = [r for r in partial if float(r["share"]) == 0.0]
    others = 0
    if len(rows) > COVERAGE_ROWS:  # national runs: thousands of communes, list the partial ones
        others = len(rows) - len(partial)
        rows = partial
    return {"rows": rows, "partial": partial, "zero": zero, "others": others}


def run_notes_shown(td: TerritoryData) -> list[str]:
    """Return the run notes shown above the map (the coverage note goes to its own block)."""
    return [n for n in td.record.notes if not n.startswith(COVERAGE_NOTE_PREFIX)]


def climate_source_text(td: TerritoryData) -> str:
    """Return, in French, where the commune climate values of the run come from.

    DRIAS 2020 stands in for Climadiag Commune (no public bulk file) and is named as such:
    scenario and nearest SAFRAN grid point of each commune.
    """
    sources = {str(row.get("source") or "") for row in td.record.climate}
    drias = sorted(s.split(":", 1)[1] for s in sources if s.startswith("drias:"))
    climadiag = "climadiag" in sources
    if not drias:
        return "Météo-France, Climadiag Commune"
    fallback = (
        f"DRIAS 2020, scénario {', '.join(drias).replace('RCP', 'RCP ')}, valeur du point de "
        "la grille SAFRAN le plus proche de chaque commune"
    )
    if climadiag:
        return f"Météo-France, Climadiag Commune et, à défaut, {fallback}"
    return f"Météo-France, {fallback}, faute de données Climadiag Commune"
