"""Hazard exposure per 200 m cell: share of the cell's residents inside each hazard zone.

A cell's share in a zone is the share of its residential building footprint inside the
zone (residents live in buildings); a cell without known residential buildings takes the
share of its area. The zones are unions of the ``hazards`` table's polygons (see
:data:`~quartiers.schemas.HAZARD_COLUMNS`): ``flood`` (hazard ``inondation``), ``sea``
(``submersion``), ``clay`` (``argiles`` of level 2 or 3), and ``multi_hazard`` where two of
them overlap.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.indicators.base import CellIndicator, from_counts
from quartiers.indicators.hazard_registry import (
    HAZARD_GROUPS,
    HAZARD_POPULATIONS,
    hazard_indicator_id,
)
from quartiers.spatial.geometry import CellGrid, area_share, polygons_3035

__all__ = ["hazard_indicators", "hazard_zones", "no_hazard_reasons", "zone_shares"]

FloatArray = NDArray[np.float64]

_ABSENT = {
    "flood": "aucune zone inondable dans les sources d'aléas fournies (tri, eaip, ppr)",
    "sea": "aucune zone de submersion marine dans les sources d'aléas fournies (tri, eaip, ppr)",
    "clay": "aucune zone d'exposition aux argiles dans les sources fournies (argiles)",
    "multi_hazard": "moins de deux aléas renseignés (inondation, submersion, argiles)",
}
NO_HAZARDS = "zones d'aléa absentes (sources tri, eaip, ppr, argiles non fournies)"


def _ids() -> dict[str, list[str]]:
    return {g: [hazard_indicator_id(g, p) for p in HAZARD_POPULATIONS] for g in HAZARD_GROUPS}


def no_hazard_reasons() -> dict[str, str]:
    """Return the French reason of every hazard indicator when no hazard zone is given."""
    return {i: NO_HAZARDS for group in _ids().values() for i in group}


def hazard_zones(hazards: gpd.GeoDataFrame) -> dict[str, object]:
    """Return each hazard group's zone as one geometry (EPSG:3035); absent groups are left out."""
    selected = {
        "flood": hazards["hazard"] == "inondation",
        "sea": hazards["hazard"] == "submersion",
        "clay": (hazards["hazard"] == "argiles") & (hazards["level"] >= 2),
    }
    zones: dict[str, object] = {}
    for group, rows in selected.items():
        geoms = polygons_3035(hazards[rows.to_numpy()])
        geoms = geoms[[g is not None for g in geoms]]
        if len(geoms):
            zones[group] = shapely.union_all(geoms)
    if len(zones) >= 2:
        pairs = [shapely.intersection(a, b) for a, b in itertools.combinations(zones.values(), 2)]
        zones["multi_hazard"] = shapely.union_all(np.array(pairs, dtype=object))
    return zones


def zone_shares(
    grid: CellGrid, zone: object, residential: NDArray[np.object_] | None
) -> FloatArray:
    """Return per cell the share of residents in ``zone`` (building footprint, else area)."""
    by_area = area_share(grid, np.array([zone], dtype=object), dissolve=False)
    if residential is None or not len(residential):
        return by_area
    shapely.prepare(zone)
    inside = shapely.intersection(residential, zone)
    _, cell_all, piece_all = grid.pieces(residential)
    _, cell_in, piece_in = grid.pieces(inside[~shapely.is_empty(inside)])
    built = np.bincount(cell_all, weights=shapely.area(piece_all), minlength=grid.n)
    built_in = np.bincount(cell_in, weights=shapely.area(piece_in), minlength=grid.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_building = np.minimum(built_in / built, 1.0)
    return np.where(built > 0, by_building, by_area)


def _counts(cells: pd.DataFrame) -> dict[str, FloatArray]:
    def col(name: str) -> FloatArray:
        return pd.to_numeric(cells[name], errors="coerce").to_numpy(dtype="float64")

    return {
        "residents": col("ind"),
        "poor": col("men_pauv"),
        "0_3": col("ind_0_3"),
        "65p": col("ind_65_79") + col("ind_80p"),
    }


def hazard_indicators(
    grid: CellGrid,
    cells: pd.DataFrame,
    hazards: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
) -> tuple[dict[str, CellIndicator], dict[str, str], dict[str, FloatArray]]:
    """Return the hazard indicators, the French reason of each missing one, the zone shares.

    Parameters
    ----------
    grid
        The cells (same order as ``cells``).
    cells
        Filosofi counts.
    hazards
        The ``hazards`` table (EPSG:2154).
    buildings
        Buildings (``residential`` flag), or None.

    Returns
    -------
    tuple
        Indicator id → :class:`CellIndicator`; indicator id → reason; group → per-cell share
        (published as ``hazard_share_<group>`` cell columns).
    """
    ids = _ids()
    zones = hazard_zones(hazards)
    residential = None
    if buildings is not None and len(buildings):
        homes = buildings[buildings["residential"].astype(bool).to_numpy()]
        residential = polygons_3035(homes)
        residential = residential[[g is not None for g in residential]]
    counts = _counts(cells)
    values: dict[str, CellIndicator] = {}
    missing: dict[str, str] = {}
    shares: dict[str, FloatArray] = {}
    for group in HAZARD_GROUPS:
        if group not in zones:
            missing.update(dict.fromkeys(ids[group], _ABSENT[group]))
            continue
        share = zone_shares(grid, zones[group], residential)
        shares[group] = share
        for pop, count in counts.items():
            values[hazard_indicator_id(group, pop)] = from_counts(count * share, count)
    return values, missing, shares
