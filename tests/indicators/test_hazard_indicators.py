"""Hazard exposure per cell and per QPV: exact cell × zone overlaps, buildings, comparisons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from _synthetic import X0, Y0, make_cells, make_territory
from quartiers.diagnostic.run import run_diagnostic
from quartiers.indicators.hazards import hazard_indicators, hazard_zones, no_hazard_reasons
from quartiers.method.spec import Method
from quartiers.report._common import block_indicators
from quartiers.schemas import HAZARD_COLUMNS
from quartiers.spatial.geometry import CellGrid


def _zones(rows: list[tuple[str, str, int, shapely.Geometry]]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "hazard": [r[0] for r in rows],
            "scenario": [r[1] for r in rows],
            "level": [r[2] for r in rows],
            "source": ["test"] * len(rows),
            "ref": [""] * len(rows),
        },
        geometry=[r[3] for r in rows],
        crs="EPSG:3035",
    )
    return frame.to_crs("EPSG:2154")[HAZARD_COLUMNS]


def _cells(n: int = 3) -> tuple[pd.DataFrame, CellGrid]:
    cells = make_cells(n)
    return cells, CellGrid(cells[["x_sw", "y_sw"]].to_numpy())


def test_area_share_without_buildings() -> None:
    cells, grid = _cells()
    # the western half of the first cell column is flooded
    flood = shapely.box(X0 - 50, Y0 - 50, X0 + 100, Y0 + 700)
    values, missing, shares = hazard_indicators(
        grid, cells, _zones([("inondation", "moyen", 0, flood)]), None
    )
    col0 = cells["x_sw"].to_numpy() == X0
    assert shares["flood"][col0] == pytest.approx(0.5, abs=1e-6)
    assert (shares["flood"][~col0] == 0).all()
    ind = cells["ind"].to_numpy()
    expected = (ind * shares["flood"]).sum() / ind.sum()
    v = values["flood_residents"]
    assert v.num.sum() / v.den.sum() == pytest.approx(expected)
    poor = values["flood_poor"]
    men_pauv = cells["men_pauv"].to_numpy()
    assert poor.num.sum() == pytest.approx((men_pauv * shares["flood"]).sum())
    assert set(missing) == {
        f"{g}_{p}"
        for g in ("sea", "clay", "multi_hazard")
        for p in ("residents", "poor", "0_3", "65p")
    }
    assert "submersion" in missing["sea_residents"]


def test_residential_buildings_weigh_the_cell() -> None:
    cells, grid = _cells()
    zone = shapely.box(X0, Y0, X0 + 100, Y0 + 200)  # western half of the first cell
    homes = gpd.GeoDataFrame(
        {"height_m": [np.nan] * 2, "residential": [True, False], "source": ["osm"] * 2},
        geometry=[
            shapely.box(X0 + 10, Y0 + 10, X0 + 40, Y0 + 40),  # home, inside the zone
            shapely.box(X0 + 150, Y0 + 10, X0 + 190, Y0 + 40),  # shop, outside
        ],
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    _, _, shares = hazard_indicators(grid, cells, _zones([("inondation", "moyen", 0, zone)]), homes)
    first = (cells["x_sw"].to_numpy() == X0) & (cells["y_sw"].to_numpy() == Y0)
    # all the cell's residential footprint is in the zone (the shop does not count)
    assert shares["flood"][first] == pytest.approx(1.0, abs=1e-6)


def test_clay_keeps_medium_and_strong_and_multi_hazard_overlaps() -> None:
    cells, grid = _cells()
    left = shapely.box(X0, Y0, X0 + 200, Y0 + 600)
    right = shapely.box(X0 + 100, Y0, X0 + 600, Y0 + 600)
    weak = shapely.box(X0, Y0, X0 + 600, Y0 + 600)
    hazards = _zones(
        [("inondation", "extreme", 0, left), ("argiles", "exposition", 2, right),
         ("argiles", "exposition", 1, weak)]
    )  # fmt: skip
    zones = hazard_zones(hazards)
    assert shapely.area(zones["clay"]) == pytest.approx(500 * 600, rel=1e-6)  # level 1 left out
    assert shapely.area(zones["multi_hazard"]) == pytest.approx(100 * 600, rel=1e-6)
    values, missing, shares = hazard_indicators(grid, cells, hazards, None)
    col0 = cells["x_sw"].to_numpy() == X0
    assert shares["multi_hazard"][col0] == pytest.approx(0.5, abs=1e-4)  # reprojected twice
    assert "multi_hazard_residents" in values and "sea_residents" in missing


def test_no_hazard_source_says_so() -> None:
    reasons = no_hazard_reasons()
    assert len(reasons) == 16 and all("tri, eaip, ppr, argiles" in r for r in reasons.values())


def test_qpv_compared_with_rest_of_commune_and_epci_under_the_flood_method() -> None:
    # the flood covers the big QPV's south-west cells and nothing else
    flood = shapely.box(X0 + 130, Y0 + 170, X0 + 600, Y0 + 500)
    inputs = make_territory(hazards=_zones([("inondation", "moyen", 0, flood)]))
    diag = run_diagnostic(inputs, method=Method.load("inondation"))
    q = diag.qpv_table().set_index("code_qp")
    big = q.loc["QN99901M"]
    assert 0 < big["flood_residents"] < 1
    assert big["gap_commune_flood_residents"] > 0 and big["ratio_commune_flood_residents"] > 1
    assert big["gap_epci_flood_residents"] > 0
    assert np.isnan(q.loc["QN99902I", "flood_residents"])  # under 50 residents: not shown
    # the sea is missing: renormalised away, not counted as zero exposure
    assert diag.run["missing_indicators"]["sea_residents"].startswith("aucune zone de submersion")
    assert big["score_exposure"] == pytest.approx(big["flood_residents"], rel=1e-9)
    # the sheet's exposure block lists the hazard exposures this method weighs
    listed = block_indicators(diag, "exposure")
    assert "flood_residents" in listed  # weighed; the sea, absent, is renormalised away
    assert "sea_residents" not in listed and "clay_residents" not in listed


def test_heat_sheet_does_not_list_hazard_exposures_as_heat() -> None:
    flood = shapely.box(X0 + 130, Y0 + 170, X0 + 600, Y0 + 500)
    diag = run_diagnostic(make_territory(hazards=_zones([("inondation", "moyen", 0, flood)])))
    listed = block_indicators(diag, "exposure")
    assert "lcz_heat" in listed and not any(i.startswith("flood_") for i in listed)
    assert diag.qpv_table().set_index("code_qp").loc["QN99901M", "flood_residents"] > 0
