"""OpenStreetMap reader: layers, tag rules, PBF and XML, bad files, real extracts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import osmium
import pytest

from _access_fixtures import X0, Y0, osm_xml, to_lonlat
from quartiers.access.network import build_network
from quartiers.errors import InputError
from quartiers.schemas import (
    BUILDING_COLUMNS,
    PAVED_COLUMNS,
    PLACE_COLUMNS,
    ROAD_COLUMNS,
    TREE_COLUMNS,
    VEGETATION_COLUMNS,
    WATER_COLUMNS,
)
from quartiers.sources import osm_tags as rules
from quartiers.sources.osm import WALK_EDGE_COLUMNS, read_osm_layers

# Node ids → Lambert-93 offsets (m) from (X0, Y0).
POINTS = {
    1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (300, 0), 5: (0, 100), 6: (100, 100),
    10: (20, 20), 11: (40, 20), 12: (40, 40), 13: (20, 40),  # building A
    14: (60, 20), 15: (80, 20), 16: (80, 40), 17: (60, 40),  # building B
    18: (120, 20), 19: (150, 20), 20: (150, 50), 21: (120, 50),  # school
    30: (0, 200), 31: (100, 200), 32: (100, 300), 33: (0, 300),  # park, 1 ha
    34: (200, 200), 35: (220, 200), 36: (220, 220), 37: (200, 220),  # garden, 400 m²
    40: (300, 100), 41: (400, 100), 42: (400, 200), 43: (300, 200),  # wood (relation)
    50: (0, 500), 51: (400, 500),  # river
    60: (0, 50), 61: (300, 50),  # tree row
    70: (0, -100), 71: (300, -100),  # motorway
    80: (200, 60), 81: (260, 60), 82: (260, 90), 83: (200, 90),  # car park, 1,800 m²
    84: (300, 60), 85: (320, 60), 86: (320, 80), 87: (300, 80),  # underground car park
    88: (330, 60), 89: (350, 60), 90: (350, 80), 91: (330, 80),  # grass car park
}  # fmt: skip
POINT_TAGS = {
    100: ((50, 10), {"natural": "tree", "diameter_crown": "8"}),
    101: ((150, 10), {"amenity": "pharmacy", "name": "Pharmacie"}),
    102: ((250, 10), {"amenity": "drinking_water"}),
    103: ((10, 60), {"amenity": "townhall", "name": "Mairie"}),
    104: ((260, 10), {"leisure": "swimming_pool"}),  # bare basin: not a public pool
}
WAYS = [
    (1, [1, 2, 3, 4], {"highway": "residential", "name": "Rue"}),
    (2, [2, 6, 5], {"highway": "footway", "access": "private"}),
    (3, [1, 5], {"highway": "footway", "foot": "no"}),
    (4, [5, 30], {"highway": "trunk", "foot": "yes"}),
    (5, [70, 71], {"highway": "motorway"}),
    (6, [10, 11, 12, 13, 10], {"building": "house", "height": "12 m"}),
    (7, [14, 15, 16, 17, 14], {"building": "yes", "building:levels": "4"}),
    (8, [18, 19, 20, 21, 18], {"building": "yes", "amenity": "school"}),
    (9, [30, 31, 32, 33, 30], {"leisure": "park", "name": "Parc"}),
    (10, [34, 35, 36, 37, 34], {"leisure": "garden"}),
    (11, [40, 41, 42, 43, 40], {}),
    (12, [50, 51], {"waterway": "river", "name": "La Rivière"}),
    (13, [60, 61], {"natural": "tree_row"}),
    (14, [80, 81, 82, 83, 80], {"amenity": "parking"}),
    (15, [84, 85, 86, 87, 84], {"amenity": "parking", "parking": "underground"}),
    (16, [88, 89, 90, 91, 88], {"amenity": "parking", "surface": "grass"}),
]
RELATIONS = [(1, [("w", 11, "outer")], {"type": "multipolygon", "natural": "wood"})]


def _nodes(order: int = 1) -> list[tuple[int, float, float, dict[str, str]]]:
    nodes = [(k, *to_lonlat(X0 + dx, Y0 + dy), {}) for k, (dx, dy) in POINTS.items()]
    nodes += [(k, *to_lonlat(X0 + dx, Y0 + dy), tags) for k, ((dx, dy), tags) in POINT_TAGS.items()]
    return sorted(nodes, key=lambda n: order * n[0])


@pytest.fixture(scope="module")
def xml_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "ville.osm"
    path.write_text(osm_xml(_nodes(), WAYS, RELATIONS), encoding="utf-8")
    return path


def test_layers_follow_the_schemas(xml_path: Path) -> None:
    layers = read_osm_layers(xml_path)
    expected = {
        "buildings": BUILDING_COLUMNS, "roads": ROAD_COLUMNS, "vegetation": VEGETATION_COLUMNS,
        "trees": TREE_COLUMNS, "water": WATER_COLUMNS, "places": PLACE_COLUMNS,
        "walk_edges": WALK_EDGE_COLUMNS, "paved": PAVED_COLUMNS,
    }  # fmt: skip
    for name, columns in expected.items():
        frame = getattr(layers, name)
        assert list(frame.columns) == columns, name
        assert frame.crs.equals("EPSG:2154"), name


def test_open_air_car_parks_are_sealed_surfaces(xml_path: Path) -> None:
    paved = read_osm_layers(xml_path).paved
    # Only the open-air, paved car park: not the underground one, not the grass one.
    assert paved["kind"].tolist() == ["parking"]
    assert paved.geometry.area.iloc[0] == pytest.approx(60 * 30, rel=1e-3)
    assert rules.paved_kind({"highway": "pedestrian", "area": "yes"}) == "square"
    assert rules.paved_kind({"highway": "pedestrian"}) is None  # a street, already a road
    assert rules.paved_kind({"amenity": "parking", "parking": "multi-storey"}) is None


def test_walkable_ways_only(xml_path: Path) -> None:
    edges = read_osm_layers(xml_path).walk_edges
    assert set(edges["highway"]) == {"residential", "trunk"}
    assert sorted(edges["way_id"].unique()) == [1, 4]
    assert len(edges) == 4  # three segments of the street, one of the trunk
    assert np.allclose(edges["length_m"], edges.geometry.length)
    assert np.allclose(sorted(edges["length_m"])[:3], [100, 100, 100], atol=0.01)
    network = build_network(edges)
    assert network.n_nodes == 6


def test_roads_widths(xml_path: Path) -> None:
    roads = read_osm_layers(xml_path).roads
    widths = dict(zip(roads["highway"], roads["width_m"], strict=True))
    assert widths["motorway"] == rules.DEFAULT_ROAD_WIDTH_M["motorway"]
    assert widths["residential"] == rules.DEFAULT_ROAD_WIDTH_M["residential"]


def test_buildings_heights_and_use(xml_path: Path) -> None:
    buildings = read_osm_layers(xml_path).buildings
    buildings = buildings.iloc[np.argsort(buildings.geometry.bounds["minx"].to_numpy())]
    assert buildings["height_m"].tolist()[:2] == [12.0, 12.0]
    assert math.isnan(buildings["height_m"].iloc[2])
    assert buildings["residential"].tolist() == [True, True, False]
    assert np.allclose(buildings.geometry.area, [400, 400, 900], rtol=1e-3)
    assert (buildings["source"] == "osm").all()


def test_vegetation_trees_water(xml_path: Path) -> None:
    layers = read_osm_layers(xml_path)
    kinds = dict(zip(layers.vegetation["kind"], layers.vegetation["public"], strict=True))
    assert kinds == {"park": True, "garden": True, "wood": True, "tree_row": False}
    assert layers.trees["crown_m"].tolist() == [8.0]
    assert layers.water["kind"].tolist() == ["river"]


def test_places_categories_and_ids(xml_path: Path) -> None:
    places = read_osm_layers(xml_path).places.set_index("place_id")
    assert places["category"].to_dict() == {
        "osm:n101": "care",
        "osm:n102": "drinking_water",
        "osm:n103": "information",
        "osm:w9": "cool_outdoor",  # the park (1 ha); the 400 m² garden is too small
        "osm:r1": "cool_outdoor",  # wood from a multipolygon relation
        "osm:w12": "cool_outdoor",  # the river front
    }
    assert places.loc["osm:w9", "name"] == "Parc"
    assert places.loc["osm:w9"].geometry.area == pytest.approx(10_000, rel=1e-3)


def test_pbf_and_unsorted_xml_read_alike(xml_path: Path, tmp_path: Path) -> None:
    unsorted = tmp_path / "desordre.osm"
    unsorted.write_text(osm_xml(_nodes(order=-1), WAYS[::-1], RELATIONS), encoding="utf-8")
    pbf = tmp_path / "ville.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(xml_path)):
        writer.add(obj)
    writer.close()
    no_suffix = tmp_path / "extrait"
    no_suffix.write_bytes(pbf.read_bytes())
    reference = read_osm_layers(xml_path)
    for path in (unsorted, pbf, no_suffix):
        layers = read_osm_layers(path)
        for name in ("buildings", "walk_edges", "places", "vegetation", "trees", "water", "roads"):
            assert len(getattr(layers, name)) == len(getattr(reference, name)), (path, name)
        assert sorted(layers.places["place_id"]) == sorted(reference.places["place_id"])


def test_bbox_keeps_what_touches_it(xml_path: Path) -> None:
    layers = read_osm_layers(xml_path, bbox_2154=(X0 - 10, Y0 - 10, X0 + 160, Y0 + 60))
    assert set(layers.places["place_id"]) == {"osm:n101", "osm:n103"}
    assert len(layers.buildings) == 3
    assert set(layers.walk_edges["way_id"]) == {1}
    assert len(layers.walk_edges) == 2  # the street's third segment starts beyond the box


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.osm", b"", "vide"),
        ("casse.osm", b"<osm><node id=", "illisible"),
        ("casse.osm.pbf", b"\x00\x00\x00\x10garbage", "illisible"),
        ("rien.osm", b'<?xml version="1.0"?><osm version="0.6"></osm>', "aucun objet"),
        ("coord.osm", b'<osm version="0.6"><node id="1" lat="x" lon="2"/></osm>', "illisible"),
    ],
)
def test_bad_files_are_french_input_errors(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        read_osm_layers(path)
    assert name in str(error.value)


def test_missing_file_and_bad_bbox(tmp_path: Path, xml_path: Path) -> None:
    with pytest.raises(InputError, match="introuvable"):
        read_osm_layers(tmp_path / "absent.osm.pbf")
    with pytest.raises(InputError, match="emprise invalide"):
        read_osm_layers(xml_path, bbox_2154=(10.0, 0.0, 0.0, 10.0))


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "primary"}, True),
        ({"highway": "residential", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk"}, False),
        ({"highway": "trunk", "foot": "designated"}, True),
        ({"highway": "construction"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_walkability_rules(tags: dict[str, str], walkable: bool) -> None:
    assert rules.is_walkable(tags) is walkable


def test_tag_parsing() -> None:
    assert rules.parse_metres("12,5 m") == 12.5
    assert rules.parse_metres("10'") == pytest.approx(3.048)
    assert math.isnan(rules.parse_metres("haut"))
    assert math.isnan(rules.parse_metres(None))
    assert rules.building_height_m({"building:levels": "3", "roof:levels": "1"}) == 12.0
    assert rules.road_width_m({"highway": "residential", "width": "7.5"}) == 7.5
    assert math.isnan(rules.road_width_m({"highway": "path"}))
    assert rules.road_width_m({"highway": "path", "surface": "asphalt"}) == 1.5
    assert rules.is_residential_building({"building": "apartments"})
    assert not rules.is_residential_building({"building": "yes", "shop": "supermarket"})
    assert not rules.is_residential_building({"building": "industrial"})
    assert rules.vegetation_kind({"leisure": "garden", "access": "private"}) == ("garden", False)
    assert rules.water_kind({"natural": "water", "water": "pond"}) == "pond"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "min_segments", "places"),
    [
        ("redon_center_2019-09.osm", 1000, {"pharmacy": 4, "townhall": 1, "library": 1,
                                             "swimming_pool": 1}),
        ("saint_jean_brevelay_2019-09.osm", 200, {"townhall": 1, "library": 1}),
        ("nantes_centre_2020-09.osm.pbf", 500, {"pharmacy": 2}),
        ("le_mans_2019-12.osm.pbf", 500, {"pharmacy": 1, "museum": 1}),
    ],
)  # fmt: skip
def test_real_extracts(
    shared_data: Path, name: str, min_segments: int, places: dict[str, int]
) -> None:
    layers = read_osm_layers(shared_data / "osm" / name)
    assert len(layers.walk_edges) >= min_segments
    network = build_network(layers.walk_edges, source=name)
    assert 0.5 * len(layers.walk_edges) < network.n_nodes < 2 * len(layers.walk_edges)
    assert network.main_share > 0.6
    assert 5 < network.total_length_m / 1000 < 100  # km of walkable ways in a town centre
    kinds = layers.places["kind"].value_counts()
    for kind, count in places.items():
        assert kinds.get(kind, 0) >= count, kind
    assert len(layers.buildings) > 200
    assert layers.buildings["residential"].mean() > 0.5
    bounds = layers.walk_edges.total_bounds
    assert 100_000 < bounds[0] < 1_300_000 and 6_000_000 < bounds[1] < 7_200_000  # France


@pytest.mark.shared
def test_redon_trees(shared_data: Path) -> None:
    layers = read_osm_layers(shared_data / "osm" / "redon_center_2019-09.osm")
    assert len(layers.trees) == 317
