"""OpenStreetMap layers (PBF or XML) → normalised layers in EPSG:2154.

The one pass over the file (:func:`quartiers.sources.osm_file.scan_osm`) collects buildings,
roads, vegetation, trees, water, resource places and the walkable street segments, and, when
asked, the background map's features in the same pass. Tag rules live in
:mod:`quartiers.sources.osm_tags` and :mod:`quartiers.sources.places`; they are documented
in ``docs/access.md``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from quartiers.errors import InputError
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
from quartiers.sources.osm_basemap import BasemapCollector, basemap_features
from quartiers.sources.osm_file import scan_osm
from quartiers.sources.places import consolidate_outdoor, empty_places, green_space_places

__all__ = [
    "OSM_CRS",
    "WALK_EDGE_COLUMNS",
    "OsmLayers",
    "read_osm_layers",
]

logger = logging.getLogger(__name__)

OSM_CRS = "EPSG:2154"

#: Walkable street segments: one straight segment between two consecutive OSM nodes of a
#: walkable way; ``u``/``v`` OSM node ids, ``length_m`` in Lambert-93 metres.
WALK_EDGE_COLUMNS = ["u", "v", "length_m", "highway", "way_id", "geometry"]

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
    #: Background map features of the whole file (``BASEMAP_COLUMNS``, not clipped), when
    #: asked for (:func:`quartiers.sources.osm_basemap.clip_basemap` cuts them to a box).
    basemap: gpd.GeoDataFrame | None = None


def read_osm_layers(
    path: Path, bbox_2154: BBox | None = None, *, basemap: bool = False
) -> OsmLayers:
    """Read an OpenStreetMap PBF or XML file into normalised layers (EPSG:2154).

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` (XML), ``.osm.bz2`` or ``.osm.gz`` file; the format is
        sniffed when the suffix says nothing.
    bbox_2154
        ``(xmin, ymin, xmax, ymax)`` in Lambert-93 metres (territory plus margin). Objects
        touching it are kept whole; walkable segments touching it are kept.
    basemap
        Also collect the background map's features (``OsmLayers.basemap``) in the same pass.

    Raises
    ------
    InputError
        Missing, empty or unreadable file, or a file without any OSM object of interest.
    """
    path = Path(path)
    to_2154 = Transformer.from_crs("EPSG:4326", OSM_CRS, always_xy=True)
    lonlat_box = None
    if bbox_2154 is not None:
        xmin, ymin, xmax, ymax = bbox_2154
        if not (xmin < xmax and ymin < ymax):
            raise InputError(f"emprise invalide {bbox_2154} (attendu xmin < xmax, ymin < ymax)")
        back = Transformer.from_crs(OSM_CRS, "EPSG:4326", always_xy=True)
        lonlat_box = back.transform_bounds(xmin, ymin, xmax, ymax, densify_pts=21)
    if basemap:
        collector, background = scan_osm(path, lambda: (Collector(lonlat_box), BasemapCollector()))
    else:
        (collector,) = scan_osm(path, lambda: (Collector(lonlat_box),))
        background = None
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
        basemap=None if background is None else basemap_features(background),
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
