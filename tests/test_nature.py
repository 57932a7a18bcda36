"""Nature indicators (issue 21, point 2): 1 ha green spaces, green continuity, de-sealable land."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from _access_fixtures import X0, Y0, cells_over, edges_frame, grid_nodes
from quartiers.access import cell_access
from quartiers.access.network import build_network
from quartiers.indicators.nature import GREEN_GAP_M, desealable_share, green_network_ha
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.places import green_space_places
from quartiers.spatial.geometry import CellGrid
from quartiers.spatial.grid import parse_cell_ids

BOUNDS = (X0, Y0, X0 + 1_000, Y0 + 1_000)


def _grid() -> tuple[CellGrid, gpd.GeoDataFrame]:
    cells = cells_over(BOUNDS)
    return CellGrid(parse_cell_ids(cells["idcar_200m"], source="test")), cells


def _layer(geoms: list[shapely.Geometry], kinds: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": kinds}, geometry=geoms, crs="EPSG:2154")


def test_green_network_joins_pieces_closer_than_the_gap() -> None:
    grid, cells = _grid()
    park = shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)  # 1 ha
    near = shapely.box(X0 + 200 + GREEN_GAP_M - 2, Y0 + 100, X0 + 300, Y0 + 150)  # 0.46 ha
    far = shapely.box(X0 + 700, Y0 + 700, X0 + 750, Y0 + 750)  # 0.25 ha
    row = shapely.LineString([(X0 + 300, Y0 + 120), (X0 + 600, Y0 + 120)])  # tree row
    layer = _layer([park, near, far], ["park", "grass", "garden"])
    hectares = green_network_ha(grid, layer, default_crown_m=6.0)
    centres = cells.geometry.centroid.to_crs("EPSG:2154")
    at = np.asarray(
        [shapely.distance(shapely.Point(x, y), shapely.union_all([park, near, far]))
         for x, y in zip(centres.x, centres.y, strict=True)]
    )  # fmt: skip
    joined = (park.area + near.area) / 10_000
    # Areas are measured in EPSG:3035 (scale within 0.5 % of Lambert-93 here).
    assert hectares.max() == pytest.approx(joined, rel=5e-3)
    values = np.unique(np.round(hectares[hectares > 0], 6))
    assert len(values) == 2 and values[0] == pytest.approx(0.25, rel=5e-3)
    assert (hectares[at > 400] == 0).all()
    # A tree row touching both pieces and running east extends the network.
    with_row = green_network_ha(
        grid,
        _layer([park, near, far, row], ["park", "grass", "garden", "tree_row"]),
        default_crown_m=6.0,
    )
    assert with_row.max() > hectares.max()
    assert (with_row >= hectares - 1e-9).all()


def test_desealable_share_is_the_car_park_and_square_area() -> None:
    grid, _ = _grid()
    lot = shapely.box(X0 + 300, Y0 + 300, X0 + 340, Y0 + 350)  # 2,000 m²
    share = desealable_share(grid, _layer([lot], ["parking"]))
    assert share.sum() * 40_000 == pytest.approx(2_000, rel=5e-3)  # EPSG:3035 areas
    assert desealable_share(grid, _layer([], [])).sum() == 0


def test_green_spaces_of_one_hectare() -> None:
    places = gpd.GeoDataFrame(
        {
            "place_id": ["a", "b", "c", "d"],
            "category": ["cool_outdoor", "cool_outdoor", "cool_outdoor", "care"],
            "kind": ["park", "wood", "water", "pharmacy"],
            "name": "",
            "source": "osm",
        },
        geometry=[
            shapely.box(0, 0, 100, 100),  # 1 ha park: kept
            shapely.box(0, 0, 90, 100),  # 0.9 ha wood: too small
            shapely.box(0, 0, 200, 200),  # water: not green
            shapely.Point(0, 0),
        ],
        crs="EPSG:2154",
    )
    green = green_space_places(places)
    assert green["place_id"].tolist() == ["a:green_1ha"]
    assert (green["category"] == "green_1ha").all()


def test_share_beyond_300m_of_a_large_green_space() -> None:
    xy, pairs = grid_nodes(11, 11, 100.0)
    network = build_network(edges_frame(xy, pairs))
    cells = cells_over((X0, Y0, X0 + 1_000, Y0 + 1_000), inset=0)
    park = shapely.box(X0 + 10, Y0 + 10, X0 + 190, Y0 + 190)
    places = gpd.GeoDataFrame(
        {"place_id": ["p"], "category": ["green_1ha"], "kind": ["park"], "name": "",
         "source": "osm"},
        geometry=[park], crs="EPSG:2154",
    )  # fmt: skip
    table = cell_access(cells, network, places)
    dist = table["dist_green_1ha_m"].to_numpy()
    np.testing.assert_array_equal(
        table["share_beyond_300m_green_1ha"].to_numpy(), (dist > 300).astype(float)
    )
    assert 0 < table["share_beyond_300m_green_1ha"].sum() < len(table)


@pytest.mark.shared
def test_real_extract_nature(shared_data: Path) -> None:
    """Le Mans centre (OSM 2019): two green spaces of 1 ha, a green network, car parks."""
    layers = read_osm_layers(shared_data / "osm" / "le_mans_2019-12.osm.pbf")
    places = layers.places
    assert (places["category"] == "green_1ha").sum() >= 2
    cells = cells_over(layers.walk_edges.total_bounds, inset=200)
    grid = CellGrid(parse_cell_ids(cells["idcar_200m"], source="test"))
    hectares = green_network_ha(grid, layers.vegetation, default_crown_m=6.0)
    assert hectares.max() > 5 and (hectares >= 0).all()
    share = desealable_share(grid, layers.paved)
    assert 0 < share.max() < 0.5
    table = cell_access(cells, build_network(layers.walk_edges), places, buildings=layers.buildings)
    linked = table.loc[table["connected"]]
    assert linked["dist_green_1ha_m"].between(0, 1_000).all()
    assert linked["share_beyond_300m_green_1ha"].between(0, 1).all()
