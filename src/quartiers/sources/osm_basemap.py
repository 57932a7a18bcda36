"""Background map features from an OpenStreetMap extract (streets, water, green, buildings, names).

Collected in the same pass over the territory's own OSM file as the layers and walkable
streets (:func:`quartiers.sources.osm.read_osm_layers` with ``basemap=True``; alone through
:func:`read_osm_basemap`), :class:`BasemapCollector` keeps what a reader needs to find her
way: streets by class, water surfaces and rivers, green areas, buildings, and the names of
places (``place=*``), streets, parks and rivers. Nothing here feeds an indicator; the layers
are only drawn under the maps.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import osmium
import shapely
from pyproj import Transformer

from quartiers.sources.osm_file import scan_osm

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = [
    "BASEMAP_COLUMNS",
    "STREET_CLASSES",
    "BasemapCollector",
    "basemap_features",
    "clip_basemap",
    "read_osm_basemap",
]

#: ``layer``: ``voie``, ``eau``, ``vert``, ``bati``, ``lieu`` (place name point);
#: ``kind``: street class (:data:`STREET_CLASSES`), water ``surface``/``cours``, place type;
#: ``name``: OSM ``name`` ('' when absent). EPSG:2154.
BASEMAP_COLUMNS = ["layer", "kind", "name", "geometry"]

#: OSM ``highway`` value → street class drawn on the background map.
STREET_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        ("motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"),
        "principale",
    ),
    **dict.fromkeys(("secondary", "tertiary", "secondary_link", "tertiary_link"), "secondaire"),
    **dict.fromkeys(
        ("residential", "unclassified", "living_street", "pedestrian", "service", "road"),
        "locale",
    ),
    **dict.fromkeys(("footway", "path", "cycleway", "steps", "track", "bridleway"), "chemin"),
}

_PLACES = frozenset(
    {"city", "town", "village", "suburb", "quarter", "neighbourhood", "hamlet", "locality"}
)
_RIVERS = frozenset({"river", "canal", "stream"})
_GREEN = {
    "leisure": frozenset({"park", "garden", "nature_reserve", "playground", "pitch"}),
    "landuse": frozenset(
        {"grass", "forest", "meadow", "recreation_ground", "cemetery", "allotments",
         "village_green", "orchard"}
    ),
    "natural": frozenset({"wood", "scrub", "grassland", "heath"}),
}  # fmt: skip


def _green(tags: Any) -> bool:
    return any(tags.get(key, "") in values for key, values in _GREEN.items())


def _water_area(tags: Any) -> bool:
    return (
        tags.get("natural") == "water"
        or tags.get("waterway") == "riverbank"
        or tags.get("landuse") in ("reservoir", "basin")
    )


class BasemapCollector:
    """Keep the background features of each OSM object (WGS84 WKB or coordinates)."""

    #: Tag keys of the objects the background map looks at.
    keys: tuple[str, ...] = (
        "highway",
        "building",
        "natural",
        "landuse",
        "leisure",
        "waterway",
        "water",
        "place",
    )

    def __init__(self) -> None:
        self.wkb = osmium.geom.WKBFactory()
        self.layer: list[str] = []
        self.kind: list[str] = []
        self.name: list[str] = []
        self.geoms: list[str] = []  # hex WKB

    def _add(self, layer: str, kind: str, tags: Any, geom: str) -> None:
        self.layer.append(layer)
        self.kind.append(kind)
        self.name.append(tags.get("name", ""))
        self.geoms.append(geom)

    def add(self, obj: Any) -> None:
        """Record the background features of one node, way or area."""
        tags = obj.tags  # osmium TagList: .get() without building a dict
        if obj.is_node():
            loc = obj.location
            if tags.get("place") in _PLACES and tags.get("name") and loc.valid():
                self._add("lieu", tags["place"], tags, self.wkb.create_point(obj))
        elif obj.is_way():
            street = STREET_CLASSES.get(tags.get("highway", ""))
            river = tags.get("waterway", "") in _RIVERS
            if street is None and not river:
                return
            try:
                line = self.wkb.create_linestring(obj)
            except (RuntimeError, osmium.InvalidLocationError):  # nodes outside the extract
                return
            if street is not None and tags.get("area") != "yes":
                self._add("voie", street, tags, line)
            if river:
                self._add("eau", "cours", tags, line)
        elif obj.is_area():
            self._area(obj, tags)

    def _area(self, area: Any, tags: Any) -> None:
        building = tags.get("building", "no") != "no"
        water = _water_area(tags)
        green = _green(tags)
        if not (building or water or green):
            return
        try:
            geom = self.wkb.create_multipolygon(area)
        except RuntimeError:  # broken ring or missing nodes at the extract's edge
            return
        if water:
            self._add("eau", "surface", tags, geom)
        elif green:
            self._add("vert", "vert", tags, geom)
        if building:
            self._add("bati", "bati", {}, geom)


def read_osm_basemap(path: Path, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read the background map features of an OSM file (PBF or XML), in EPSG:2154.

    Parameters
    ----------
    path
        The territory's OpenStreetMap extract (``.osm.pbf``, ``.osm``…).
    bbox_2154
        Keep only features touching this Lambert-93 box (clipped to it).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`BASEMAP_COLUMNS`.

    Raises
    ------
    InputError
        Missing or unreadable file (French message naming the file).
    """
    (collector,) = scan_osm(Path(path), lambda: (BasemapCollector(),), purpose="fond de carte")
    return clip_basemap(basemap_features(collector), bbox_2154)


def basemap_features(collector: BasemapCollector) -> gpd.GeoDataFrame:
    """Return the features collected, in EPSG:2154, not clipped (:data:`BASEMAP_COLUMNS`)."""
    to_2154 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    geoms = np.asarray(shapely.from_wkb(collector.geoms, on_invalid="ignore"), dtype=object)
    if len(geoms):
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(to_2154.transform(xy[:, 0], xy[:, 1]))
        )
    return gpd.GeoDataFrame(
        {"layer": collector.layer, "kind": collector.kind, "name": collector.name},
        geometry=gpd.GeoSeries(geoms, crs="EPSG:2154"),
        crs="EPSG:2154",
    )


def clip_basemap(features: gpd.GeoDataFrame, bbox_2154: BBox | None) -> gpd.GeoDataFrame:
    """Return the features of :func:`basemap_features` clipped to a Lambert-93 box."""
    frame = features
    if bbox_2154 is not None and len(frame):
        frame = frame.clip(shapely.box(*bbox_2154))
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()]
    return frame[BASEMAP_COLUMNS].reset_index(drop=True)
