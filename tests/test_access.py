"""Walking access per cell: invariants, islands, counts, summaries, the city's changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from quartiers.access import (
    ACCESS_COLUMNS,
    SUMMARY_COLUMNS,
    WALK_SPEED_KMH,
    cell_access,
    compute_access,
    summarise_access,
)
from quartiers.access.network import WalkNetwork, build_network
from quartiers.access.origins import origin_points
from quartiers.errors import InputError
from quartiers.schemas import TerritoryInputs
from quartiers.sources.place_changes import apply_place_changes, validate_place_changes
from quartiers.sources.places import CATEGORIES
from quartiers.spatial.grid import overlap_shares, parse_cell_ids


def _jittered_grid(seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xy, pairs = grid_nodes(10, 10, 100.0)
    xy = {k: (x + rng.uniform(-25, 25), y + rng.uniform(-25, 25)) for k, (x, y) in xy.items()}
    pairs = [p for p, keep in zip(pairs, rng.random(len(pairs)) > 0.1, strict=True) if keep]
    return edges_frame(xy, pairs)


EDGES = _jittered_grid()
NETWORK = build_network(EDGES)
CELLS = cells_over(EDGES.total_bounds, inset=40)
DIST_COLUMNS = [f"dist_{c}_m" for c in CATEGORIES]

place_strategy = st.tuples(
    st.floats(X0 - 50, X0 + 950),
    st.floats(Y0 - 50, Y0 + 950),
    st.sampled_from(CATEGORIES),
)


def _places(items: list[tuple[float, float, str]]) -> gpd.GeoDataFrame:
    frames = [
        point_places([(x, y)], category, prefix=f"p{i}-")
        for i, (x, y, category) in enumerate(items)
    ]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:2154")


def test_columns_and_index() -> None:
    table = cell_access(CELLS, NETWORK, _places([(X0 + 300, Y0 + 300, "care")]))
    assert list(table.columns) == ACCESS_COLUMNS
    assert table.index.name == "idcar_200m"
    assert list(table.index) == list(CELLS["idcar_200m"])
    speed = WALK_SPEED_KMH * 1000 / 60
    assert np.allclose(table["time_care_min"], table["dist_care_m"] / speed)
    # A category without any place: NaN distance, zero count, never infinity.
    assert table["dist_drinking_water_m"].isna().all()
    assert (table["count_drinking_water_300m"] == 0).all()
    assert not np.isinf(table.select_dtypes("number").to_numpy()).any()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(place_strategy, min_size=1, max_size=6), place_strategy)
def test_adding_a_place_never_increases_a_distance(
    base: list[tuple[float, float, str]], extra: tuple[float, float, str]
) -> None:
    before = cell_access(CELLS, NETWORK, _places(base))
    after = cell_access(CELLS, NETWORK, _places([*base, extra]))
    for column in DIST_COLUMNS:
        old, new = before[column].to_numpy(), after[column].to_numpy()
        known = ~np.isnan(old)
        assert (new[known] <= old[known] + 1e-6).all()
        assert (~np.isnan(new[known])).all()
    for column in [c for c in ACCESS_COLUMNS if c.startswith("count_")]:
        assert (after[column] >= before[column] - 1e-9).all()
    assert (
        after["share_beyond_300m_cool_outdoor"] <= before["share_beyond_300m_cool_outdoor"] + 1e-9
    ).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(place_strategy, min_size=2, max_size=6), st.integers(0, 5))
def test_closing_a_place_never_decreases_a_distance(
    items: list[tuple[float, float, str]], which: int
) -> None:
    places = _places(items)
    closed_id = places["place_id"].iloc[which % len(places)]
    changes = pd.DataFrame(
        {"action": ["fermer"], "categorie": [places["category"].iloc[which % len(places)]],
         "place_id": [closed_id]}
    )  # fmt: skip
    fewer = apply_place_changes(places, changes, source="test.csv")
    assert len(fewer) == len(places) - 1
    before = cell_access(CELLS, NETWORK, places)
    after = cell_access(CELLS, NETWORK, fewer)
    for column in DIST_COLUMNS:
        old, new = before[column].to_numpy(), after[column].to_numpy()
        known = ~np.isnan(new)
        assert (new[known] >= old[known] - 1e-6).all()


def test_counts_match_distances_to_each_place() -> None:
    rng = np.random.default_rng(7)
    items = [(X0 + rng.uniform(0, 900), Y0 + rng.uniform(0, 900), "care") for _ in range(8)]
    table = cell_access(CELLS, NETWORK, _places(items))
    single = np.column_stack(
        [cell_access(CELLS, NETWORK, _places([item]))["dist_care_m"] for item in items]
    )
    speed = WALK_SPEED_KMH * 1000 / 60
    assert np.allclose(table["count_care_300m"], (single <= 300).sum(axis=1))
    assert np.allclose(table["count_care_10min"], (single <= 10 * speed).sum(axis=1))
    assert np.allclose(table["dist_care_m"], single.min(axis=1))
    assert np.allclose(table["count_care_10min"] >= 1, table["dist_care_m"] <= 10 * speed)


def test_area_place_is_entered_at_its_edge() -> None:
    park = shapely.box(X0 + 400, Y0 + 400, X0 + 800, Y0 + 800)
    places = gpd.GeoDataFrame(
        {"place_id": ["parc"], "category": ["cool_outdoor"], "kind": ["park"], "name": [""],
         "source": ["osm"]},
        geometry=[park],
        crs="EPSG:2154",
    )  # fmt: skip
    by_edge = cell_access(CELLS, NETWORK, places)
    by_centre = cell_access(CELLS, NETWORK, places.set_geometry([park.centroid], crs="EPSG:2154"))
    edge, centre = by_edge["dist_cool_outdoor_m"], by_centre["dist_cool_outdoor_m"]
    assert (edge <= centre + 1e-6).all()
    assert (edge < centre - 150).any()
    # Homes inside the park (streets cross it) walk to their street, then to a node of it.
    inside = shapely.contains_xy(park, *origin_points(CELLS).xy.T)
    assert inside.any()
    assert (edge.to_numpy()[inside] < 120).all()
    assert by_edge["count_cool_outdoor_10min"].max() == 1  # one place, many access points


def _island_network() -> tuple[WalkNetwork, gpd.GeoDataFrame, np.ndarray]:
    main, main_pairs = grid_nodes(8, 8, 100.0)
    island, island_pairs = grid_nodes(4, 8, 100.0, x0=X0 + 1400, first_id=1000)
    network = build_network(edges_frame({**main, **island}, [*main_pairs, *island_pairs]))
    cells = cells_over((X0, Y0, X0 + 1700, Y0 + 700), inset=30)
    on_island = origin_points(cells).xy[:, 0] > X0 + 1050
    return network, cells, on_island


def test_disconnected_island_is_nan_and_reported() -> None:
    network, cells, on_island = _island_network()
    assert on_island.any() and (~on_island).any()
    places = _places([(X0 + 100, Y0 + 100, "care"), (X0 + 1500, Y0 + 100, "care")])
    table = cell_access(cells, network, places)
    assert (~table["connected"].to_numpy()[on_island]).all()
    assert table["connected"].to_numpy()[~on_island].all()
    island_rows = table.loc[on_island]
    for column in [c for c in ACCESS_COLUMNS if c.startswith(("dist_", "time_", "count_"))]:
        assert island_rows[column].isna().all(), column
    cells = cells.assign(ind=np.where(on_island, 50.0, 100.0))
    xy = parse_cell_ids(cells["idcar_200m"])
    everything = gpd.GeoSeries([shapely.box(*cells.total_bounds)], crs="EPSG:3035")
    summary = summarise_access(table, cells, overlap_shares(xy, everything), zone_index=["tout"])
    expected = 50 * on_island.sum() / cells["ind"].sum()
    assert summary.loc["tout", "share_not_connected"] == pytest.approx(expected)
    assert np.isfinite(summary.loc["tout", "dist_care_m"])


def test_building_starts_are_weighted_by_floor_area() -> None:
    cell = CELLS.iloc[[12]]
    centre = origin_points(cell).xy[0]
    near = shapely.box(centre[0] - 60, centre[1] - 60, centre[0] - 40, centre[1] - 40)  # 400 m²
    far = shapely.box(centre[0] + 30, centre[1] + 30, centre[0] + 90, centre[1] + 90)  # 3600 m²
    shed = shapely.box(centre[0], centre[1], centre[0] + 4, centre[1] + 4)  # too small
    buildings = gpd.GeoDataFrame(
        {"height_m": [6.0, 3.0, np.nan], "residential": [True, True, True], "source": "osm"},
        geometry=[near, far, shed],
        crs="EPSG:2154",
    )
    places = _places([(X0 + 50, Y0 + 900, "care")])
    both = cell_access(cell, NETWORK, places, buildings=buildings)
    one = [cell_access(cell, NETWORK, places, buildings=buildings.iloc[[k]]) for k in (0, 1)]
    assert both["origin"].iloc[0] == "buildings"
    assert both["n_origins"].iloc[0] == 2
    weights = np.array([400 * 2, 3600 * 1])
    distances = np.array([frame["dist_care_m"].iloc[0] for frame in one])
    assert both["dist_care_m"].iloc[0] == pytest.approx(np.average(distances, weights=weights))
    no_home = cell_access(cell, NETWORK, places, buildings=buildings.iloc[[2]])
    assert no_home["origin"].iloc[0] == "centroid"


def test_summary_weighted_median_and_shares() -> None:
    ids = list(CELLS["idcar_200m"].iloc[:4])
    cells = pd.DataFrame({"idcar_200m": ids, "ind": [10.0, 10.0, 30.0, 50.0]})
    access = pd.DataFrame(
        {
            **{f"dist_{c}_m": [100.0, 200.0, 400.0, np.nan] for c in CATEGORIES},
            "share_beyond_300m_cool_outdoor": [0.0, 0.0, 1.0, np.nan],
            "connected_share": [1.0, 1.0, 1.0, 0.0],
        },
        index=pd.Index(ids, name="idcar_200m"),
    )
    shares = pd.DataFrame(
        {"cell": [0, 1, 2, 3, 2], "zone": [0, 0, 0, 0, 1], "share": [1, 1, 1, 1, 0.5]}
    )
    summary = summarise_access(access, cells, shares, zone_index=["QN1", "QN2"])
    assert list(summary.columns) == SUMMARY_COLUMNS
    # Zone QN1: connected residents 10 @100, 10 @200, 30 @400 → median 400; 50 not connected.
    assert summary.loc["QN1", "dist_care_m"] == 400.0
    assert summary.loc["QN1", "share_beyond_300m_cool_outdoor"] == pytest.approx(30 / 50)
    assert summary.loc["QN1", "share_not_connected"] == pytest.approx(50 / 100)
    assert summary.loc["QN2", "dist_care_m"] == 400.0
    assert summary.loc["QN2", "share_not_connected"] == 0.0


def test_summary_median_with_unreachable_category_is_nan() -> None:
    ids = list(CELLS["idcar_200m"].iloc[:2])
    cells = pd.DataFrame({"idcar_200m": ids, "ind": [10.0, 30.0]})
    access = pd.DataFrame(
        {
            **{f"dist_{c}_m": [100.0, np.nan] for c in CATEGORIES},
            "share_beyond_300m_cool_outdoor": [0.0, 1.0],
            "connected_share": [1.0, 1.0],
        },
        index=pd.Index(ids, name="idcar_200m"),
    )
    shares = pd.DataFrame({"cell": [0, 1], "zone": [0, 0], "share": [1.0, 1.0]})
    summary = summarise_access(access, cells, shares)
    assert np.isnan(summary.loc[0, "dist_care_m"])  # most residents reach no place
    assert summary.loc[0, "share_beyond_300m_cool_outdoor"] == pytest.approx(0.75)


def _tiny_territory(tmp_path: Path) -> tuple[TerritoryInputs, dict[str, tuple[float, float]]]:
    """A 9 × 9 street grid (80 m) written as OSM XML, a pharmacy, a library, cells on top."""
    xy, pairs = grid_nodes(9, 9, 80.0)
    nodes = [(k + 1, *to_lonlat(x, y), {}) for k, (x, y) in xy.items()]
    pharmacy = to_lonlat(X0 + 600, Y0 + 600)
    library = to_lonlat(X0 + 100, Y0 + 580)
    nodes += [
        (5001, *pharmacy, {"amenity": "pharmacy", "name": "Pharmacie du Port"}),
        (5002, *library, {"amenity": "library", "name": "Médiathèque"}),
    ]
    ways = [(k + 1, [u + 1, v + 1], {"highway": "residential"}) for k, (u, v) in enumerate(pairs)]
    path = tmp_path / "ville.osm"
    path.write_text(osm_xml(nodes, ways), encoding="utf-8")
    cells = cells_over((X0, Y0, X0 + 640, Y0 + 640), inset=40)
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:2154"))
    inputs = TerritoryInputs(
        code="00000", name="Ville-Test", qpv=empty, cells=cells, communes=empty, osm_path=path
    )
    return inputs, {"pharmacy": pharmacy, "library": library}


def test_compute_access_follows_the_city_changes(tmp_path: Path) -> None:
    inputs, where = _tiny_territory(tmp_path)
    base = compute_access(inputs)
    assert base["connected"].all()
    assert base["dist_care_m"].notna().all()
    csv = tmp_path / "lieux.csv"
    lon, lat = to_lonlat(X0 + 320, Y0 + 320)
    csv.write_text(
        "action;categorie;nom;lon;lat;place_id\n"
        f"fermer;soins;Pharmacie du Port;{where['pharmacy'][0]};{where['pharmacy'][1]};\n"
        f"ouvrir;salle_rafraichie;Salle des fêtes;{lon:.7f};{lat:.7f};\n"
        "fermer;frais_interieur;Médiathèque;;;osm:n5002\n",
        encoding="utf-8",
    )
    changed = compute_access(inputs, changes_csv=csv)
    assert changed["dist_care_m"].isna().all() and changed["connected"].all()
    assert (changed["count_care_10min"] == 0).all()
    middle = changed["dist_cool_indoor_m"].idxmin()
    assert changed.loc[middle, "dist_cool_indoor_m"] < 150
    extra = validate_place_changes(
        pd.DataFrame(
            {"action": ["ouvrir"], "categorie": ["eau_potable"], "lon": [lon], "lat": [lat]}
        ),
        source="test",
    )
    inputs.extra_places = extra
    with_fountain = compute_access(inputs)
    assert with_fountain["dist_drinking_water_m"].notna().all()


def test_compute_access_needs_an_osm_file(tmp_path: Path) -> None:
    inputs, _ = _tiny_territory(tmp_path)
    inputs.osm_path = None
    with pytest.raises(InputError, match="OpenStreetMap"):
        compute_access(inputs)


def test_compute_access_rejects_a_file_without_walkable_way(tmp_path: Path) -> None:
    inputs, _ = _tiny_territory(tmp_path)
    lon, lat = to_lonlat(X0, Y0)
    lon2, lat2 = to_lonlat(X0 + 300, Y0)
    path = tmp_path / "autoroute.osm"
    path.write_text(
        osm_xml([(1, lon, lat, {}), (2, lon2, lat2, {})], [(1, [1, 2], {"highway": "motorway"})])
    )
    inputs.osm_path = path
    with pytest.raises(InputError, match="aucune voie piétonne"):
        compute_access(inputs)


@pytest.mark.shared
def test_redon_access_is_plausible(shared_data: Path) -> None:
    from quartiers.sources.osm import read_osm_layers

    layers = read_osm_layers(shared_data / "osm" / "redon_center_2019-09.osm")
    cells = cells_over(layers.walk_edges.total_bounds, inset=100)
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:2154"))
    inputs = TerritoryInputs(
        code="35236", name="Redon", qpv=empty, cells=cells, communes=empty,
        osm_path=shared_data / "osm" / "redon_center_2019-09.osm",
    )  # fmt: skip
    table = compute_access(inputs, layers=layers)
    assert len(table) == len(cells) >= 10
    assert table["connected_share"].mean() > 0.9
    # Four pharmacies, a town hall and a library in a 1 km wide town centre.
    assert table["dist_care_m"].median() < 500
    assert table["dist_information_m"].median() < 700
    assert (table["count_care_10min"] >= 1).mean() > 0.8
    assert table["origin"].eq("buildings").mean() > 0.5


def test_access_doc_covers_the_code() -> None:
    """docs/access.md names every category, BPE code, column and accepted CSV category."""
    from quartiers.access import MAX_SNAP_M, WALK_SPEED_KMH
    from quartiers.sources.osm_tags import DEFAULT_ROAD_WIDTH_M
    from quartiers.sources.place_changes import CATEGORY_ALIASES
    from quartiers.sources.places import BPE_TYPEQU

    doc = (Path(__file__).resolve().parents[1] / "docs" / "access.md").read_text("utf-8")
    for name in [*CATEGORIES, *BPE_TYPEQU, *CATEGORY_ALIASES]:
        assert name in doc, name
    for column in [*ACCESS_COLUMNS, *SUMMARY_COLUMNS]:
        generic = column
        for category in CATEGORIES:
            generic = generic.replace(f"_{category}_", "_<c>_")
        assert generic in doc or column in doc, column
    for highway in DEFAULT_ROAD_WIDTH_M:
        if not highway.endswith("_link"):
            assert highway in doc, highway
    assert f"{WALK_SPEED_KMH:.0f} km/h" in doc
    assert f"{MAX_SNAP_M:.0f} m" in doc


def test_compute_access_reuses_the_sources_step_reading(tmp_path: Path) -> None:
    from quartiers.sources.osm import read_osm_layers

    inputs, _ = _tiny_territory(tmp_path)
    layers = read_osm_layers(inputs.osm_path)  # type: ignore[arg-type]
    expected = compute_access(inputs)
    inputs.places = layers.places
    inputs.buildings = layers.buildings
    inputs.notes = replace(inputs.notes, walk_edges=layers.walk_edges)
    inputs.osm_path = tmp_path / "deja_lu_puis_efface.osm"  # never read again
    pd.testing.assert_frame_equal(compute_access(inputs), expected)
