"""Housing and indoor heat per 200 m cell, from the ADEME DPE of existing dwellings.

Each certificate (a point at its BAN address, see :mod:`quartiers.sources.dpe`) is
attached to the residential building that contains it, or to the nearest one within
:data:`MATCH_M`; its dwellings are then spread over the cells the building covers, in
proportion to the footprint in each cell (exact overlaps). A certificate with no
residential building nearby (or without a building layer) counts in the cell of its
address. Zones (QPV, rest of the commune) then sum the cell counts like every rate.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.indicators.base import CellIndicator, from_counts, safe_ratio
from quartiers.indicators.housing_registry import HOUSING_IDS
from quartiers.spatial.geometry import CellGrid, polygons_3035
from quartiers.text import fold

__all__ = ["MATCH_M", "dpe_cell_counts", "housing_indicators", "no_housing_reasons"]

FloatArray = NDArray[np.float64]

#: Farthest distance (m) from a certificate's address point to its building.
MATCH_M = 30.0

NO_DPE = "DPE absents (source dpe non fournie)"
_EMPTY = {
    "share_summer_comfort_poor": (
        "indicateur_confort_ete absent ou vide dans tous les DPE fournis du territoire"
    ),
    "share_heating_fuel_oil": (
        "type_energie_principale_chauffage absent ou vide dans tous les DPE fournis"
    ),
    "share_heating_electric": (
        "type_energie_principale_chauffage absent ou vide dans tous les DPE fournis"
    ),
}
_NO_RECORD = "aucun DPE du fichier fourni dans les carreaux habités du territoire"


def no_housing_reasons() -> dict[str, str]:
    """Return the French reason of every housing indicator when no DPE file is given."""
    return dict.fromkeys(HOUSING_IDS, NO_DPE)


def _record_weights(housing: pd.DataFrame) -> dict[str, FloatArray]:
    """Return per certificate its dwellings counted in each numerator and denominator."""
    w = pd.to_numeric(housing["dwellings"], errors="coerce").fillna(1.0).to_numpy("float64")
    energy = housing["energy_class"].astype(str).str.upper().to_numpy()
    comfort = housing["summer_comfort"].astype(str).str.lower().to_numpy()
    heating = housing["heating"].astype(str).map(fold).to_numpy().astype(str)
    known_heating = heating != ""
    return {
        "dpe": w,
        "fg": w * np.isin(energy, ["F", "G"]),
        "comfort_known": w * (comfort != ""),
        "comfort_poor": w * (comfort == "insuffisant"),
        "heating_known": w * known_heating,
        "fuel_oil": w * np.char.startswith(heating, "fioul"),
        "electric": w * np.char.startswith(heating, "electricite"),
    }


def _residential(buildings: gpd.GeoDataFrame | None) -> NDArray[np.object_]:
    if buildings is None or not len(buildings):
        return np.zeros(0, dtype=object)
    homes = buildings[buildings["residential"].fillna(False).astype(bool).to_numpy()]
    geoms = polygons_3035(homes)
    return np.asarray(geoms[[g is not None for g in geoms]], dtype=object)


def dpe_cell_counts(
    grid: CellGrid, housing: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame | None
) -> dict[str, FloatArray]:
    """Return per cell the DPE dwellings of each count (see :func:`_record_weights`).

    Parameters
    ----------
    grid
        The territory's cells.
    housing
        :data:`~quartiers.schemas.HOUSING_COLUMNS` (EPSG:2154 points).
    buildings
        Buildings with their ``residential`` flag, or None.
    """
    weights = _record_weights(housing)
    points = polygons_3035(housing)
    located = np.array([p is not None for p in points], dtype=bool)
    points, weights = points[located], {k: w[located] for k, w in weights.items()}
    out = {k: np.zeros(grid.n) for k in weights}
    homes = _residential(buildings)
    building = np.full(len(points), -1, dtype=np.int64)
    if len(homes) and len(points):
        tree = shapely.STRtree(homes)
        pt, bd = tree.query_nearest(points, max_distance=MATCH_M, all_matches=False)
        building[pt] = bd
    matched = building >= 0
    if matched.any():
        feat, cell, piece = grid.pieces(homes)
        share = safe_ratio(shapely.area(piece), shapely.area(homes[feat]))
        per_building = {
            k: np.bincount(building[matched], weights=w[matched], minlength=len(homes))
            for k, w in weights.items()
        }
        for k in out:
            out[k] += np.bincount(
                cell, weights=np.nan_to_num(share) * per_building[k][feat], minlength=grid.n
            )
    loose = np.flatnonzero(~matched)
    if len(loose):
        pt, cell = grid.tree.query(points[loose], predicate="intersects")
        first = np.unique(pt, return_index=True)[1]  # a point on an edge counts once
        pt, cell = pt[first], cell[first]
        for k in out:
            out[k] += np.bincount(cell, weights=weights[k][loose[pt]], minlength=grid.n)
    return out


def housing_indicators(
    grid: CellGrid,
    cells: pd.DataFrame,
    housing: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
) -> tuple[dict[str, CellIndicator], dict[str, str], dict[str, FloatArray]]:
    """Return the housing indicators, the French reason of each missing one, the counts.

    Parameters
    ----------
    grid
        The cells (same order as ``cells``).
    cells
        Filosofi counts (``men``, ``men_pauv``).
    housing
        The DPE table (:data:`~quartiers.schemas.HOUSING_COLUMNS`).
    buildings
        Buildings (``residential`` flag), or None.

    Returns
    -------
    tuple
        Indicator id → :class:`CellIndicator`; indicator id → reason; count → per-cell
        dwellings (``dpe``, ``fg``, ``comfort_known``…).
    """
    counts = dpe_cell_counts(grid, housing, buildings)
    if not counts["dpe"].sum() > 0:
        return {}, dict.fromkeys(HOUSING_IDS, _NO_RECORD), counts
    men = pd.to_numeric(cells["men"], errors="coerce").to_numpy(dtype="float64")
    poor = pd.to_numeric(cells["men_pauv"], errors="coerce").to_numpy(dtype="float64")
    has_dpe = counts["dpe"] > 0
    fg_share = np.where(has_dpe, safe_ratio(counts["fg"], counts["dpe"]), 0.0)
    values = {
        "share_dpe_fg": from_counts(counts["fg"], counts["dpe"]),
        "share_summer_comfort_poor": from_counts(counts["comfort_poor"], counts["comfort_known"]),
        "dpe_coverage": from_counts(counts["dpe"], men),
        "energy_poverty_proxy": from_counts(
            np.where(has_dpe, poor * fg_share, 0.0), np.where(has_dpe, men, 0.0)
        ),
        "share_heating_fuel_oil": from_counts(counts["fuel_oil"], counts["heating_known"]),
        "share_heating_electric": from_counts(counts["electric"], counts["heating_known"]),
    }
    missing: dict[str, str] = {}
    known = {
        "share_summer_comfort_poor": counts["comfort_known"],
        "share_heating_fuel_oil": counts["heating_known"],
        "share_heating_electric": counts["heating_known"],
    }
    for ind, den in known.items():
        if not den.sum() > 0:
            del values[ind]
            missing[ind] = _EMPTY[ind]
    return values, missing, counts
