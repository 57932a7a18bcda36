"""Exposure indicators per 200 m cell: LCZ heat sensitivity, sealed and built surfaces, climate.

Pure functions over already-normalised layers (see :mod:`quartiers.schemas`); areas are
computed exactly in EPSG:3035 (equal-area) with vectorised shapely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse

from quartiers.errors import InputError
from quartiers.indicators.base import cell_values
from quartiers.spatial.geometry import CellGrid, area_share, area_weighted_mean, polygons_3035

__all__ = [
    "CLIMATE_IDS",
    "DEFAULT_ROAD_WIDTH_M",
    "LCZ_HEAT_LEVELS",
    "LCZ_HEAT_SCORES",
    "LCZ_MIN_COVERAGE",
    "LCZ_VARIABLE",
    "ROAD_WIDTHS_M",
    "CellCommunes",
    "built_share",
    "climate_long",
    "climate_per_cell",
    "impervious_share",
    "lcz_class_fractions",
    "lcz_classes",
    "lcz_heat",
    "night_heat",
    "road_surfaces",
    "road_widths_m",
]

#: Heat sensitivity score of each LCZ class (0 very low … 4 very high). Project table,
#: ordered after the surface/air temperature anomalies of Stewart & Oke (2012) and
#: consistent with the three-level grouping (high 1,2,3,8,10 / medium 4,5,6,7,E / low
#: 9,A–D,F,G) of the CEREMA-derived Nantes extract. The CEREMA per-class legend could not be
#: checked offline; a method file can replace this table (``lcz_heat_scores``).
LCZ_HEAT_SCORES: dict[str, float] = {
    "1": 4, "2": 4, "3": 3, "8": 3, "10": 3,
    "4": 2, "5": 2, "6": 2, "7": 2, "E": 2,
    "9": 1, "F": 1,
    "A": 0, "B": 0, "C": 0, "D": 0, "G": 0,
}  # fmt: skip

#: Score of a class whose heat sensitivity is uncertain (Cerema level « variable »): the
#: method file gives it instead of a number, the Monte Carlo draws it.
LCZ_VARIABLE = "variable"

#: French level of each score.
LCZ_HEAT_LEVELS: dict[float, str] = {
    4: "très forte",
    3: "forte",
    2: "moyenne",
    1: "faible",
    0: "très faible",
}

#: Cells whose area is less than this share covered by LCZ blocks get no LCZ value.
LCZ_MIN_COVERAGE = 0.5

#: Paved width (m) by OSM ``highway`` value when the reader gave none.
ROAD_WIDTHS_M: dict[str, float] = {
    "motorway": 20.0, "trunk": 14.0, "primary": 10.0, "secondary": 8.0, "tertiary": 7.0,
    "residential": 6.0, "unclassified": 5.0, "living_street": 5.0, "service": 4.0,
    "pedestrian": 5.0, "footway": 2.0, "cycleway": 2.0, "path": 1.5, "steps": 2.0,
}  # fmt: skip

#: Width used for a road of unknown type and width (m).
DEFAULT_ROAD_WIDTH_M = 5.0

#: Publisher ids accepted for each climate indicator, in order of preference (Climadiag ids,
#: then DRIAS codes). The first present for a commune and horizon is used.
CLIMATE_IDS: dict[str, tuple[str, ...]] = {
    "heat_wave_days": ("S3", "NORTXHWD"),
    "warm_nights": ("S2", "S10", "S8", "S5", "NORTR"),
    "very_hot_days": ("S1", "S11", "S9", "NORTX35"),
}

_LETTERS = {11 + i: letter for i, letter in enumerate("ABCDEFG")}


def lcz_classes(lcz: pd.DataFrame) -> pd.Series:
    """Return the LCZ class of each block as published ("1"…"10", "A"…"G")."""
    if "lcz" in lcz.columns:
        cls = lcz["lcz"].astype("string").str.strip().str.upper()
    else:
        cls = pd.Series(pd.NA, index=lcz.index, dtype="string")
    if "lcz_int" in lcz.columns:
        num = pd.to_numeric(lcz["lcz_int"], errors="coerce")
        from_int = num.map(lambda v: _LETTERS.get(int(v), str(int(v))) if pd.notna(v) else pd.NA)
        cls = cls.fillna(from_int.astype("string"))
    return cls


def lcz_heat(
    grid: CellGrid, lcz: gpd.GeoDataFrame, scores: Mapping[str, float] = LCZ_HEAT_SCORES
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the area-weighted LCZ heat score of each cell and the share covered by LCZ.

    Cells covered less than :data:`LCZ_MIN_COVERAGE` get NaN (unknown, not zero).
    """
    classes = lcz_classes(lcz)
    values = classes.map(lambda c: scores.get(str(c), np.nan) if pd.notna(c) else np.nan)
    vals = values.to_numpy(dtype="float64", na_value=np.nan)
    mean, covered = area_weighted_mean(grid, polygons_3035(lcz), vals)
    mean[covered < LCZ_MIN_COVERAGE] = np.nan
    return mean, covered


def night_heat(cell_ids: Sequence[str], table: pd.DataFrame) -> NDArray[np.float64]:
    """Return the night-time heat of each cell of ``cell_ids``, NaN where the raster gave none.

    ``table`` is the per-cell raster mean read by :mod:`quartiers.sources.raster`
    (:data:`~quartiers.schemas.NIGHT_HEAT_COLUMNS`); a higher value means a hotter night.
    """
    return cell_values(cell_ids, table, "night_heat")


def lcz_class_fractions(
    grid: CellGrid,
    lcz: gpd.GeoDataFrame,
    classes: tuple[str, ...],
    scores: Mapping[str, float] = LCZ_HEAT_SCORES,
) -> dict[str, NDArray[np.float64]]:
    """Return, per LCZ class of ``classes``, its share of each cell's scored LCZ area (0–1).

    The denominator is the area :func:`lcz_heat` averages over (blocks of a scored class),
    so ``lcz_heat`` is linear in these shares: changing class ``c``'s score by ``δ`` moves
    a cell's value by ``share_c × δ`` (how the Monte Carlo varies « variable » classes).
    """
    cls = lcz_classes(lcz)
    scored = cls.map(lambda c: pd.notna(c) and np.isfinite(scores.get(str(c), np.nan)))
    feat, cell, piece = grid.pieces(polygons_3035(lcz))
    area = shapely.area(piece)
    ok = scored.to_numpy(dtype=bool)[feat]
    covered = np.bincount(cell[ok], weights=area[ok], minlength=grid.n)
    names = cls.astype("string").fillna("").to_numpy(dtype=object)[feat]
    out: dict[str, NDArray[np.float64]] = {}
    for c in classes:
        mine = ok & (names == c)
        part = np.bincount(cell[mine], weights=area[mine], minlength=grid.n)
        share = np.zeros(grid.n)
        np.divide(part, covered, out=share, where=covered > 0)
        out[c] = share
    return out


def built_share(grid: CellGrid, buildings: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return the share of each cell covered by building footprints (0–1)."""
    return area_share(grid, polygons_3035(buildings))


def road_widths_m(roads: pd.DataFrame) -> NDArray[np.float64]:
    """Return the paved width (m) of each road: its ``width_m``, else its class default."""
    if "width_m" in roads.columns:
        width = pd.to_numeric(roads["width_m"], errors="coerce").astype("float64")
    else:
        width = pd.Series(np.nan, index=roads.index, dtype="float64")
    highway = roads["highway"] if "highway" in roads.columns else pd.Series("", index=roads.index)
    fallback = highway.astype("string").map(ROAD_WIDTHS_M).astype("float64")
    return np.asarray(
        width.where(width > 0, fallback).fillna(DEFAULT_ROAD_WIDTH_M), dtype="float64"
    )


def road_surfaces(roads: gpd.GeoDataFrame) -> NDArray[np.object_]:
    """Return road lines widened to their paved width, in EPSG:3035."""
    series = roads.geometry
    if series.crs is not None and not series.crs.equals("EPSG:3035"):
        series = series.to_crs("EPSG:3035")
    lines = np.asarray(series.values, dtype=object)
    radius = road_widths_m(roads) / 2.0
    return np.asarray(shapely.buffer(lines, radius, quad_segs=2), dtype=object)


def impervious_share(
    grid: CellGrid,
    buildings: gpd.GeoDataFrame | None,
    roads: gpd.GeoDataFrame | None,
    paved: gpd.GeoDataFrame | None = None,
) -> NDArray[np.float64]:
    """Return the share of each cell sealed, overlaps counted once.

    Sealed = building footprints, roadways at their paved width, and open sealed surfaces
    (open-air car parks, paved squares) when given.
    """
    parts = []
    if buildings is not None:
        parts.append(polygons_3035(buildings))
    if roads is not None and len(roads):
        parts.append(road_surfaces(roads))
    if paved is not None and len(paved):
        parts.append(polygons_3035(paved))
    geoms = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    return area_share(grid, geoms)


def climate_long(climate: pd.DataFrame) -> pd.DataFrame:
    """Return the climate rows of our three indicators, one per commune × horizon × indicator.

    Columns ``insee_com, horizon, indicator`` (our id), ``publisher_id``, ``value, low, high,
    source``. Thresholds vary by place (Climadiag publishes local variants), but one
    territory must use one threshold per indicator, else one bound would mix, say, nights
    above 20 °C in one commune with nights above 22 °C in the next: the first publisher id
    of :data:`CLIMATE_IDS` that every commune with data publishes is kept.

    Raises
    ------
    InputError
        When the communes share no publisher id for an indicator (French message naming the
        indicator and what each commune publishes).
    """
    table = climate.copy()
    table["publisher_id"] = table["indicator"].astype("string").str.strip().str.upper()
    table["horizon"] = table["horizon"].astype("string").str.strip()
    table["insee_com"] = table["insee_com"].astype("string").str.strip()
    frames = []
    for ours, ids in CLIMATE_IDS.items():
        pref = {pid: rank for rank, pid in enumerate(ids)}
        sub = table[table["publisher_id"].isin(list(ids))].copy()
        sub = sub[pd.to_numeric(sub["value"], errors="coerce").notna()]
        if len(sub):
            sub = sub[sub["publisher_id"] == _common_id(sub, ours, ids)]
        sub["_rank"] = sub["publisher_id"].map(pref)
        sub = sub.sort_values(["insee_com", "horizon", "_rank"], kind="stable")
        sub = sub.drop_duplicates(["insee_com", "horizon"], keep="first")
        sub["indicator"] = ours
        frames.append(sub.drop(columns="_rank"))
    cols = ["insee_com", "horizon", "indicator", "publisher_id", "value", "low", "high", "source"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    for c in ("low", "high", "source"):
        if c not in out.columns:
            out[c] = np.nan if c != "source" else ""
    for c in ("value", "low", "high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out[cols].sort_values(["insee_com", "indicator", "horizon"]).reset_index(drop=True)


def _common_id(sub: pd.DataFrame, indicator: str, ids: tuple[str, ...]) -> str:
    """Return the preferred publisher id every commune of ``sub`` publishes, or refuse."""
    published: dict[str, set[str]] = {
        str(com): set(group.tolist()) for com, group in sub.groupby("insee_com")["publisher_id"]
    }
    common = set(ids).intersection(*published.values())
    if common:
        return min(common, key=ids.index)
    detail = " ; ".join(
        f"{com} : {', '.join(sorted(pids, key=ids.index))}" for com, pids in published.items()
    )
    raise InputError(
        f"projections climatiques : les communes du territoire publient des indicateurs "
        f"différents pour « {indicator} » ({detail}) ; un même identifiant Climadiag (même "
        "seuil) est attendu pour toutes les communes : fournissez-le pour chacune"
    )


def climate_per_cell(
    commune_shares: pd.DataFrame,
    climate: pd.DataFrame,
    horizon: str,
    n_cells: int,
    column: str = "value",
) -> dict[str, NDArray[np.float64]]:
    """Spread commune climate values onto cells at one horizon.

    Parameters
    ----------
    commune_shares
        Columns ``cell`` (position), ``insee_com`` and ``share`` (area share of the cell in
        the commune).
    climate
        Output of :func:`climate_long`.
    horizon
        One of :data:`quartiers.schemas.HORIZONS`.
    n_cells
        Number of cells.
    column
        ``value`` (the publisher's central value), or ``low`` / ``high`` (the low and high
        values Climadiag publishes for the spread of its climate models).

    Returns
    -------
    dict
        Indicator id → value per cell: the mean of the values of the communes the cell
        overlaps, weighted by overlap area. A cell gets NaN when the communes with a value
        cover less than half of its area inside communes, so a commune without data does
        not borrow its neighbour's. Indicators without any value at this horizon are left
        out.
    """
    return CellCommunes(commune_shares, n_cells).spread(climate, horizon, column)


class CellCommunes:
    """The (cell, commune) overlaps of a grid, indexed once to spread commune values on cells.

    A national grid has millions of (cell, commune) rows: they are put once in a sparse
    matrix (cells × communes, the overlap shares), and :meth:`spread` (what
    :func:`climate_per_cell` returns) reuses it for every horizon and every value column: one
    product gives the indicators' sums, another the shares that carry a value. Each cell's
    entries keep the overlaps' order, so a product adds the same terms in the same order as a
    sum over the overlaps (``numpy.bincount``): the same numbers.
    """

    def __init__(self, commune_shares: pd.DataFrame, n_cells: int) -> None:
        self.n_cells = n_cells
        cells = commune_shares["cell"].to_numpy(dtype="int64")
        share = commune_shares["share"].to_numpy(dtype="float64")
        self.inside = np.bincount(cells, weights=share, minlength=n_cells)
        codes, self.communes = pd.factorize(commune_shares["insee_com"])
        # Overlaps outside any commune (code -1) go to a last column, which never has a value.
        column = np.where(codes < 0, len(self.communes), codes)
        order = np.argsort(cells, kind="stable")
        indptr = np.zeros(n_cells + 1, dtype="int64")
        np.cumsum(np.bincount(cells, minlength=n_cells), out=indptr[1:])
        self.matrix = sparse.csr_array(
            (share[order], column[order], indptr), shape=(n_cells, len(self.communes) + 1)
        )

    def spread(
        self, climate: pd.DataFrame, horizon: str, column: str = "value"
    ) -> dict[str, NDArray[np.float64]]:
        """Return :func:`climate_per_cell` of these overlaps (same parameters)."""
        at = climate[climate["horizon"] == horizon]
        ids, lookups = [], []
        for ours in CLIMATE_IDS:
            per_commune = at[at["indicator"] == ours].set_index("insee_com")[column]
            if per_commune.empty:
                continue
            ids.append(ours)
            values = per_commune.reindex(self.communes).to_numpy(dtype="float64")
            lookups.append(np.append(values, np.nan))
        if not ids:
            return {}
        table = np.column_stack(lookups)
        known = np.isfinite(table)
        total = self.matrix @ np.where(known, table, 0.0)
        weight = self.matrix @ known.astype("float64")
        out: dict[str, NDArray[np.float64]] = {}
        for j, ours in enumerate(ids):
            w = weight[:, j]
            mean = np.full(self.n_cells, np.nan)
            np.divide(total[:, j], w, out=mean, where=(w > 0) & (w >= 0.5 * self.inside))
            out[ours] = mean
        return out
