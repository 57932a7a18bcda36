"""Accumulate the OSM objects the reader keeps, in plain lists (WGS84 lon/lat, WKB).

Called once per object by :func:`quartiers.sources.osm_file.scan_osm` for
:func:`quartiers.sources.osm.read_osm_layers`; projection and
bbox filtering happen afterwards, in bulk, on the collected arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import osmium
import shapely

from quartiers.sources import osm_tags as rules
from quartiers.sources._food_tags import classify_food_place
from quartiers.sources.places import classify_osm_place

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = ["Collector"]

_WATER_LINES = frozenset({"river", "canal", "stream", "ditch", "drain"})
# Margin (degrees, ≈1 km) of the quick lon/lat test on a building's first node.
_BUILDING_MARGIN_DEG = 0.01


class Collector:
    """Collect walkable ways, roads, buildings, greenery, trees, water and places."""

    #: Tag keys of every object the collector looks at (everything else is skipped in C++).
    keys: tuple[str, ...] = (
        "highway", "building", "natural", "landuse", "leisure", "amenity", "tourism", "shop",
        "healthcare", "waterway", "barrier", "man_made", "office", "place",
    )  # fmt: skip

    def __init__(self, lonlat_box: BBox | None) -> None:
        self.box = lonlat_box
        self.seen = 0
        self.wkb = osmium.geom.WKBFactory()
        # Walkable ways, node by node; a new part starts at each way or missing node.
        self.walk_node: list[int] = []
        self.walk_lonlat: list[float] = []
        self.walk_part: list[int] = []
        self.walk_highway: list[str] = []
        self.walk_way_id: list[int] = []
        self.road_coords: list[list[tuple[float, float]]] = []
        self.road_highway: list[str] = []
        self.road_width: list[float] = []
        self.building_wkb: list[str] = []
        self.building_height: list[float] = []
        self.building_residential: list[bool] = []
        self.vegetation_wkb: list[str] = []
        self.vegetation_kind: list[str] = []
        self.vegetation_public: list[bool] = []
        self.vegetation_name: list[str] = []
        self.linear_vegetation_coords: list[list[tuple[float, float]]] = []
        self.linear_vegetation_kind: list[str] = []
        self.tree_lonlat: list[float] = []
        self.tree_crown: list[float] = []
        self.water_wkb: list[str] = []
        self.water_kind: list[str] = []
        self.paved_wkb: list[str] = []
        self.paved_kind: list[str] = []
        self.water_line_coords: list[list[tuple[float, float]]] = []
        self.water_line_kind: list[str] = []
        self.place_wkb: list[str] = []
        self.place_id: list[str] = []
        self.place_category: list[str] = []
        self.place_kind: list[str] = []
        self.place_name: list[str] = []

    # -- dispatch ---------------------------------------------------------------------------
    def add(self, obj: Any) -> None:
        """Record one object yielded by the file processor."""
        self.seen += 1
        if obj.is_node():
            self._node(obj)
        elif obj.is_way():
            self._way(obj)
        elif obj.is_area():
            self._area(obj)

    def _inside(self, lon: float, lat: float, margin: float = 0.0) -> bool:
        if self.box is None:
            return True
        west, south, east, north = self.box
        return west - margin <= lon <= east + margin and south - margin <= lat <= north + margin

    def _node(self, node: Any) -> None:
        loc = node.location
        if not loc.valid() or not self._inside(loc.lon, loc.lat, 0.001):
            return
        tags = {tag.k: tag.v for tag in node.tags}
        if tags.get("natural") == "tree":
            self.tree_lonlat.extend((loc.lon, loc.lat))
            self.tree_crown.append(rules.crown_diameter_m(tags))
        place = classify_osm_place(tags)
        food = classify_food_place(tags)
        if place is not None or food is not None:
            wkb = self.wkb.create_point(node)
            self._add_places(wkb, f"osm:n{node.id}", place, food, tags)

    def _way(self, way: Any) -> None:
        tags = {tag.k: tag.v for tag in way.tags}
        highway = tags.get("highway")
        waterway = tags.get("waterway", "")
        linear = (
            "tree_row"
            if tags.get("natural") == "tree_row"
            else "hedge"
            if tags.get("barrier") == "hedge"
            else None
        )
        if highway is None and waterway not in _WATER_LINES and linear is None:
            return
        refs: list[int] = []
        coords: list[tuple[float, float] | None] = []
        for node in way.nodes:
            loc = node.location
            refs.append(node.ref)
            coords.append((loc.lon, loc.lat) if loc.valid() else None)
        valid = [xy for xy in coords if xy is not None]
        if len(valid) < 2 or not self._touches_box(valid):
            return
        if highway is not None:
            if rules.is_walkable(tags):
                self._add_walk(way.id, highway, refs, coords)
            width = rules.road_width_m(tags)
            if not np.isnan(width):
                self.road_coords.append(valid)
                self.road_highway.append(highway)
                self.road_width.append(width)
        if waterway in _WATER_LINES:
            self.water_line_coords.append(valid)
            self.water_line_kind.append(waterway)
            if waterway in ("river", "canal"):
                place = classify_osm_place(tags)
                if place is not None:
                    wkb = shapely.to_wkb(shapely.linestrings(valid), hex=True)
                    self._add_place(wkb, f"osm:w{way.id}", place, tags)
        if linear is not None:
            self.linear_vegetation_coords.append(valid)
            self.linear_vegetation_kind.append(linear)

    def _touches_box(self, coords: list[tuple[float, float]]) -> bool:
        if self.box is None:
            return True
        lons = [xy[0] for xy in coords]
        lats = [xy[1] for xy in coords]
        west, south, east, north = self.box
        return max(lons) >= west and min(lons) <= east and max(lats) >= south and min(lats) <= north

    def _add_walk(
        self, way_id: int, highway: str, refs: list[int], coords: list[tuple[float, float] | None]
    ) -> None:
        part: int | None = None
        for ref, xy in zip(refs, coords, strict=True):
            if xy is None:  # a missing node breaks the way: never bridge the gap
                part = None
                continue
            if part is None:
                part = len(self.walk_highway)
                self.walk_highway.append(highway)
                self.walk_way_id.append(way_id)
            self.walk_node.append(ref)
            self.walk_lonlat.extend(xy)
            self.walk_part.append(part)

    def _area(self, area: Any) -> None:
        tags = {tag.k: tag.v for tag in area.tags}
        building = tags.get("building")
        is_building = building is not None and building != "no"
        vegetation = rules.vegetation_kind(tags)
        water = rules.water_kind(tags)
        place = classify_osm_place(tags)
        food = classify_food_place(tags)
        paved = rules.paved_kind(tags)
        if not (is_building or vegetation or water or place or food or paved):
            return
        only_building = is_building and vegetation is None and water is None and place is None
        if only_building and not self._first_node_inside(area):
            if food is None:
                return
            is_building = False  # the same buildings as without food places
        try:
            wkb = self.wkb.create_multipolygon(area)
        except RuntimeError:  # broken ring or missing nodes at the extract's edge
            return
        if is_building:
            self.building_wkb.append(wkb)
            self.building_height.append(rules.building_height_m(tags))
            self.building_residential.append(rules.is_residential_building(tags))
        if vegetation is not None:
            self.vegetation_wkb.append(wkb)
            self.vegetation_kind.append(vegetation[0])
            self.vegetation_public.append(vegetation[1])
            self.vegetation_name.append(tags.get("name", ""))
        if water is not None:
            self.water_wkb.append(wkb)
            self.water_kind.append(water)
        if paved is not None:
            self.paved_wkb.append(wkb)
            self.paved_kind.append(paved)
        letter = "w" if area.from_way() else "r"
        self._add_places(wkb, f"osm:{letter}{area.orig_id()}", place, food, tags)

    def _first_node_inside(self, area: Any) -> bool:
        if self.box is None:
            return True
        for ring in area.outer_rings():
            for node in ring:
                loc = node.location
                return bool(loc.valid()) and self._inside(loc.lon, loc.lat, _BUILDING_MARGIN_DEG)
        return False

    def _add_places(
        self,
        wkb: str,
        place_id: str,
        place: tuple[str, str] | None,
        food: tuple[str, str] | None,
        tags: dict[str, str],
    ) -> None:
        """Record an object as a heat-wave place and, separately, as a food place."""
        if place is not None:
            self._add_place(wkb, place_id, place, tags)
        if food is not None:
            # Its own id: a community garden may also be a cool outdoor garden.
            suffix = f":{food[0]}" if place is not None else ""
            self._add_place(wkb, place_id + suffix, food, tags)

    def _add_place(
        self, wkb: str, place_id: str, place: tuple[str, str], tags: dict[str, str]
    ) -> None:
        self.place_wkb.append(wkb)
        self.place_id.append(place_id)
        self.place_category.append(place[0])
        self.place_kind.append(place[1])
        self.place_name.append(tags.get("name", ""))

    # -- bulk geometry ------------------------------------------------------------------------
    def road_lines(self) -> np.ndarray:
        """Return road linestrings (WGS84)."""
        return _lines(self.road_coords)

    def linear_vegetation_lines(self) -> np.ndarray:
        """Return tree rows and hedges as linestrings (WGS84)."""
        return _lines(self.linear_vegetation_coords)

    def water_lines(self) -> np.ndarray:
        """Return waterway centre lines (WGS84)."""
        return _lines(self.water_line_coords)


def _lines(coords: list[list[tuple[float, float]]]) -> np.ndarray:
    if not coords:
        return np.zeros(0, dtype=object)
    sizes = np.fromiter((len(c) for c in coords), dtype=np.intp, count=len(coords))
    flat = np.asarray([xy for line in coords for xy in line], dtype="float64")
    index = np.repeat(np.arange(len(coords)), sizes)
    return np.asarray(shapely.linestrings(flat, indices=index), dtype=object)
