"""Tag rules of the OpenStreetMap reader: walkability, road widths, buildings, greenery, water.

Pure functions of an OSM tag mapping; :mod:`quartiers.sources.osm` applies them while
reading. The rules are documented in ``docs/access.md`` (keep both in step).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

__all__ = [
    "DEFAULT_ROAD_WIDTH_M",
    "MAX_CROWN_DIAMETER_M",
    "METRES_PER_LEVEL",
    "NON_WALKABLE_HIGHWAYS",
    "WALKABLE_HIGHWAYS",
    "building_height_m",
    "crown_diameter_m",
    "is_residential_building",
    "is_walkable",
    "parse_metres",
    "road_width_m",
    "vegetation_kind",
    "water_kind",
]

Tags = Mapping[str, str]

#: Highway classes a pedestrian may use (SOURCES.md §4, plus the urban main roads, which have
#: sidewalks in French towns: leaving them out would cut every town centre in pieces).
WALKABLE_HIGHWAYS = frozenset(
    {
        "footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
        "unclassified", "track", "cycleway", "bridleway", "road", "primary", "primary_link",
        "secondary", "secondary_link", "tertiary", "tertiary_link",
    }
)  # fmt: skip

#: Classes never walked, unless ``foot=yes|designated|permissive`` says otherwise.
NON_WALKABLE_HIGHWAYS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})

_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
_ACCESS_DENIED = frozenset({"no", "private"})

#: Paved width assumed per highway class when no ``width`` tag is given (metres, whole
#: carriageway or path; rough French urban profiles).
DEFAULT_ROAD_WIDTH_M: dict[str, float] = {
    "motorway": 25.0, "motorway_link": 8.0, "trunk": 18.0, "trunk_link": 7.0,
    "primary": 12.0, "primary_link": 6.0, "secondary": 10.0, "secondary_link": 6.0,
    "tertiary": 8.0, "tertiary_link": 5.0, "unclassified": 5.0, "residential": 6.0,
    "living_street": 6.0, "road": 6.0, "busway": 6.0, "service": 4.0, "pedestrian": 6.0,
    "footway": 2.0, "cycleway": 2.0, "steps": 2.0, "path": 1.5, "track": 3.0,
}  # fmt: skip

#: Classes that count as sealed only when their ``surface`` tag says paved.
_UNPAVED_BY_DEFAULT = frozenset({"path", "track"})
_PAVED_SURFACES = frozenset(
    {"asphalt", "paved", "concrete", "concrete:plates", "paving_stones", "sett", "cobblestone",
     "concrete:lanes", "bricks", "metal", "wood"}
)  # fmt: skip

#: Height of one storey when only ``building:levels`` is tagged (metres).
METRES_PER_LEVEL = 3.0

#: ``building=*`` values taken as housing. ``yes`` (unspecified) counts as housing unless the
#: object carries a tag naming another use (see :func:`is_residential_building`).
_RESIDENTIAL_BUILDINGS = frozenset(
    {"house", "apartments", "residential", "detached", "semidetached_house", "terrace",
     "bungalow", "dormitory", "farm", "yes", "flats", "villa", "semi", "cabin", "static_caravan",
     "houseboat"}
)  # fmt: skip
_OTHER_USE_KEYS = (
    "amenity", "shop", "office", "leisure", "tourism", "craft", "man_made", "industrial",
    "public_transport", "railway", "aeroway", "military", "healthcare", "power",
)  # fmt: skip

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_metres(value: str | None) -> float:
    """Return the first number of an OSM length tag in metres, NaN when absent or unreadable.

    Accepts ``"12"``, ``"12.5 m"``, ``"12,5"``; feet (``'`` or ``ft``) are converted.
    """
    if not value:
        return math.nan
    match = _NUMBER.search(value)
    if match is None:
        return math.nan
    number = float(match.group(0).replace(",", "."))
    if "'" in value or "ft" in value.lower():
        number *= 0.3048
    return number if number > 0 else math.nan


def is_walkable(tags: Tags) -> bool:
    """Return True when a way with these tags can be walked (SOURCES.md §4 rules)."""
    highway = tags.get("highway")
    if highway is None:
        return False
    foot = tags.get("foot", "")
    if foot == "no":
        return False
    foot_ok = foot in _FOOT_ALLOWED
    if tags.get("access", "") in _ACCESS_DENIED and not foot_ok:
        return False
    if highway in NON_WALKABLE_HIGHWAYS:
        return foot_ok
    return highway in WALKABLE_HIGHWAYS


def road_width_m(tags: Tags) -> float:
    """Return the paved width of a highway way in metres, NaN when it is not a sealed road.

    The ``width`` tag wins when readable (0–100 m); else :data:`DEFAULT_ROAD_WIDTH_M`.
    Paths and tracks count only with a paved ``surface``.
    """
    highway = tags.get("highway", "")
    if highway not in DEFAULT_ROAD_WIDTH_M:
        return math.nan
    if highway in _UNPAVED_BY_DEFAULT and tags.get("surface", "") not in _PAVED_SURFACES:
        return math.nan
    width = parse_metres(tags.get("width"))
    if math.isnan(width) or width > 100.0:
        return DEFAULT_ROAD_WIDTH_M[highway]
    return width


#: Widest tree crown kept (m); larger ``diameter_crown`` values are typing errors, ignored.
MAX_CROWN_DIAMETER_M = 60.0


def crown_diameter_m(tags: Tags) -> float:
    """Return a tree's ``diameter_crown`` in metres, NaN when absent, unreadable or > 60 m."""
    crown = parse_metres(tags.get("diameter_crown"))
    return crown if crown <= MAX_CROWN_DIAMETER_M else math.nan


def building_height_m(tags: Tags) -> float:
    """Return a building's height in metres: ``height`` tag, else levels × 3 m, else NaN."""
    height = parse_metres(tags.get("height"))
    if not math.isnan(height) and height < 1000.0:
        return height
    levels = parse_metres(tags.get("building:levels"))
    if math.isnan(levels) or levels > 200.0:
        return math.nan
    roof = parse_metres(tags.get("roof:levels"))
    return (levels + (0.0 if math.isnan(roof) else roof)) * METRES_PER_LEVEL


def is_residential_building(tags: Tags) -> bool:
    """Return True when a building is (or may be) housing.

    Explicit housing values count; ``building=yes`` counts unless a tag names another use
    (``amenity``, ``shop``, ``office``, ``leisure``…).
    """
    value = tags.get("building", "")
    if value not in _RESIDENTIAL_BUILDINGS:
        return False
    if value == "yes":
        return not any(key in tags for key in _OTHER_USE_KEYS)
    return True


def vegetation_kind(tags: Tags) -> tuple[str, bool] | None:
    """Return ``(kind, public)`` for a green area, or None when the tags are not vegetation.

    ``kind`` is one of ``wood``, ``park``, ``garden``, ``grass``, ``scrub``; ``public`` is
    True for parks and gardens and woods people may enter (no ``access=private|no``,
    no private ``garden:type``).
    """
    leisure = tags.get("leisure", "")
    landuse = tags.get("landuse", "")
    natural = tags.get("natural", "")
    if natural == "wood" or landuse == "forest":
        kind = "wood"
    elif leisure == "park" or landuse in ("recreation_ground", "village_green"):
        kind = "park"
    elif leisure == "garden" or landuse == "allotments":
        kind = "garden"
    elif landuse in ("grass", "meadow") or natural == "grassland":
        kind = "grass"
    elif natural in ("scrub", "heath"):
        kind = "scrub"
    else:
        return None
    private = (
        tags.get("access", "") in _ACCESS_DENIED
        or tags.get("garden:type", "") in ("private", "residential")
        or landuse == "allotments"
    )
    public = kind in ("wood", "park", "garden") and not private
    return kind, public


#: ``parking=*`` values that are not an open-air sealed surface (inside or under a building).
_COVERED_PARKING = frozenset({"underground", "multi-storey", "rooftop", "sheds", "carports"})
#: ``surface=*`` values that let water through (not counted as sealed).
_PERMEABLE_SURFACES = frozenset(
    {"grass", "grass_paver", "gravel", "fine_gravel", "ground", "dirt", "earth", "sand",
     "unpaved", "compacted", "pebblestone", "woodchips", "mud"}
)  # fmt: skip


def paved_kind(tags: Tags) -> str | None:
    """Return the kind of an open sealed surface (``parking``, ``square``) or None.

    Open-air car parks (``amenity=parking`` not underground or multi-storey) and paved
    pedestrian squares (``highway=pedestrian`` or ``place=square`` areas) are sealed unless
    their ``surface`` tag says permeable.
    """
    if tags.get("surface", "") in _PERMEABLE_SURFACES:
        return None
    if tags.get("amenity") == "parking" and tags.get("parking", "") not in _COVERED_PARKING:
        return "parking"
    if tags.get("highway") == "pedestrian" and tags.get("area") == "yes":
        return "square"
    if tags.get("place") == "square":
        return "square"
    return None


def water_kind(tags: Tags) -> str | None:
    """Return the kind of a water area (``river``, ``canal``, ``lake``, ``pond``…) or None."""
    if tags.get("natural") == "water":
        return tags.get("water") or "water"
    waterway = tags.get("waterway")
    if waterway == "riverbank":
        return "river"
    if waterway == "dock":
        return "dock"
    if tags.get("landuse") in ("reservoir", "basin"):
        return tags["landuse"]
    return None
