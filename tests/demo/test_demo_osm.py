"""Demo OpenStreetMap extract: valid PBF, walkable network, few bridges, trees, amenities."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

WALKABLE = {
    "footway",
    "pedestrian",
    "path",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "track",
    "cycleway",
    "primary",
    "secondary",
    "tertiary",
}


class _Extract(osmium.SimpleHandler):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[int, tuple[float, float]] = {}
        self.node_tags: list[dict[str, str]] = []
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []
        self.meta_ok = True
        self.relations = 0

    def node(self, n: osmium.osm.Node) -> None:
        self.nodes[n.id] = (n.location.lon, n.location.lat)
        if len(n.tags):
            self.node_tags.append(dict(n.tags))
        self.meta_ok &= n.version >= 1 and n.timestamp.year >= 2012 and n.user != ""

    def way(self, w: osmium.osm.Way) -> None:
        self.ways.append((w.id, [r.ref for r in w.nodes], dict(w.tags)))
        self.meta_ok &= w.version >= 1

    def relation(self, r: osmium.osm.Relation) -> None:
        self.relations += 1


@pytest.fixture(scope="module")
def osm(demo: dict[str, Path]) -> _Extract:
    h = _Extract()
    h.apply_file(str(demo["osm"]))
    return h


def test_header_and_metadata(demo: dict[str, Path], osm: _Extract) -> None:
    reader = osmium.io.Reader(str(demo["osm"]))
    try:
        assert "fictif" in reader.header().get("generator")
    finally:
        reader.close()
    assert osm.meta_ok
    assert len(osm.nodes) > 50_000 and len(osm.ways) > 10_000


def test_ways_reference_existing_nodes(osm: _Extract) -> None:
    for _, refs, _ in osm.ways:
        assert all(r in osm.nodes for r in refs)
        assert len(refs) >= 2


def _walk_edges(osm: _Extract) -> list[tuple[int, int, dict[str, str]]]:
    out = []
    for _, refs, tags in osm.ways:
        if (
            tags.get("highway") in WALKABLE
            and tags.get("foot") != "no"
            and tags.get("access") != "private"
        ):
            out.extend((a, b, tags) for a, b in itertools.pairwise(refs))
    return out


def test_walking_network_is_connected(osm: _Extract) -> None:
    edges = _walk_edges(osm)
    ids = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges})
    index = {n: k for k, n in enumerate(ids)}
    a = np.array([index[e[0]] for e in edges])
    b = np.array([index[e[1]] for e in edges])
    graph = coo_matrix((np.ones(a.size), (a, b)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    assert np.bincount(labels).max() / len(ids) > 0.9
    kinds = Counter(e[2]["highway"] for e in edges)
    for kind in ("residential", "footway", "primary", "pedestrian", "track"):
        assert kinds[kind] > 0, kind


def test_river_is_crossed_only_by_few_bridges(osm: _Extract) -> None:
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)

    def line(refs: list[int]) -> shapely.LineString:
        lon, lat = zip(*(osm.nodes[r] for r in refs), strict=True)
        return shapely.LineString(np.column_stack(to_l93.transform(lon, lat)))

    river = [
        shapely.Polygon(line(refs).coords)
        for _, refs, tags in osm.ways
        if tags.get("natural") == "water" and tags.get("water") == "river"
    ]
    assert river
    water = shapely.union_all(river)
    crossing = [
        tags for _, refs, tags in osm.ways if "highway" in tags and line(refs).intersects(water)
    ]
    assert crossing and all(t.get("bridge") == "yes" and t.get("layer") == "1" for t in crossing)
    walkable = [t for t in crossing if t.get("foot") != "no"]
    assert 3 <= len({t["bridge:name"] for t in walkable}) <= 6
    assert any(t.get("highway") == "trunk" and t.get("foot") == "no" for t in crossing)
    assert any(t.get("waterway") == "river" for _, _, t in osm.ways)


def test_buildings_trees_green_and_water(osm: _Extract) -> None:
    buildings = [t for _, _, t in osm.ways if "building" in t]
    kinds = Counter(t["building"] for t in buildings)
    for kind in ("apartments", "house", "industrial", "school", "church"):
        assert kinds[kind] > 0, kind
    assert sum("height" in t for t in buildings) > 1_000
    assert sum("building:levels" in t for t in buildings) > 5_000
    closed = [refs[0] == refs[-1] for _, refs, t in osm.ways if "building" in t]
    assert all(closed)
    trees = [t for t in osm.node_tags if t.get("natural") == "tree"]
    assert len(trees) > 5_000
    assert sum("diameter_crown" in t for t in trees) > 1_000
    tags = [t for _, _, t in osm.ways]
    assert sum(t.get("leisure") == "park" for t in tags) >= 5
    assert any(t.get("landuse") == "forest" for t in tags)
    assert any(t.get("natural") == "wood" for t in tags)
    assert any(t.get("natural") == "water" and t.get("water") == "pond" for t in tags)
    assert sum(t.get("amenity") == "parking" for t in tags) >= 10


def test_amenities(osm: _Extract) -> None:
    tagged = osm.node_tags + [t for _, _, t in osm.ways]
    amenity = Counter(t.get("amenity") for t in tagged)
    for kind in (
        "pharmacy",
        "doctors",
        "library",
        "place_of_worship",
        "townhall",
        "social_facility",
        "community_centre",
        "drinking_water",
        "cinema",
        "hospital",
        "school",
    ):
        assert amenity[kind] > 0, kind
    assert amenity["pharmacy"] >= 10
    assert any(t.get("sport") == "swimming" for t in tagged)
    assert any(t.get("tourism") == "museum" for t in tagged)
    assert any(t.get("shop") == "mall" for t in tagged)
    assert any(t.get("social_facility") == "nursing_home" for t in tagged)
