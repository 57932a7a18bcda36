"""Resource places: OSM tags and BPE codes → categories, merging, access points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from _access_fixtures import X0, Y0, point_places
from quartiers.schemas import PLACE_COLUMNS
from quartiers.sources.places import (
    BPE_TYPEQU,
    CATEGORIES,
    DEDUP_DISTANCE_M,
    bpe_places,
    classify_osm_place,
    consolidate_outdoor,
    merge_places,
    place_access_points,
)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "pharmacy"}, ("care", "pharmacy")),
        ({"healthcare": "doctor"}, ("care", "doctor")),
        ({"amenity": "hospital"}, ("care", "hospital")),
        ({"amenity": "clinic"}, ("care", "clinic")),
        ({"amenity": "library"}, ("cool_indoor", "library")),
        ({"tourism": "museum"}, ("cool_indoor", "museum")),
        ({"amenity": "place_of_worship"}, ("cool_indoor", "place_of_worship")),
        ({"amenity": "cinema"}, ("cool_indoor", "cinema")),
        ({"shop": "mall"}, ("cool_indoor", "mall")),
        ({"leisure": "sports_centre", "sport": "swimming"}, ("cool_indoor", "swimming_pool")),
        ({"leisure": "swimming_pool", "access": "customers"}, ("cool_indoor", "swimming_pool")),
        ({"leisure": "swimming_pool"}, None),
        ({"leisure": "swimming_pool", "access": "private", "name": "Piscine"}, None),
        ({"amenity": "townhall"}, ("information", "townhall")),
        ({"amenity": "townhall", "townhall:type": "prefecture"}, None),
        ({"amenity": "social_facility", "social_facility": "outreach"},
         ("information", "social_centre")),
        ({"amenity": "social_facility", "social_facility": "nursing_home"}, None),
        ({"amenity": "community_centre"}, ("information", "community_centre")),
        ({"office": "government", "name": "France Services de Redon"},
         ("information", "france_services")),
        ({"amenity": "drinking_water"}, ("drinking_water", "drinking_water")),
        ({"amenity": "drinking_water", "drinking_water": "no"}, None),
        ({"amenity": "fountain", "drinking_water": "yes"}, ("drinking_water", "drinking_water")),
        ({"amenity": "fountain"}, None),
        ({"leisure": "park"}, ("cool_outdoor", "park")),
        ({"landuse": "forest"}, ("cool_outdoor", "wood")),
        ({"leisure": "garden", "garden:type": "private"}, None),
        ({"natural": "water", "water": "river"}, ("cool_outdoor", "water")),
        ({"natural": "water", "water": "wastewater"}, None),
        ({"waterway": "canal"}, ("cool_outdoor", "river")),
        ({"landuse": "grass"}, None),
        ({"amenity": "bench"}, None),
    ],
)  # fmt: skip
def test_osm_tags(tags: dict[str, str], expected: tuple[str, str] | None) -> None:
    assert classify_osm_place(tags) == expected


def test_bpe_codes_map_to_the_five_categories() -> None:
    assert {category for category, _ in BPE_TYPEQU.values()} <= set(CATEGORIES)
    assert BPE_TYPEQU["D307"] == ("care", "pharmacy")
    assert BPE_TYPEQU["A129"] == ("information", "townhall")


def _bpe(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "typequ": [r[0] for r in rows],
            "depcom": "35236",
            "nomrs": "",
            "category": [r[1] for r in rows],
            "qualite_xy": "A",
        },
        geometry=[shapely.Point(r[2], r[3]) for r in rows],
        crs="EPSG:2154",
    )


def test_bpe_places_use_the_given_category_else_the_code() -> None:
    bpe = _bpe(
        [
            ("D307", "care", X0, Y0),
            ("F307", "", X0 + 500, Y0),  # category filled from the code
            ("C108", "school", X0, Y0 + 500),  # not a resource place
            ("D265", "care", X0 + 900, Y0),
            ("D265", "care", X0 + 900, Y0),  # two GPs at one address: ids kept unique
        ]
    )
    places = bpe_places(bpe)
    assert list(places.columns) == PLACE_COLUMNS
    assert places["category"].tolist() == ["care", "cool_indoor", "care", "care"]
    assert places["kind"].tolist() == ["pharmacy", "library", "doctor", "doctor"]
    assert places["place_id"].is_unique
    assert (places["source"] == "bpe").all()
    assert len(bpe_places(None)) == 0


def test_merge_drops_near_duplicates_first_source_wins() -> None:
    osm = point_places([(X0, Y0), (X0 + 500, Y0)], "care")
    bpe = bpe_places(
        _bpe(
            [
                ("D307", "care", X0 + 10, Y0 + 10),  # same pharmacy as OSM's
                ("D307", "care", X0 + 200, Y0),  # another one
                ("D265", "care", X0 + 505, Y0),  # a doctor next to a pharmacy: kept
                ("D265", "care", X0 + 505, Y0 + 5),  # the same doctor's practice twice
            ]
        )
    )
    merged = merge_places([osm, None, bpe])
    assert merged["source"].tolist() == ["osm", "osm", "bpe", "bpe"]
    assert merged["kind"].tolist() == ["pharmacy", "pharmacy", "pharmacy", "doctor"]
    # A point inside an area of the same category and kind is the same place.
    park = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    area = gpd.GeoDataFrame(
        {"place_id": ["a"], "category": ["cool_indoor"], "kind": ["library"], "name": [""],
         "source": ["osm"]},
        geometry=[park],
        crs="EPSG:2154",
    )  # fmt: skip
    point = bpe_places(_bpe([("F307", "cool_indoor", X0 + 50, Y0 + 100 + DEDUP_DISTANCE_M + 10)]))
    assert len(merge_places([area, point])) == 2
    inside = bpe_places(_bpe([("F307", "cool_indoor", X0 + 50, Y0 + 50)]))
    assert len(merge_places([area, inside])) == 1


def test_consolidate_outdoor_merges_pieces_and_applies_threshold() -> None:
    def frame(
        geoms: list[shapely.Geometry], kinds: list[str], names: list[str]
    ) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"place_id": [f"osm:w{i}" for i in range(len(geoms))], "category": "cool_outdoor",
             "kind": kinds, "name": names, "source": "osm"},
            geometry=geoms,
            crs="EPSG:2154",
        )  # fmt: skip

    half_a = shapely.box(X0, Y0, X0 + 40, Y0 + 100)  # 0.4 ha
    half_b = shapely.box(X0 + 40, Y0, X0 + 80, Y0 + 100)  # 0.4 ha, touching
    small = shapely.box(X0 + 500, Y0, X0 + 550, Y0 + 50)  # 0.25 ha alone
    canal = shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 20)  # 2 ha of water
    along = shapely.LineString([(X0 + 1000, Y0 + 10), (X0 + 2000, Y0 + 10)])
    river_a = shapely.LineString([(X0, Y0 + 900), (X0 + 300, Y0 + 900)])
    river_b = shapely.LineString([(X0 + 300, Y0 + 900), (X0 + 600, Y0 + 900)])
    places = frame(
        [half_a, half_b, small, canal, along, river_a, river_b],
        ["park", "garden", "park", "water", "river", "river", "river"],
        ["", "Jardin", "", "", "Canal", "La Vilaine", "La Vilaine"],
    )
    out = consolidate_outdoor(places).set_index("place_id")
    assert sorted(out.index) == ["osm:w0", "osm:w3", "osm:w5"]
    assert out.loc["osm:w0", "geometry"].area == pytest.approx(8000)
    assert out.loc["osm:w0", "name"] == "Jardin"
    assert out.loc["osm:w5", "geometry"].length == pytest.approx(600)


def test_access_points_sample_edges() -> None:
    places = gpd.GeoDataFrame(
        {"place_id": ["p", "a", "l"], "category": "cool_outdoor", "kind": "", "name": "",
         "source": "osm"},
        geometry=[
            shapely.Point(X0, Y0),
            shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            shapely.LineString([(X0, Y0), (X0 + 100, Y0)]),
        ],
        crs="EPSG:2154",
    )  # fmt: skip
    row, xy = place_access_points(places, spacing_m=25)
    counts = np.bincount(row, minlength=3)
    assert counts[0] == 1
    assert counts[1] >= 16  # 400 m of boundary every 25 m
    assert counts[2] == 5
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100).boundary
    assert np.allclose(shapely.distance(shapely.points(xy[row == 1]), square), 0, atol=1e-6)
    assert len(place_access_points(places.iloc[:0])[0]) == 0


def test_empty_merge() -> None:
    merged = merge_places([None, pd.DataFrame().pipe(lambda _: None)])
    assert list(merged.columns) == PLACE_COLUMNS and len(merged) == 0


def test_bpe_codes_agree_with_the_bpe_reader() -> None:
    from quartiers.sources.bpe import CATEGORIES as READER

    assert {code: category for code, (category, _) in BPE_TYPEQU.items()} == READER
