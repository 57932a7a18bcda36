"""INSEE 200 m grid: cell identifiers ⇄ square geometries (EPSG:3035) and cell × zone overlaps.

INSEE names each cell ``CRS3035RES200mN{y}E{x}`` where (x, y) is the south-west corner in
EPSG:3035 metres, northing first. A cell is the square [x, x + 200] × [y, y + 200].
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.errors import InputError

__all__ = [
    "CELL_CRS",
    "CELL_SIZE_M",
    "cell_boxes",
    "cell_ids",
    "overlap_shares",
    "parse_cell_ids",
]

CELL_CRS = "EPSG:3035"
CELL_SIZE_M = 200
_ID = re.compile(r"^CRS3035RES(\d+)mN(\d+)E(\d+)$")


def parse_cell_ids(ids: Iterable[str], *, source: str = "?") -> NDArray[np.int64]:
    """Return the south-west corners (x, y) in EPSG:3035 metres of INSEE cell ids.

    Parameters
    ----------
    ids
        Identifiers such as ``CRS3035RES200mN2810000E3458200``.
    source
        File name used in the error message.

    Returns
    -------
    numpy.ndarray
        Array of shape (n, 2), integer metres, columns x (easting), y (northing).
    """
    ids = pd.Series(list(ids), dtype="string")
    parts = ids.str.extract(_ID.pattern)
    bad = parts[0].isna() | (parts[0] != str(CELL_SIZE_M))
    if bad.any():
        example = ids[bad].iloc[0]
        raise InputError(
            f"{source} : identifiant de carreau invalide {example!r} dans le champ "
            f"idcar_200m (attendu CRS3035RES200mN<y>E<x>, carreaux de 200 m)"
        )
    y = parts[1].astype("int64").to_numpy()
    x = parts[2].astype("int64").to_numpy()
    return np.column_stack([x, y])


def cell_ids(xy: NDArray[np.int64]) -> list[str]:
    """Return INSEE identifiers for south-west corners (x, y) in EPSG:3035 metres."""
    return [f"CRS3035RES{CELL_SIZE_M}mN{int(y)}E{int(x)}" for x, y in xy]


def cell_boxes(xy: NDArray[np.int64]) -> NDArray[np.object_]:
    """Return shapely squares (EPSG:3035) for south-west corners (x, y)."""
    x = xy[:, 0].astype("float64")
    y = xy[:, 1].astype("float64")
    boxes: NDArray[np.object_] = shapely.box(x, y, x + CELL_SIZE_M, y + CELL_SIZE_M)
    return boxes


def overlap_shares(
    xy: NDArray[np.int64], zones: gpd.GeoSeries | Sequence[shapely.Geometry]
) -> pd.DataFrame:
    """Return the exact share of each cell's area that lies in each zone.

    Candidate cells of a zone are found by lattice arithmetic on its bounding box (no
    spatial index needed); cells wholly inside a zone get share 1 without any
    intersection, and only boundary cells are intersected.

    Parameters
    ----------
    xy
        South-west corners (n, 2) of the cells, EPSG:3035 metres, multiples of 200.
    zones
        Zone geometries in EPSG:3035 (a GeoSeries is checked for that CRS).

    Returns
    -------
    pandas.DataFrame
        Columns ``cell`` (row position in ``xy``), ``zone`` (position in ``zones``) and
        ``share`` (0 < share ≤ 1, area of cell ∩ zone / area of cell).
    """
    if isinstance(zones, gpd.GeoSeries):
        if zones.crs is not None and not zones.crs.equals(CELL_CRS):
            raise InputError(f"zones en {zones.crs}, attendu {CELL_CRS} pour le carroyage")
        geoms = np.asarray(zones.values, dtype=object)
    else:
        geoms = np.asarray(list(zones), dtype=object)
    size = CELL_SIZE_M
    ix = xy[:, 0] // size
    iy = xy[:, 1] // size
    # Sortable key of each cell, to find the cells of a lattice window by binary search.
    key = (iy.astype(np.int64) << 32) | (ix.astype(np.int64) & 0xFFFFFFFF)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    area = float(size * size)
    out_cell: list[NDArray[np.int64]] = []
    out_zone: list[NDArray[np.int64]] = []
    out_share: list[NDArray[np.float64]] = []
    for z, geom in enumerate(geoms):
        if geom is None or shapely.is_empty(geom):
            continue
        minx, miny, maxx, maxy = shapely.bounds(geom)
        gx = np.arange(int(np.floor(minx / size)), int(np.ceil(maxx / size)))
        gy = np.arange(int(np.floor(miny / size)), int(np.ceil(maxy / size)))
        if gx.size == 0 or gy.size == 0:
            continue
        wx, wy = np.meshgrid(gx, gy)
        wkey = (wy.ravel().astype(np.int64) << 32) | (wx.ravel().astype(np.int64) & 0xFFFFFFFF)
        pos = np.searchsorted(sorted_key, wkey)
        pos = np.minimum(pos, len(sorted_key) - 1)
        found = sorted_key[pos] == wkey
        if not found.any():
            continue
        cells = order[pos[found]]
        boxes = cell_boxes(xy[cells])
        shapely.prepare(geom)
        inside = shapely.contains_properly(geom, boxes)
        share = np.ones(len(cells), dtype="float64")
        edge = ~inside
        if edge.any():
            share[edge] = shapely.area(shapely.intersection(boxes[edge], geom)) / area
        keep = share > 1e-9
        out_cell.append(cells[keep].astype(np.int64))
        out_zone.append(np.full(int(keep.sum()), z, dtype=np.int64))
        out_share.append(np.minimum(share[keep], 1.0))
    if not out_cell:
        return pd.DataFrame({"cell": [], "zone": [], "share": []}).astype(
            {"cell": "int64", "zone": "int64", "share": "float64"}
        )
    return pd.DataFrame(
        {
            "cell": np.concatenate(out_cell),
            "zone": np.concatenate(out_zone),
            "share": np.concatenate(out_share),
        }
    )
