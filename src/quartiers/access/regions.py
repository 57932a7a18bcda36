"""Walking access région by région, for territories that span several régions (issue 16).

A national run's streets do not make one network: each région's extract has its own, and
a single graph of France would not fit this machine. When the communes of a run belong to
more than one région (every commune with a known région), each cell goes to the région of
its commune (the nearest commune for a cell outside them all), and each région is one
independent part: the streets, places and buildings in the box of its cells plus
:data:`~quartiers.access.walk.MARGIN_M`, its own pedestrian network (its own main
component) and the distances of its cells. The parts go to an
:class:`~quartiers.parallel.Executor` — in this process one after another, or as Dask tasks
— and are joined in the cells' order. The parts are the same in every mode, so the
numbers are the same, bit for bit. A région without any walkable street in its box has
its cells not connected (NaN distances), as cells beyond the streets of an extract are.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.access.network import NETWORK_CRS, build_network
from quartiers.access.origins import origin_points
from quartiers.access.walk import ACCESS_COLUMNS, cell_access, territory_bbox
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import BBox
from quartiers.sources.territory_codes import DEPARTEMENTS, departement_code
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, parse_cell_ids

__all__ = ["RegionPart", "cell_regions", "regional_access"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegionPart:
    """What one région's walking access needs: its cells and the layers in their box."""

    region: str
    rows: NDArray[np.intp]  # positions of its cells in the run's cells
    cells: pd.DataFrame  # ``idcar_200m`` of those cells
    walk_edges: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    source: str


@dataclass(frozen=True)
class _Done:
    region: str
    table: pd.DataFrame
    nodes: int
    wall_s: float
    cpu_s: float


def cell_regions(
    cells: pd.DataFrame, communes: gpd.GeoDataFrame | None
) -> NDArray[np.object_] | None:
    """Return the région code of each cell, or None when the communes make one région.

    None too when a commune's région is unknown (codes outside the COG) or the communes
    have no code or outline: the run is then computed as one territory, as before.
    """
    if not isinstance(communes, gpd.GeoDataFrame) or communes.crs is None:
        return None
    if "insee_com" not in communes.columns:
        return None
    insee = communes["insee_com"].astype(str).to_numpy()
    region = np.asarray(
        [DEPARTEMENTS.get(departement_code(c), ("", ""))[1] for c in insee], dtype=object
    )
    if len(region) == 0 or (region == "").any() or len(set(region)) < 2:
        return None
    corners = parse_cell_ids(cells["idcar_200m"].astype(str), source="carreaux")
    centres = shapely.points(corners.astype("float64") + CELL_SIZE_M / 2)
    geoms = communes.to_crs(CELL_CRS).geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    # a centre inside exactly one commune is nearest to it; the others (outside every
    # commune, or on a border) take the nearest commune
    point, commune = tree.query(centres, predicate="intersects")
    hits = np.bincount(point, minlength=len(centres))
    nearest = np.full(len(centres), -1, dtype=np.intp)
    single = hits[point] == 1
    nearest[point[single]] = commune[single]
    rest = np.flatnonzero(hits != 1)
    if len(rest):
        nearest[rest] = tree.query_nearest(centres[rest], all_matches=False)[1]
    out: NDArray[np.object_] = region[nearest]
    return out


def _in_box(frame: gpd.GeoDataFrame, box: BBox) -> gpd.GeoDataFrame:
    """Rows of ``frame`` (EPSG:2154) whose bounds meet ``box``, in their order."""
    b = shapely.bounds(frame.geometry.to_numpy())
    keep = (b[:, 0] <= box[2]) & (b[:, 2] >= box[0]) & (b[:, 1] <= box[3]) & (b[:, 3] >= box[1])
    return frame.iloc[np.flatnonzero(keep)]


def _parts(
    regions: NDArray[np.object_],
    cells: pd.DataFrame,
    walk_edges: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    source: str,
) -> list[RegionPart]:
    walk_edges = walk_edges.to_crs(NETWORK_CRS) if walk_edges.crs is not None else walk_edges
    if buildings is not None and buildings.crs is not None:
        buildings = buildings.to_crs(NETWORK_CRS)
    ids = cells[["idcar_200m"]]
    out = []
    for code in sorted(set(regions)):
        rows = np.flatnonzero(regions == code).astype(np.intp)
        mine = ids.iloc[rows].reset_index(drop=True)
        box = territory_bbox(mine)
        out.append(
            RegionPart(
                region=str(code),
                rows=rows,
                cells=mine,
                walk_edges=_in_box(walk_edges, box),
                places=_in_box(places, box),
                buildings=_in_box(buildings, box) if buildings is not None else None,
                source=source,
            )
        )
    return out


def part_access(part: RegionPart) -> _Done:
    """Return the walking access of one région's cells (its network built here)."""
    wall, cpu = time.perf_counter(), time.process_time()
    if len(part.walk_edges) == 0:
        table, nodes = _unconnected(part.cells, part.buildings), 0
    else:
        network = build_network(part.walk_edges, source=f"{part.source} (région {part.region})")
        table = cell_access(part.cells, network, part.places, buildings=part.buildings)
        nodes = network.n_nodes
    return _Done(part.region, table, nodes, time.perf_counter() - wall, time.process_time() - cpu)


def _unconnected(cells: pd.DataFrame, buildings: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """The access table of cells that no street reaches: NaN, not connected."""
    origins = origin_points(cells, buildings)
    n = len(cells)
    table = pd.DataFrame(
        {c: np.full(n, np.nan) for c in ACCESS_COLUMNS},
        index=pd.Index(cells["idcar_200m"].astype(str), name="idcar_200m"),
    )
    table["connected"] = False
    table["connected_share"] = 0.0
    table["origin"] = np.where(origins.from_buildings, "buildings", "centroid")
    table["n_origins"] = np.bincount(origins.cell, minlength=n)
    return table[ACCESS_COLUMNS]


def regional_access(
    regions: NDArray[np.object_],
    cells: pd.DataFrame,
    walk_edges: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    source: str = "OSM",
    executor: Executor = SERIAL,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Return :func:`~quartiers.access.walk.cell_access` computed région by région.

    Parameters
    ----------
    regions
        Région code of each cell (:func:`cell_regions`).
    cells
        The run's cells (``idcar_200m``).
    walk_edges, places, buildings
        Walkable segments, places and buildings of the whole run (EPSG:2154).
    source
        Name of the extract(s), for messages.
    executor
        Computes the régions (one part each).
    progress
        Receives one step, advanced per région in this process.
    """
    progress = progress or NullProgress()
    progress.start("Accès à pied : réseau et distances par région", float(len(set(regions))))
    try:
        parts = _parts(regions, cells, walk_edges, places, buildings, source)
        if executor.workers <= 1:
            done = []
            for part in parts:
                done.append(part_access(part))
                progress.advance(1.0)
        else:
            done = executor.map(part_access, parts)
    finally:
        progress.finish()
    for d, part in zip(done, parts, strict=True):
        logger.info(
            "accès à pied, région %s : %d carreaux, %d nœuds, %.1f s (%.1f s CPU)",
            d.region, len(part.rows), d.nodes, d.wall_s, d.cpu_s,
        )  # fmt: skip
    rows = np.concatenate([p.rows for p in parts])
    table = pd.concat([d.table for d in done])
    return table.iloc[np.argsort(rows, kind="stable")]
