"""What the map pages need: indicator menus, map configuration and the QPV table rows.

Pure functions from a :class:`~quartiers.web.catalog.TerritoryData` to plain dictionaries
that the templates render and the map scripts read (``<script type="application/json">``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quartiers.indicators.hazard_registry import HAZARD_INDICATORS
from quartiers.indicators.housing_registry import HOUSING_IDS
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.quantities import INDEX_ID, IndicatorInfo
from quartiers.schemas import HORIZONS
from quartiers.settings import Settings
from quartiers.web import urls
from quartiers.web.api import MAX_BBOX_KM2, MAX_CELLS_PAGE
from quartiers.web.basemap import fond_config
from quartiers.web.catalog import TerritoryData
from quartiers.web.features import TILE_THRESHOLD
from quartiers.web.territory_parts import INCOMPLETE, ShownValues, qpv_rows, shown_values
from quartiers.web.territory_text import (
    ZERO_COVERAGE_TEXT,
    climate_source_text,
    coverage_block,
    run_notes_shown,
)
from quartiers.web.tiles import LAYER, MAX_ZOOM

__all__ = [
    "INCOMPLETE",
    "ZERO_COVERAGE_TEXT",
    "climate_source_text",
    "coverage_block",
    "horizon_options",
    "index_labels",
    "indicator_groups",
    "map_config",
    "qpv_rows",
    "resolve_choice",
    "run_notes_shown",
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
    td: TerritoryData, infos: list[IndicatorInfo], shown: ShownValues, *, cells_climate: bool
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, dict[str, str]]]:
    """Return the map's legends, commune climate values, raw and displayed QPV values.

    The QPV values are those of the shown quantity only: the map asks the API for another
    one when the menu changes (1,632 QPV × thirty quantity-horizons at national size). The
    commune climate values colour GeoJSON cells (``cells_climate``); tiles carry their own.
    """
    legends: dict[str, Any] = {}
    climate: dict[str, dict[str, dict[str, float]]] = {}
    for info in infos:
        for hz in _horizons_of(td, info):
            legends[_legend_key(info, hz, td.horizon)] = td.legend(info.id, hz).as_dict()
            if info.climate and cells_climate:
                climate.setdefault(info.id, {})[hz] = {
                    com: td.climate_value(info.id, hz, com) for com in td.communes
                }
    climate = {
        ind: {hz: {c: v for c, v in table.items() if np.isfinite(v)} for hz, table in hzs.items()}
        for ind, hzs in climate.items()
    }
    info = td.indicators[shown.indicator]
    codes = td.qpv_codes
    qpv_values: dict[str, dict[str, dict[str, float | None]]] = {}
    if info.climate:
        qpv_values[info.id] = {shown.horizon: dict(zip(codes, shown.values, strict=True))}
    key = _legend_key(info, shown.horizon, td.horizon)
    return legends, climate, qpv_values, {key: dict(zip(codes, shown.display, strict=True))}


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
    shown: ShownValues | None = None,
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
    shown
        The QPV values of the initial choice when already formatted (else formatted here).
    """
    infos = [i for i in td.indicators.values() if i.available and (only is None or i.id in only)]
    if shown is None:
        shown = shown_values(td, indicator, horizon)
    tiled = focus_qpv is None and len(td.cell_table) > TILE_THRESHOLD
    legends, climate, qpv_values, qpv_display = _indicator_tables(
        td, infos, shown, cells_climate=not tiled
    )
    bbox = _map_bbox(td, focus_qpv)
    tiles = None
    if tiled:  # national size: cells come as vector tiles carrying their value at every horizon
        tiles = {"url": urls.api_tiles(td.code), "maxzoom": MAX_ZOOM, "layer": LAYER}
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
        "layers": _map_layers(td, contributions_url),
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
        "qpv_values_url": urls.api_qpv_values(td.code),
        "initial": {"indicator": indicator, "horizon": horizon},
        "focus_qpv": focus_qpv,
    }


def _map_layers(td: TerritoryData, contributions_url: str | None) -> dict[str, str | None]:
    """Return the URL of each optional map layer (None when the territory has none)."""
    layers: dict[str, str | None] = {
        name: (
            f"/api/territories/{td.code}/layers/{name}.geojson"
            if getattr(td, name) is not None
            else None
        )
        for name in ("hotspots", "places")
    }
    layers["contributions"] = contributions_url
    return layers


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
