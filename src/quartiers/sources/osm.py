"""OpenStreetMap reader (PBF or XML) → normalised layers in EPSG:2154; the project's only one.

One pass with pyosmium's :class:`osmium.FileProcessor` (node locations cached, areas
assembled from closed ways and multipolygon relations) collects buildings, roads,
vegetation, trees, water, resource places and the walkable street segments. Tag rules
live in :mod:`quartiers.sources._osm_tags` and :mod:`quartiers.sources.places`; they are
documented in ``docs/access.md``.

Files whose objects are not sorted by type and id (some Overpass XML exports) are
re-sorted through a temporary PBF first, because area assembly needs sorted input.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from osmium.osm import mutable
from pyproj import Transformer

from quartiers._library_fr import osm_detail
from quartiers.errors import InputError
from quartiers.os_errors import reason
from quartiers.schemas import (
    BUILDING_COLUMNS,
    PAVED_COLUMNS,
    PLACE_COLUMNS,
    ROAD_COLUMNS,
    TREE_COLUMNS,
    VEGETATION_COLUMNS,
    WATER_COLUMNS,
    BBox,
)
from quartiers.sources._osm_collect import Collector
from quartiers.sources.places import consolidate_outdoor, empty_places, green_space_places

__all__ = [
    "OSM_CRS",
    "WALK_EDGE_COLUMNS",
    "OsmLayers",
    "read_osm_layers",
    "sniff_format",
    "write_sorted",
]

logger = logging.getLogger(__name__)

OSM_CRS = "EPSG:2154"

#: Walkable street segments: one straight segment between two consecutive OSM nodes of a
#: walkable way; ``u``/``v`` OSM node ids, ``length_m`` in Lambert-93 metres.
WALK_EDGE_COLUMNS = ["u", "v", "length_m", "highway", "way_id", "geometry"]

#: Tag keys of every object the reader looks at (everything else is skipped in C++).
_KEYS = (
    "highway", "building", "natural", "landuse", "leisure", "amenity", "tourism", "shop",
    "healthcare", "waterway", "barrier", "man_made", "office", "place",
)  # fmt: skip

# What pyosmium raises on a broken file (parse errors, bad coordinates, bad encoding).
_READ_ERRORS = (RuntimeError, ValueError, osmium.InvalidLocationError)


def _osm_reason(exc: BaseException) -> str:
    """French cause of a read failure: system error, or libosmium's words summarised."""
    return reason(exc) if isinstance(exc, OSError) else osm_detail(str(exc))


#: Half-widths used to turn linear vegetation into polygons (metres).
_LINEAR_VEGETATION_HALF_WIDTH = {"tree_row": 3.0, "hedge": 1.0}


@dataclass(frozen=True)
class OsmLayers:
    """Layers read from one OSM file, all GeoDataFrames in EPSG:2154.

    ``places`` keep the mapped shape (point, area or line): an area or a river is entered
    along its edge (see :func:`quartiers.sources.places.place_access_points`).
    """

    buildings: gpd.GeoDataFrame  # BUILDING_COLUMNS
    roads: gpd.GeoDataFrame  # ROAD_COLUMNS
    vegetation: gpd.GeoDataFrame  # VEGETATION_COLUMNS
    trees: gpd.GeoDataFrame  # TREE_COLUMNS
    water: gpd.GeoDataFrame  # WATER_COLUMNS
    paved: gpd.GeoDataFrame  # PAVED_COLUMNS
    places: gpd.GeoDataFrame  # PLACE_COLUMNS
    walk_edges: gpd.GeoDataFrame  # WALK_EDGE_COLUMNS
    source: str = ""


def read_osm_layers(path: Path, bbox_2154: BBox | None = None) -> OsmLayers:
    """Read an OpenStreetMap PBF or XML file into normalised layers (EPSG:2154).

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` (XML), ``.osm.bz2`` or ``.osm.gz`` file; the format is
        sniffed when the suffix says nothing.
    bbox_2154
        ``(xmin, ymin, xmax, ymax)`` in Lambert-93 metres (territory plus margin). Objects
        touching it are kept whole; walkable segments touching it are kept.

    Raises
    ------
    InputError
        Missing, empty or unreadable file, or a file without any OSM object of interest.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} : fichier OpenStreetMap introuvable")
    if path.stat().st_size == 0:
        raise InputError(f"{path} : fichier OpenStreetMap vide (0 octet)")
    fmt = sniff_format(path)
    to_2154 = Transformer.from_crs("EPSG:4326", OSM_CRS, always_xy=True)
    lonlat_box = None
    if bbox_2154 is not None:
        xmin, ymin, xmax, ymax = bbox_2154
        if not (xmin < xmax and ymin < ymax):
            raise InputError(f"emprise invalide {bbox_2154} (attendu xmin < xmax, ymin < ymax)")
        back = Transformer.from_crs(OSM_CRS, "EPSG:4326", always_xy=True)
        lonlat_box = back.transform_bounds(xmin, ymin, xmax, ymax, densify_pts=21)
    try:
        collector = _collect(osmium.io.File(str(path), fmt), lonlat_box)
    except _READ_ERRORS as exc:
        if "order" not in str(exc):
            raise InputError(
                f"{path} : fichier OpenStreetMap illisible ({_osm_reason(exc)})"
            ) from exc
        logger.info("%s : objets non triés, tri préalable", path.name)
        with tempfile.TemporaryDirectory(prefix="quartiers-osm-") as tmp:
            sorted_path = Path(tmp) / "sorted.osm.pbf"
            write_sorted(osmium.io.File(str(path), fmt), sorted_path, path)
            try:
                collector = _collect(osmium.io.File(str(sorted_path), "pbf"), lonlat_box)
            except _READ_ERRORS as again:
                raise InputError(
                    f"{path} : fichier OpenStreetMap illisible ({_osm_reason(again)})"
                ) from again
    if collector.seen == 0:
        raise InputError(
            f"{path} : aucun objet OpenStreetMap exploitable (voies, bâtiments, lieux) "
            "dans ce fichier"
        )
    box = shapely.box(*bbox_2154) if bbox_2154 is not None else None
    project = _projector(to_2154)
    layers = OsmLayers(
        buildings=_buildings(collector, project, box),
        roads=_roads(collector, project, box),
        vegetation=_vegetation(collector, project, box),
        trees=_trees(collector, project, box),
        water=_water(collector, project, box),
        paved=_paved(collector, project, box),
        places=_places(collector, project, box),
        walk_edges=_walk_edges(collector, to_2154, bbox_2154),
        source=str(path),
    )
    logger.info(
        "%s : %d bâtiments, %d segments piétons, %d lieux, %d surfaces minérales",
        path.name,
        len(layers.buildings),
        len(layers.walk_edges),
        len(layers.places),
        len(layers.paved),
    )
    return layers


def sniff_format(path: Path) -> str:
    """Return the pyosmium format of an OSM file (``pbf``, ``osm``, ``osm.bz2``…)."""
    name = path.name.lower()
    for suffix, fmt in ((".pbf", "pbf"), (".osm.bz2", "osm.bz2"), (".osm.gz", "osm.gz")):
        if name.endswith(suffix):
            return fmt
    if name.endswith((".osm", ".xml")):
        return "osm"
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    return "osm" if head.startswith(b"<") else "pbf"


def _collect(osm_file: Any, lonlat_box: BBox | None) -> Collector:
    collector = Collector(lonlat_box)
    processor = (
        osmium.FileProcessor(osm_file)
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*_KEYS))
    )
    for obj in processor:
        collector.add(obj)
    return collector


def write_sorted(osm_file: Any, target: Path, original: Path) -> None:
    """Copy an unsorted OSM file into a PBF sorted by type then id."""
    nodes: list[tuple[int, mutable.Node]] = []
    ways: list[tuple[int, mutable.Way]] = []
    relations: list[tuple[int, mutable.Relation]] = []
    try:
        for raw in osmium.FileProcessor(osm_file):
            obj: Any = raw
            tags = {tag.k: tag.v for tag in obj.tags}
            if obj.is_node():
                loc = obj.location
                location = (loc.lon, loc.lat) if loc.valid() else None
                nodes.append((obj.id, mutable.Node(id=obj.id, location=location, tags=tags)))
            elif obj.is_way():
                refs = [n.ref for n in obj.nodes]
                ways.append((obj.id, mutable.Way(id=obj.id, nodes=refs, tags=tags)))
            elif obj.is_relation():
                members = [(m.type, m.ref, m.role) for m in obj.members]
                relation = mutable.Relation(id=obj.id, members=members, tags=tags)
                relations.append((obj.id, relation))
    except _READ_ERRORS as exc:
        raise InputError(
            f"{original} : fichier OpenStreetMap illisible ({_osm_reason(exc)})"
        ) from exc
    writer = osmium.SimpleWriter(str(target))
    try:
        for _, node in sorted(nodes, key=lambda pair: pair[0]):
            writer.add_node(node)
        for _, way in sorted(ways, key=lambda pair: pair[0]):
            writer.add_way(way)
        for _, item in sorted(relations, key=lambda pair: pair[0]):
            writer.add_relation(item)
    finally:
        writer.close()


def _projector(to_2154: Transformer) -> Any:
    def project(geoms: np.ndarray) -> np.ndarray:
        if len(geoms) == 0:
            return geoms
        return np.asarray(
            shapely.transform(
                geoms, lambda xy: np.column_stack(to_2154.transform(xy[:, 0], xy[:, 1]))
            )
        )

    return project


def _frame(data: dict[str, Any], geoms: np.ndarray, columns: list[str]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {key: data[key] for key in columns if key != "geometry"},
        geometry=gpd.GeoSeries(geoms, crs=OSM_CRS),
        crs=OSM_CRS,
    )
    return frame[columns]


def _keep(geoms: np.ndarray, box: shapely.Geometry | None) -> np.ndarray:
    valid = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if box is not None:
        valid &= shapely.intersects(geoms, box)
    return np.asarray(valid, dtype=bool)


def _buildings(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    geoms = project(shapely.from_wkb(c.building_wkb, on_invalid="ignore"))
    keep = _keep(geoms, box)
    data = {
        "height_m": np.asarray(c.building_height, dtype="float64"),
        "residential": np.asarray(c.building_residential, dtype=bool),
        "source": np.full(len(geoms), "osm", dtype=object),
    }
    return _frame(_subset(data, keep), geoms[keep], BUILDING_COLUMNS)


def _roads(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    geoms = project(c.road_lines())
    keep = _keep(geoms, box)
    data = {
        "highway": np.asarray(c.road_highway, dtype=object),
        "width_m": np.asarray(c.road_width, dtype="float64"),
    }
    return _frame(_subset(data, keep), geoms[keep], ROAD_COLUMNS)


def _vegetation(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    areas = project(shapely.from_wkb(c.vegetation_wkb, on_invalid="ignore"))
    lines = project(c.linear_vegetation_lines())
    half = np.array([_LINEAR_VEGETATION_HALF_WIDTH[k] for k in c.linear_vegetation_kind])
    buffered = shapely.buffer(lines, half, cap_style="flat") if len(lines) else lines
    geoms = np.concatenate([areas, buffered])
    data = {
        "kind": np.asarray(c.vegetation_kind + c.linear_vegetation_kind, dtype=object),
        "public": np.asarray(c.vegetation_public + [False] * len(lines), dtype=bool),
        "name": np.asarray(c.vegetation_name + [""] * len(lines), dtype=object),
    }
    keep = _keep(geoms, box)
    return _frame(_subset(data, keep), geoms[keep], VEGETATION_COLUMNS)


def _trees(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    lonlat = np.asarray(c.tree_lonlat, dtype="float64").reshape(-1, 2)
    geoms = project(shapely.points(lonlat)) if len(lonlat) else np.zeros(0, dtype=object)
    keep = _keep(geoms, box)
    data = {"crown_m": np.asarray(c.tree_crown, dtype="float64")}
    return _frame(_subset(data, keep), geoms[keep], TREE_COLUMNS)


def _water(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    areas = shapely.from_wkb(c.water_wkb, on_invalid="ignore")
    geoms = project(np.concatenate([areas, c.water_lines()]))
    keep = _keep(geoms, box)
    data = {"kind": np.asarray(c.water_kind + c.water_line_kind, dtype=object)}
    return _frame(_subset(data, keep), geoms[keep], WATER_COLUMNS)


def _paved(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    geoms = project(shapely.from_wkb(c.paved_wkb, on_invalid="ignore"))
    if not len(geoms):
        geoms = np.zeros(0, dtype=object)
    keep = _keep(geoms, box)
    data = {"kind": np.asarray(c.paved_kind, dtype=object)}
    return _frame(_subset(data, keep), geoms[keep], PAVED_COLUMNS)


def _places(c: Collector, project: Any, box: shapely.Geometry | None) -> gpd.GeoDataFrame:
    if not c.place_id:
        return empty_places()
    geoms = project(shapely.from_wkb(c.place_wkb, on_invalid="ignore"))
    category = np.asarray(c.place_category, dtype=object)
    keep = _keep(geoms, box)
    data = {
        "place_id": np.asarray(c.place_id, dtype=object),
        "category": category,
        "kind": np.asarray(c.place_kind, dtype=object),
        "name": np.asarray(c.place_name, dtype=object),
        "source": np.full(len(geoms), "osm", dtype=object),
    }
    places = consolidate_outdoor(_frame(_subset(data, keep), geoms[keep], PLACE_COLUMNS))
    green = green_space_places(places)
    return gpd.GeoDataFrame(pd.concat([places, green], ignore_index=True), crs=places.crs)


def _walk_edges(c: Collector, to_2154: Transformer, bbox: BBox | None) -> gpd.GeoDataFrame:
    ids = np.asarray(c.walk_node, dtype=np.int64)
    part = np.asarray(c.walk_part, dtype=np.int64)
    lonlat = np.asarray(c.walk_lonlat, dtype="float64").reshape(-1, 2)
    x, y = (
        to_2154.transform(lonlat[:, 0], lonlat[:, 1]) if len(ids) else (lonlat[:, 0], lonlat[:, 1])
    )
    x = np.asarray(x)
    y = np.asarray(y)
    same = part[1:] == part[:-1]
    first = np.flatnonzero(same)
    second = first + 1
    x0, y0, x1, y1 = x[first], y[first], x[second], y[second]
    length = np.hypot(x1 - x0, y1 - y0)
    keep = (ids[first] != ids[second]) & (length > 0)
    if bbox is not None:
        xmin, ymin, xmax, ymax = bbox
        keep &= (np.maximum(x0, x1) >= xmin) & (np.minimum(x0, x1) <= xmax)
        keep &= (np.maximum(y0, y1) >= ymin) & (np.minimum(y0, y1) <= ymax)
    first, second, length = first[keep], second[keep], length[keep]
    way = part[first]
    coords = np.stack(
        [np.column_stack([x[first], y[first]]), np.column_stack([x[second], y[second]])], axis=1
    )
    geoms = shapely.linestrings(coords) if len(first) else np.zeros(0, dtype=object)
    data = {
        "u": ids[first],
        "v": ids[second],
        "length_m": length,
        "highway": np.asarray(c.walk_highway, dtype=object)[way] if len(way) else way,
        "way_id": np.asarray(c.walk_way_id, dtype=np.int64)[way] if len(way) else way,
    }
    frame = _frame(data, geoms, WALK_EDGE_COLUMNS)
    return frame.astype({"u": "int64", "v": "int64", "length_m": "float64", "way_id": "int64"})


def _subset(data: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    return {key: np.asarray(value)[keep] for key, value in data.items()}
