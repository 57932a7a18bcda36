"""Walking access from each 200 m cell to the nearest resource places, on the street network.

For every cell, residents start from their residential buildings (centroid, snapped to the
nearest street point) or, where no building is mapped, from the cell centre. Each start
and each place's access points are inserted into the pedestrian graph
(:mod:`quartiers.access.network`); a multi-source Dijkstra from all places of a category gives the
nearest-place distance of every start at once (scipy.sparse.csgraph), and one bounded
Dijkstra per place gives the places within 300 m and 10 minutes. An area (park, wood,
water) is entered anywhere along its edge or from any street node inside it. Distances include the
straight walk from the start to the street and from the street to the place.

Starts that do not reach the main network component (islands) get NaN, never 0 or
infinity, and count in the share of residents not connected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from quartiers.access.network import (
    SplitGraph,
    WalkNetwork,
    snap_points,
    split_graph,
)
from quartiers.access.origins import Origins, origin_points
from quartiers.access.summary import SUMMARY_COLUMNS, summarise_access
from quartiers.errors import InputError
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import BBox
from quartiers.sources.places import CATEGORIES, place_access_points
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, parse_cell_ids

__all__ = [
    "ACCESS_COLUMNS",
    "MARGIN_M",
    "MAX_SNAP_M",
    "NEAR_M",
    "SUMMARY_COLUMNS",
    "WALK_MINUTES",
    "WALK_SPEED_KMH",
    "access_columns",
    "cell_access",
    "summarise_access",
    "territory_bbox",
]

logger = logging.getLogger(__name__)

#: Walking speed (km/h): 4 km/h, slower than the usual 5 km/h of adults, for older people
#: walking in the heat.
WALK_SPEED_KMH = 4.0
#: Radius of the "3-30-300" rule (metres of network distance).
NEAR_M = 300.0
#: Distance beyond which a home counts as far from fresh food (metres of network distance).
FOOD_NEAR_M = 500.0
#: Walking time of the second count (minutes).
WALK_MINUTES = 10.0
#: Farthest a start or an access point may lie from the street network (metres).
MAX_SNAP_M = 300.0
#: Margin around the territory's cells read from OSM (metres): places just outside count.
MARGIN_M = 2_000.0
# Categories whose share of starts beyond a distance is kept (metres).
_BEYOND = {"cool_outdoor": NEAR_M, "fresh_food": FOOD_NEAR_M, "green_1ha": NEAR_M}
# Tiny length of the link from a place's virtual source to its access points, so that a
# zero snap distance stays an edge for every sparse-graph convention (metres).
_EPSILON_M = 1e-3


def access_columns(categories: tuple[str, ...] = CATEGORIES) -> list[str]:
    """Return the per-category columns of :func:`cell_access`, in order."""
    columns: list[str] = []
    for category in categories:
        columns += [
            f"dist_{category}_m",
            f"time_{category}_min",
            f"count_{category}_300m",
            f"count_{category}_10min",
        ]
    return columns


#: Columns of :func:`cell_access` (index ``idcar_200m``).
ACCESS_COLUMNS = [
    *access_columns(),
    "share_beyond_300m_cool_outdoor",
    "share_beyond_500m_fresh_food",
    "share_beyond_300m_green_1ha",
    "connected",
    "connected_share",
    "origin",
    "n_origins",
]


@dataclass(frozen=True)
class _Routing:
    graph: csr_matrix
    origin_node: NDArray[np.intp]
    origin_snap: NDArray[np.float64]
    connected: NDArray[np.bool_]
    place_source: NDArray[np.intp]  # virtual source node per place row, -1 if unreachable


def cell_access(
    cells: gpd.GeoDataFrame,
    network: WalkNetwork,
    places: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    speed_kmh: float = WALK_SPEED_KMH,
    max_snap_m: float = MAX_SNAP_M,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Return walking distances, times and counts of places per 200 m cell.

    Parameters
    ----------
    cells
        INSEE cells (EPSG:3035) with ``idcar_200m``.
    network
        Pedestrian graph (EPSG:2154) from :func:`quartiers.access.network.build_network`.
    places
        Places (PLACE_COLUMNS, EPSG:2154), one row per place: points, areas (entered
        along their edge or from streets inside) or lines (river fronts).
    buildings
        Buildings (BUILDING_COLUMNS, EPSG:2154); residential ones are the starts.
    speed_kmh
        Walking speed turning distances into minutes.
    max_snap_m
        Starts and access points farther than this from any street are not connected.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``idcar_200m``, columns :data:`ACCESS_COLUMNS`: per category
        ``dist_<c>_m`` (resident-weighted mean network distance to the nearest place, m),
        ``time_<c>_min``, ``count_<c>_300m`` and ``count_<c>_10min`` (mean number of
        places within reach), ``share_beyond_300m_cool_outdoor`` and
        ``share_beyond_500m_fresh_food``, ``share_beyond_300m_green_1ha`` (weight share of
        starts farther than 300 m from a cool outdoor place, 500 m from fresh food, 300 m
        from a green space of at least 1 ha); ``connected`` (some
        start reaches the main network), ``connected_share`` (weight share of starts that
        do), ``origin`` (``buildings`` or ``centroid``) and ``n_origins``. Unconnected
        cells and categories without any reachable place are NaN.
    """
    progress = progress or NullProgress()
    metres_per_min = speed_kmh * 1000.0 / 60.0
    reach_m = WALK_MINUTES * metres_per_min
    progress.start("Accès à pied : points de départ et lieux", None)
    origins = origin_points(cells, buildings)
    places = places.reset_index(drop=True)
    places = places.loc[places["category"].isin(CATEGORIES).to_numpy()].reset_index(drop=True)
    routing = _routing(network, origins, places, max_snap_m)
    progress.finish()
    n_origins = len(origins.cell)
    per_origin: dict[str, NDArray[np.float64]] = {}
    progress.start("Accès à pied : distances par catégorie", float(len(places)))
    candidates = _candidate_origins(origins, places, max(NEAR_M, reach_m))
    for category in CATEGORIES:
        rows = np.flatnonzero((places["category"] == category).to_numpy())
        dist, near, reach = _category_reach(routing, rows, candidates, n_origins, reach_m)
        progress.advance(float(len(rows)))
        dist[~routing.connected] = np.nan
        near[~routing.connected] = np.nan
        reach[~routing.connected] = np.nan
        per_origin[f"dist_{category}_m"] = dist
        per_origin[f"count_{category}_300m"] = near
        per_origin[f"count_{category}_10min"] = reach
        far = _BEYOND.get(category)
        if far is not None:
            beyond = (dist > far).astype("float64")  # no reachable place at all is beyond
            beyond[~routing.connected] = np.nan
            per_origin[f"share_beyond_{far:.0f}m_{category}"] = beyond
    progress.finish()
    return _per_cell(cells, origins, routing.connected, per_origin, metres_per_min)


def _category_reach(
    routing: _Routing,
    rows: NDArray[np.intp],
    candidates: list[NDArray[np.intp]],
    n_origins: int,
    reach_m: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Distance to the nearest of the places ``rows`` and counts within 300 m and reach.

    Per origin: network distance (``inf`` when none is reachable), number of places within
    300 m and within ``reach_m``; connection is not applied here.
    """
    sources = routing.place_source[rows]
    sources = sources[sources >= 0]
    dist = np.full(n_origins, np.inf)
    near = np.zeros(n_origins)
    reach = np.zeros(n_origins)
    if len(sources):
        best = dijkstra(routing.graph, directed=True, indices=sources, min_only=True)
        dist = best[routing.origin_node] + routing.origin_snap
        for row in rows:
            source = routing.place_source[row]
            if source >= 0:
                _count_place(routing, source, candidates[row], near, reach, reach_m)
    return dist, near, reach


def _routing(
    network: WalkNetwork, origins: Origins, places: gpd.GeoDataFrame, max_snap_m: float
) -> _Routing:
    place_row, access_xy = place_access_points(places)
    inner_row, inner_xy = _inner_nodes(network, places)
    place_row = np.concatenate([place_row, inner_row])
    access_xy = np.concatenate([access_xy, inner_xy])
    xmin, ymin, xmax, ymax = network.bounds
    inside = (
        (access_xy[:, 0] >= xmin - max_snap_m)
        & (access_xy[:, 0] <= xmax + max_snap_m)
        & (access_xy[:, 1] >= ymin - max_snap_m)
        & (access_xy[:, 1] <= ymax + max_snap_m)
    )
    place_row, access_xy = place_row[inside], access_xy[inside]
    xy = np.concatenate([origins.xy, access_xy])
    snapped = snap_points(network, xy, max_distance=max_snap_m)
    split: SplitGraph = split_graph(network, snapped)
    n_origins = len(origins.xy)
    origin_node = split.point_node[:n_origins]
    connected = (origin_node >= 0) & (
        split.component[np.maximum(origin_node, 0)] == network.main_component
    )
    access_node = split.point_node[n_origins:]
    access_snap = snapped.distance[n_origins:]
    ok = access_node >= 0
    reached = np.unique(place_row[ok])
    lost = len(places) - len(reached)
    if lost:
        logger.warning(
            "%d lieu(x) à plus de %.0f m de toute voie piétonne : ignoré(s)", lost, max_snap_m
        )
    place_source = np.full(len(places), -1, dtype=np.intp)
    place_source[reached] = split.n_nodes + np.arange(len(reached))
    n_total = split.n_nodes + len(reached)
    rows = np.concatenate([split.u, split.v, place_source[place_row[ok]]])
    cols = np.concatenate([split.v, split.u, access_node[ok]])
    weights = np.concatenate([split.length, split.length, access_snap[ok] + _EPSILON_M])
    graph = _min_csr(n_total, rows, cols, weights)
    return _Routing(
        graph=graph,
        origin_node=np.maximum(origin_node, 0),
        origin_snap=np.nan_to_num(snapped.distance[:n_origins]),
        connected=np.asarray(connected, dtype=bool),
        place_source=place_source,
    )


def _inner_nodes(
    network: WalkNetwork, places: gpd.GeoDataFrame
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Network nodes inside area places: a path through a park is already in the park."""
    geoms = places.geometry.to_numpy()
    polygonal = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6)))
    if len(polygonal) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros((0, 2))
    tree = shapely.STRtree(shapely.points(network.node_xy))
    area, node = tree.query(geoms[polygonal], predicate="contains")
    return polygonal[area].astype(np.intp), network.node_xy[node]


def _min_csr(
    n: int, rows: NDArray[np.intp], cols: NDArray[np.intp], w: NDArray[np.float64]
) -> csr_matrix:
    """Build a CSR graph keeping the smallest weight of repeated (row, col) pairs."""
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
    return coo_matrix((w[first], (rows[first], cols[first])), shape=(n, n)).tocsr()


def _candidate_origins(
    origins: Origins, places: gpd.GeoDataFrame, radius: float
) -> list[NDArray[np.intp]]:
    """Origins close enough (straight line) to each place to be within ``radius`` on foot.

    A walk is never shorter than the straight line, so the origins within ``radius`` plus
    the half-diagonal of a place's bounding box around its centre are a safe superset.
    """
    if len(places) == 0 or len(origins.xy) == 0:
        return [np.zeros(0, dtype=np.intp) for _ in range(len(places))]
    bounds = places.geometry.bounds.to_numpy()
    centre = np.column_stack([(bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2])
    half = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 2
    from scipy.spatial import cKDTree  # heavy: only when access is computed

    tree = cKDTree(origins.xy)
    found = tree.query_ball_point(centre, r=radius + half + 1.0)
    return [np.asarray(item, dtype=np.intp) for item in found]


def _count_place(
    routing: _Routing,
    source: int,
    candidates: NDArray[np.intp],
    near: NDArray[np.float64],
    reach: NDArray[np.float64],
    reach_m: float,
) -> None:
    if len(candidates) == 0:
        return
    limit = max(NEAR_M, reach_m)
    dist = dijkstra(routing.graph, directed=True, indices=source, limit=limit)
    walk = dist[routing.origin_node[candidates]] + routing.origin_snap[candidates]
    near[candidates] += walk <= NEAR_M
    reach[candidates] += walk <= reach_m


def _per_cell(
    cells: gpd.GeoDataFrame,
    origins: Origins,
    connected: NDArray[np.bool_],
    per_origin: dict[str, NDArray[np.float64]],
    metres_per_min: float,
) -> pd.DataFrame:
    n_cells = len(cells)
    weight = origins.weight
    total = np.bincount(origins.cell, weights=weight, minlength=n_cells)
    linked = np.bincount(origins.cell, weights=weight * connected, minlength=n_cells)
    share = np.divide(linked, total, out=np.zeros(n_cells), where=total > 0)
    out: dict[str, NDArray[np.float64] | NDArray[np.bool_] | NDArray[np.object_]] = {}
    for column, value in per_origin.items():
        finite = np.isfinite(value)
        w = np.where(finite, weight, 0.0)
        num = np.bincount(origins.cell, weights=np.where(finite, value, 0.0) * w, minlength=n_cells)
        den = np.bincount(origins.cell, weights=w, minlength=n_cells)
        out[column] = np.divide(num, den, out=np.full(n_cells, np.nan), where=den > 0)
    for category in CATEGORIES:
        out[f"time_{category}_min"] = out[f"dist_{category}_m"] / metres_per_min
    table = pd.DataFrame(out, index=pd.Index(cells["idcar_200m"].astype(str), name="idcar_200m"))
    table["connected"] = share > 0
    table["connected_share"] = share
    table["origin"] = np.where(origins.from_buildings, "buildings", "centroid")
    table["n_origins"] = np.bincount(origins.cell, minlength=n_cells)
    return table[ACCESS_COLUMNS]


def territory_bbox(cells: pd.DataFrame, margin_m: float = MARGIN_M) -> BBox:
    """Return the Lambert-93 box (EPSG:2154) around the cells plus ``margin_m`` metres."""
    corners = parse_cell_ids(cells["idcar_200m"].astype(str), source="carreaux")
    if len(corners) == 0:
        raise InputError("aucun carreau : impossible de délimiter le territoire")
    to_2154 = Transformer.from_crs(CELL_CRS, "EPSG:2154", always_xy=True)
    xmin, ymin, xmax, ymax = to_2154.transform_bounds(
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 0].max() + CELL_SIZE_M),
        float(corners[:, 1].max() + CELL_SIZE_M),
        densify_pts=21,
    )
    return (xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m)
