"""Resource indicators per 200 m cell: tree canopy, green spaces and walking access.

Canopy and green shares are exact areas in EPSG:3035 (vectorised shapely). Walking
distances are computed by the accessibility module and given here as a table indexed by
``idcar_200m`` with columns ``dist_<category>_m``; this module only reads them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.errors import InputError
from quartiers.indicators.base import cell_values
from quartiers.indicators.registry import ACCESS_CATEGORIES
from quartiers.spatial.geometry import CellGrid, area_share, polygons_3035

__all__ = [
    "ACCESS_PASSTHROUGH",
    "CANOPY_KINDS",
    "DEFAULT_CROWN_M",
    "access_columns",
    "access_indicators",
    "canopy_and_green",
    "canopy_from_cover",
    "tree_crowns",
    "vegetation_surfaces",
]

#: Vegetation kinds counted as tree canopy (the others count as green space only).
CANOPY_KINDS = frozenset({"wood", "forest", "tree_row", "hedge", "trees", "orchard"})

#: Crown diameter (m) given to a tree whose crown is not recorded.
DEFAULT_CROWN_M = 6.0

_QUAD_SEGS = 4

#: Access columns copied to the cells layer for information (not part of the index).
ACCESS_PASSTHROUGH = ("time_{cat}_min", "count_{cat}_300m", "count_{cat}_10min")


def tree_crowns(trees: gpd.GeoDataFrame, *, default_crown_m: float) -> NDArray[np.object_]:
    """Return tree crowns as discs (EPSG:3035) of the recorded or default diameter.

    Discs are 16-sided polygons whose area equals the circle's.
    """
    series = trees.geometry
    if series.crs is not None and not series.crs.equals("EPSG:3035"):
        series = series.to_crs("EPSG:3035")
    pts = np.asarray(series.values, dtype=object)
    if "crown_m" in trees.columns:
        crown = pd.to_numeric(trees["crown_m"], errors="coerce").to_numpy(dtype="float64")
    else:
        crown = np.full(len(trees), np.nan)
    crown = np.where(np.isfinite(crown) & (crown > 0), crown, default_crown_m)
    # A 16-sided disc of radius r·k has exactly the area of the circle of radius r.
    n = 4 * _QUAD_SEGS
    k = math.sqrt(math.pi / (n / 2 * math.sin(2 * math.pi / n)))
    return np.asarray(shapely.buffer(pts, crown / 2.0 * k, quad_segs=_QUAD_SEGS), dtype=object)


def vegetation_surfaces(
    vegetation: gpd.GeoDataFrame, *, default_crown_m: float
) -> tuple[NDArray[np.object_], NDArray[np.bool_]]:
    """Return vegetation surfaces (lines widened to a crown) and whether each is canopy."""
    geoms = polygons_3035(vegetation)
    if "kind" in vegetation.columns:
        kinds = vegetation["kind"].astype("string").str.lower().fillna("").to_numpy(dtype=object)
    else:
        kinds = np.full(len(vegetation), "", dtype=object)
    linear = shapely.get_dimensions(geoms) == 1
    if linear.any():
        geoms = geoms.copy()
        geoms[linear] = shapely.buffer(geoms[linear], default_crown_m / 2.0, quad_segs=2)
    canopy = np.isin(kinds, list(CANOPY_KINDS))
    return geoms, canopy


def canopy_and_green(
    grid: CellGrid,
    vegetation: gpd.GeoDataFrame | None,
    trees: gpd.GeoDataFrame | None,
    *,
    default_crown_m: float = DEFAULT_CROWN_M,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the canopy share and the green-space share of each cell (0–1).

    Canopy = tree crowns ∪ woods, tree rows and hedges; green space = canopy ∪ parks,
    gardens, grass and every other vegetation kind. Overlaps count once.
    """
    canopy_parts: list[NDArray[np.object_]] = []
    green_parts: list[NDArray[np.object_]] = []
    if trees is not None and len(trees):
        crowns = tree_crowns(trees, default_crown_m=default_crown_m)
        canopy_parts.append(crowns)
        green_parts.append(crowns)
    if vegetation is not None and len(vegetation):
        geoms, is_canopy = vegetation_surfaces(vegetation, default_crown_m=default_crown_m)
        canopy_parts.append(geoms[is_canopy])
        green_parts.append(geoms)
    empty = np.zeros(0, dtype=object)
    canopy = area_share(grid, np.concatenate(canopy_parts) if canopy_parts else empty)
    green = area_share(grid, np.concatenate(green_parts) if green_parts else empty)
    return canopy, green


def canopy_from_cover(cell_ids: Sequence[str], table: pd.DataFrame) -> NDArray[np.float64]:
    """Return the canopy share of each cell from a tree cover density raster (0–1).

    ``table`` is the per-cell raster mean read by :mod:`quartiers.sources.raster`
    (:data:`~quartiers.schemas.TREE_COVER_COLUMNS`, ``tree_cover`` already a share); cells
    the raster does not cover get NaN. Values are clipped to [0, 1].
    """
    return np.clip(cell_values(cell_ids, table, "tree_cover"), 0.0, 1.0)


def access_columns(access: pd.DataFrame) -> list[str]:
    """Return the informative access columns present (times, counts, connection)."""
    cols = [
        pattern.format(cat=cat)
        for cat in ACCESS_CATEGORIES
        for pattern in ACCESS_PASSTHROUGH
        if pattern.format(cat=cat) in access.columns
    ]
    cols.extend(
        c
        for c in (
            "share_beyond_300m_cool_outdoor",
            "share_beyond_500m_fresh_food",
            "share_beyond_300m_green_1ha",
            "connected",
            "connected_share",
        )
        if c in access.columns
    )
    return cols


def access_indicators(
    cell_ids: Sequence[str],
    access: pd.DataFrame,
    *,
    unreachable: str = "drop",
    worst: Mapping[str, float] | None = None,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, str]]:
    """Return walking distances (m) per cell from the accessibility table.

    Parameters
    ----------
    cell_ids
        ``idcar_200m`` of the cells, in cell order.
    access
        Table indexed by ``idcar_200m`` with columns ``dist_<category>_m`` (metres on the
        walking network; NaN or infinite when no place is reachable).
    unreachable
        ``drop`` (method v1): a cell of the table from which no place is reachable gets NaN
        and is left out of its zone's mean, which makes a badly served QPV look better;
        ``worst`` (v2): it gets the largest distance of the territory's cells for that
        category, so it counts among the worst served.
    worst
        With ``worst``, a larger distance per indicator (``dist_<category>``) to use when
        it exceeds the territory's: the largest distance of a reference file's cells, so
        that a territory run alone against a reference built with others fills its
        unreachable cells as their joint run would.

    Returns
    -------
    tuple
        ``(values, missing)``: indicator id (``dist_<category>``) → distance per cell (NaN
        when unreachable or the cell is absent from the table), and indicator id → French
        reason for the categories without a column.
    """
    if access.index.name != "idcar_200m" and "idcar_200m" in access.columns:
        access = access.set_index("idcar_200m")
    if access.index.has_duplicates:
        dup = access.index[access.index.duplicated()][0]
        raise InputError(f"table d'accessibilité : carreau {dup} en double (index idcar_200m)")
    values: dict[str, NDArray[np.float64]] = {}
    missing: dict[str, str] = {}
    # each cell's row in the table (-1: absent), looked up once for every category (the
    # index is unique, so this is what reindexing each column would give)
    position = access.index.get_indexer(pd.Index(list(cell_ids)))
    in_table = position >= 0
    for cat in ACCESS_CATEGORIES:
        col = f"dist_{cat}_m"
        if col not in access.columns:
            missing[f"dist_{cat}"] = f"colonne {col} absente de la table d'accessibilité"
            continue
        dist = pd.to_numeric(access[col], errors="coerce")
        column = dist.to_numpy(dtype="float64", na_value=np.nan)
        arr = np.full(len(position), np.nan)
        arr[in_table] = column[position[in_table]]
        arr[~np.isfinite(arr)] = np.nan
        if unreachable == "worst" and np.isfinite(arr).any():
            fill = max(float(np.nanmax(arr)), float((worst or {}).get(f"dist_{cat}", -np.inf)))
            arr[in_table & np.isnan(arr)] = fill
        values[f"dist_{cat}"] = arr
    return values, missing
