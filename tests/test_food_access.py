"""Walking access to fresh food and shared gardens (issue 21, point 1)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from _access_fixtures import (
    X0,
    Y0,
    cells_over,
    edges_frame,
    grid_nodes,
    osm_xml,
    point_places,
    to_lonlat,
)
from quartiers.access import ACCESS_COLUMNS, cell_access, summarise_access
from quartiers.access.network import WalkNetwork, build_network
from quartiers.sources._food_tags import classify_food_place
from quartiers.sources.bpe import CATEGORIES as BPE_CATEGORIES
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.place_changes import CATEGORY_ALIASES
from quartiers.sources.places import bpe_places, classify_osm_place


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"shop": "supermarket"}, ("fresh_food", "supermarket")),
        ({"shop": "convenience"}, ("fresh_food", "convenience")),
        ({"shop": "greengrocer"}, ("fresh_food", "greengrocer")),
        ({"shop": "bakery"}, ("fresh_food", "bakery")),
        ({"shop": "butcher"}, ("fresh_food", "butcher")),
        ({"amenity": "marketplace"}, ("fresh_food", "marketplace")),
        ({"landuse": "allotments"}, ("shared_garden", "allotments")),
        ({"leisure": "garden", "garden:type": "community"}, ("shared_garden", "community_garden")),
        ({"leisure": "garden"}, None),  # a public garden is no shared garden
        ({"shop": "clothes"}, None),
        ({"shop": "mall"}, None),  # a cool indoor place, not a food shop
    ],
)
def test_food_tags(tags: dict[str, str], expected: tuple[str, str] | None) -> None:
    assert classify_food_place(tags) == expected


def test_food_tags_leave_the_heat_wave_categories_alone() -> None:
    community = {"leisure": "garden", "garden:type": "community"}
    assert classify_osm_place(community) == ("cool_outdoor", "garden")
    assert classify_osm_place({"shop": "supermarket"}) is None
    assert classify_osm_place({"landuse": "allotments"}) is None


def test_bpe_codes_and_city_aliases() -> None:
    bpe = gpd.GeoDataFrame(
        {"typequ": ["B207", "B105", "D307", "B999"]},
        geometry=gpd.points_from_xy([X0, X0 + 50, X0 + 100, X0 + 150], [Y0] * 4),
        crs="EPSG:2154",
    )
    frame = bpe_places(bpe)
    assert frame["category"].tolist() == ["fresh_food", "fresh_food", "care"]
    assert frame["kind"].tolist() == ["bakery", "supermarket", "pharmacy"]
    assert BPE_CATEGORIES["B208"] == "fresh_food"
    assert CATEGORY_ALIASES["jardin_partage"] == "shared_garden"
    assert CATEGORY_ALIASES["alimentation"] == "fresh_food"


def test_osm_community_garden_is_both_cool_and_shared(tmp_path: Path) -> None:
    square = {1: (0, 0), 2: (100, 0), 3: (100, 100), 4: (0, 100)}  # 1 ha
    allot = {5: (300, 0), 6: (340, 0), 7: (340, 40), 8: (300, 40)}
    nodes = [(k, *to_lonlat(X0 + x, Y0 + y), {}) for k, (x, y) in {**square, **allot}.items()]
    nodes += [
        (20, *to_lonlat(X0 + 500, Y0), {"shop": "bakery", "name": "Fournil"}),
        (21, *to_lonlat(X0 + 600, Y0), {"amenity": "marketplace"}),
        (22, *to_lonlat(X0 + 700, Y0), {"shop": "clothes"}),
    ]
    ways = [
        (1, [1, 2, 3, 4, 1], {"leisure": "garden", "garden:type": "community", "name": "JP"}),
        (2, [5, 6, 7, 8, 5], {"landuse": "allotments"}),
    ]
    path = tmp_path / "food.osm"
    path.write_text(osm_xml(nodes, ways), encoding="utf-8")
    places = read_osm_layers(path).places.set_index("place_id")
    assert places["category"].to_dict() == {
        "osm:n20": "fresh_food",
        "osm:n21": "fresh_food",
        "osm:w1": "cool_outdoor",
        "osm:w1:shared_garden": "shared_garden",
        "osm:w1:green_1ha": "green_1ha",  # 1 ha public garden (3-30-300)
        "osm:w2": "shared_garden",
    }
    assert places.loc["osm:w2"].geometry.area == pytest.approx(1_600, rel=1e-2)


def _line_network() -> tuple[WalkNetwork, gpd.GeoDataFrame]:
    """A 2 km straight street with cells along it."""
    xy, pairs = grid_nodes(21, 1, 100.0)
    edges = edges_frame(xy, pairs)
    return build_network(edges), cells_over(edges.total_bounds, inset=-150)


def test_share_beyond_500m_fresh_food_follows_the_distance() -> None:
    network, cells = _line_network()
    places = point_places([(X0, Y0)], "fresh_food")
    table = cell_access(cells, network, places)
    assert list(table.columns) == ACCESS_COLUMNS
    dist = table["dist_fresh_food_m"].to_numpy()
    share = table["share_beyond_500m_fresh_food"].to_numpy()
    assert np.isfinite(dist).all()
    # Each cell starts from its centre: beyond 500 m on foot ⇔ share 1.
    np.testing.assert_array_equal(share, (dist > 500.0).astype(float))
    assert 0 < share.sum() < len(share)
    assert table["dist_shared_garden_m"].isna().all()  # no garden: NaN, never 0


def test_zone_summary_of_food_access() -> None:
    network, cells = _line_network()
    places = point_places([(X0, Y0)], "fresh_food")
    table = cell_access(cells, network, places)
    cells = cells.assign(ind=100.0)
    near = cells.geometry.centroid.to_crs("EPSG:2154").x < X0 + 400
    zones = pd.DataFrame(
        {"cell": np.arange(len(cells)), "zone": np.where(near, 0, 1), "share": 1.0}
    )
    summary = summarise_access(table, cells, zones, zone_index=["près", "loin"])
    assert summary.loc["près", "share_beyond_500m_fresh_food"] == 0.0
    assert summary.loc["loin", "share_beyond_500m_fresh_food"] > 0.5
    assert summary.loc["près", "dist_fresh_food_m"] < summary.loc["loin", "dist_fresh_food_m"]
    assert summary["dist_shared_garden_m"].isna().all()


@pytest.mark.shared
def test_real_extract_food_places_and_access(shared_data: Path) -> None:
    """Redon (OSM 2019): its bakeries, supermarkets, markets and allotments, reached on foot."""
    layers = read_osm_layers(shared_data / "osm" / "redon_center_2019-09.osm")
    places = layers.places
    kinds = places.loc[places["category"] == "fresh_food", "kind"].value_counts()
    assert kinds.get("bakery", 0) >= 4 and kinds.get("supermarket", 0) >= 2
    assert kinds.get("marketplace", 0) >= 1
    assert (places["category"] == "shared_garden").sum() >= 3
    network = build_network(layers.walk_edges, source="redon")
    cells = cells_over(layers.walk_edges.total_bounds, inset=200)
    table = cell_access(cells, network, places, buildings=layers.buildings)
    linked = table.loc[table["connected"]]
    assert len(linked) >= 5
    assert linked["dist_fresh_food_m"].between(0, 2_000).all()
    assert linked["dist_shared_garden_m"].between(0, 3_000).all()
    beyond = linked["share_beyond_500m_fresh_food"]
    assert beyond.between(0, 1).all()


def test_demo_shows_food_access_against_the_rest_of_the_commune(demo_run: object) -> None:
    out = demo_run.out_dir  # type: ignore[attr-defined]
    qpv = pd.read_csv(out / "qpv.csv")
    for column in ("dist_fresh_food_m", "share_beyond_500m_fresh_food", "dist_shared_garden_m"):
        assert qpv[column].notna().all(), column
    assert qpv["share_beyond_500m_fresh_food"].between(0, 1).all()
    assert qpv["gap_commune_dist_fresh_food"].notna().all()
    zones = pd.read_parquet(out / "zones.parquet")
    rest = zones.loc[zones["zone_type"] == "reste_commune"]
    assert rest["dist_fresh_food_m"].notna().any()
