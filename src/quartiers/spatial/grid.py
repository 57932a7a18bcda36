"""INSEE 200 m grid: cell identifiers ⇄ square geometries (EPSG:3035) and cell × zone overlaps.

INSEE names each cell ``CRS3035RES200mN{y}E{x}`` where (x, y) is the south-west corner in
EPSG:3035 metres, northing first. A cell is the square [x, x + 200] × [y, y + 200].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from quartiers.errors import InputError
from quartiers.spatial._overlap import cell_polygon_areas

__all__ = [
    "CELL_CRS",
    "CELL_SIZE_M",
    "cell_boxes",
    "cell_ids",
    "cell_squares",
    "overlap_shares",
    "parse_cell_ids",
    "sorted_cell_order",
]

CELL_CRS = "EPSG:3035"
CELL_SIZE_M = 200
_CHECK_BLOCK = 262_144
_ID_REGEX = r"^CRS3035RES(?P<res>\d+)mN(?P<y>\d+)E(?P<x>\d+)$"


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
    text = _id_text(ids)
    xy = _corners(text)
    if xy is None:
        example = text.filter(_bad_ids(text)[1])[0].as_py()
        raise InputError(
            f"{source} : identifiant de carreau invalide {example!r} dans le champ "
            f"idcar_200m (attendu CRS3035RES200mN<y>E<x>, carreaux de 200 m)"
        )
    return xy


def sorted_cell_order(ids: Iterable[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Return the stable sort order of cell ids and their corners, when read from numbers.

    When every identifier is valid, written without leading zeros, with the same number
    of digits for all northings and for all eastings (the whole INSEE grid of metropolitan
    France), sorting the texts is sorting by (y, x): the order is found on the parsed
    corners, without comparing millions of strings. Returns ``(order, xy)`` — ``xy`` the
    corners of the ids in their given order — only when the corners are all distinct (so
    the ids are too); None otherwise (sort the texts, look for duplicates).
    """
    text = _id_text(ids)
    xy = _corners(text)
    if xy is None or not len(xy) or int(xy.max()) >= 1 << 31:
        return None
    x_digits, y_digits = (
        {len(str(int(xy[:, k].min()))), len(str(int(xy[:, k].max())))} for k in (0, 1)
    )
    if len(x_digits) != 1 or len(y_digits) != 1:
        return None
    width = len(f"CRS3035RES{CELL_SIZE_M}mN") + y_digits.pop() + 1 + x_digits.pop()
    low, high = pc.min_max(pc.utf8_length(text)).values()
    if low.as_py() != width or high.as_py() != width:
        return None
    key = xy[:, 1] * (1 << 32) + xy[:, 0]
    order = np.argsort(key, kind="stable").astype(np.int64)
    if (np.diff(key[order]) == 0).any():
        return None
    return order, xy


def _id_text(ids: Iterable[str]) -> pa.Array:
    # One vectorised Arrow pass: the national grid has 2.3 million cells.
    values = ids if isinstance(ids, pd.Series | np.ndarray) else list(ids)
    return pa.array(values, type=pa.string(), from_pandas=True)


def _bad_ids(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Return the regex groups of identifiers and which ones are not valid ids."""
    parts = pc.extract_regex(text, _ID_REGEX)
    res = pc.struct_field(parts, [0])
    bad = pc.or_(pc.is_null(parts), pc.not_equal(res, str(CELL_SIZE_M))).fill_null(True)
    return parts, bad


def _corners(text: pa.Array) -> NDArray[np.int64] | None:
    """Return the corners (n, 2) of identifiers, None when one is not a valid id."""
    parts, bad = _bad_ids(text)
    if pc.any(bad).as_py():
        return None
    y = pc.cast(pc.struct_field(parts, [1]), pa.int64()).to_numpy()
    x = pc.cast(pc.struct_field(parts, [2]), pa.int64()).to_numpy()
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


def cell_squares(
    geometry: gpd.GeoSeries | None, rows: NDArray[np.int64], xy: NDArray[np.int64]
) -> NDArray[np.object_]:
    """Return the squares of the corners ``xy``, reusing ``geometry[rows]`` when they are those.

    A national grid holds 2.3 million squares (about 0.9 GB of GEOS geometries): the cells
    layer takes the Filosofi layer's own squares instead of building a second set, once checked
    block by block to be exactly the squares :func:`cell_boxes` would build (EPSG:3035,
    polygons without holes, the same five vertices in the same order; a CRS, a null or any
    other geometry and they are built anew).
    """
    if geometry is None or len(rows) != len(xy) or geometry.crs is None:
        return cell_boxes(xy)
    if not CRS.from_user_input(geometry.crs).equals(CRS.from_user_input(CELL_CRS)):
        return cell_boxes(xy)
    taken: NDArray[np.object_] = np.asarray(geometry.to_numpy(), dtype=object)[rows]
    pattern = shapely.get_coordinates(cell_boxes(np.zeros((1, 2), dtype=np.int64)))
    for start in range(0, len(taken), _CHECK_BLOCK):
        part = taken[start : start + _CHECK_BLOCK]
        corner = xy[start : start + _CHECK_BLOCK].astype("float64")
        if not _are_squares(part, corner, pattern):
            return cell_boxes(xy)
    return taken


def _are_squares(
    geoms: NDArray[np.object_], corner: NDArray[np.float64], pattern: NDArray[np.float64]
) -> bool:
    """Tell whether ``geoms`` are the squares of ``corner`` with the vertices of ``pattern``."""
    simple = (
        (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (shapely.get_num_coordinates(geoms) == len(pattern))
        & ~shapely.has_z(geoms)
        & ~shapely.has_m(geoms)
    )
    if not bool(simple.all()):
        return False
    coords = shapely.get_coordinates(geoms).reshape(len(geoms), len(pattern), 2)
    return bool(np.array_equal(coords, corner[:, None, :] + pattern[None, :, :]))


def overlap_shares(
    xy: NDArray[np.int64], zones: gpd.GeoSeries | Sequence[shapely.Geometry]
) -> pd.DataFrame:
    """Return the exact share of each cell's area that lies in each zone.

    Areas come from Green's theorem on the zones' edges cut at the cell lattice
    (:mod:`quartiers.spatial._overlap`): exact, vectorised over all zones at once, with no
    polygon overlay. Invalid zone geometries are repaired first.

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
        ``share`` (0 < share ≤ 1, area of cell ∩ zone / area of cell), sorted by zone.
    """
    if isinstance(zones, gpd.GeoSeries):
        if zones.crs is not None and not zones.crs.equals(CELL_CRS):
            raise InputError(f"zones en {zones.crs}, attendu {CELL_CRS} pour le carroyage")
        geoms = np.array(zones.values, dtype=object)
    else:
        geoms = np.array(list(zones), dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    zone, cell, area = cell_polygon_areas(np.asarray(xy, dtype=np.int64), geoms, CELL_SIZE_M)
    share = area / float(CELL_SIZE_M * CELL_SIZE_M)
    keep = share > 1e-9
    return pd.DataFrame(
        {
            "cell": cell[keep].astype(np.int64),
            "zone": zone[keep].astype(np.int64),
            "share": np.minimum(share[keep], 1.0),
        }
    )
