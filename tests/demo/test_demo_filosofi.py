"""Demo cells in INSEE's Filosofi 2021 layout, with INSEE's invariants and secrecy."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from quartiers.spatial.grid import cell_boxes, parse_cell_ids

OFFICIAL_2021 = [
    "idcar_200m",
    "idcar_1km",
    "idcar_nat",
    "i_est_200",
    "i_est_1km",
    "lcog_geo",
    "ind",
    "men",
    "men_pauv",
    "men_1ind",
    "men_5ind",
    "men_prop",
    "men_fmp",
    "ind_snv",
    "men_surf",
    "men_coll",
    "men_mais",
    "log_av45",
    "log_45_70",
    "log_70_90",
    "log_ap90",
    "log_inc",
    "log_soc",
    "ind_0_3",
    "ind_4_5",
    "ind_6_10",
    "ind_11_17",
    "ind_18_24",
    "ind_25_39",
    "ind_40_54",
    "ind_55_64",
    "ind_65_79",
    "ind_80p",
    "ind_inc",
]
AGES = OFFICIAL_2021[23:]
PERIODS = ["log_av45", "log_45_70", "log_70_90", "log_ap90", "log_inc"]


@pytest.fixture(scope="module")
def cells(demo: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(demo["filosofi"], sep=",", dtype={"lcog_geo": str})


def test_header_is_the_official_one(demo: dict[str, Path]) -> None:
    header = demo["filosofi"].read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == OFFICIAL_2021


def test_identifiers(cells: pd.DataFrame) -> None:
    assert cells["idcar_200m"].is_unique
    assert cells["idcar_200m"].str.fullmatch(r"CRS3035RES200mN\d{7}E\d{7}").all()
    xy = parse_cell_ids(cells["idcar_200m"])
    assert (xy % 200 == 0).all()
    km = [f"CRS3035RES1000mN{y // 1000 * 1000}E{x // 1000 * 1000}" for x, y in xy]
    assert cells["idcar_1km"].tolist() == km
    for (x, y), nat in zip(xy, cells["idcar_nat"], strict=True):
        size, ny, ex = map(int, re.fullmatch(r"CRS3035RES(\d+)mN(\d+)E(\d+)", nat).groups())
        assert size % 200 == 0 and ex <= x < ex + size and ny <= y < ny + size
    assert set(cells["i_est_200"]) <= {0, 1} and set(cells["i_est_1km"]) <= {0, 1}
    codes = {"00001", "00002", "00003", "00004"}
    for lcog in cells["lcog_geo"]:
        chunks = [lcog[k : k + 5] for k in range(0, len(lcog), 5)]
        assert chunks and set(chunks) <= codes


def test_parts_add_up(cells: pd.DataFrame) -> None:
    np.testing.assert_allclose(cells[AGES].sum(axis=1), cells["ind"], atol=1e-6)
    np.testing.assert_allclose(cells[PERIODS].sum(axis=1), cells["men"], atol=1e-6)
    np.testing.assert_allclose(cells["men_coll"] + cells["men_mais"], cells["men"], atol=1e-6)
    for col in ["men_pauv", "men_1ind", "men_5ind", "men_prop", "men_fmp", "log_soc"]:
        assert (cells[col] <= cells["men"] + 1e-9).all(), col
    assert (cells["men_1ind"] + cells["men_5ind"] <= cells["men"] + 1e-9).all()
    assert (cells["ind"] >= cells["men"] - 1e-9).all()
    snv = cells["ind_snv"] / cells["ind"]
    assert snv.between(8_000, 60_000).all()
    assert (cells["men_surf"] / cells["men"]).between(25, 200).all()


def test_secrecy_like_insee(cells: pd.DataFrame) -> None:
    observed = cells[cells["i_est_200"] == 0]
    imputed = cells[cells["i_est_200"] == 1]
    assert (observed["men"] >= 11).all()
    assert (observed[OFFICIAL_2021[6:13]] % 1 == 0).all().all()
    assert len(imputed) > 100
    assert (imputed[["ind", "men"]] % 1 != 0).any().any()  # fractional values
    # Imputed cells are many but hold few people, as nationally (79 % of cells, 20 % of people).
    assert imputed["ind"].sum() / cells["ind"].sum() < 0.25
    share = imputed.groupby("idcar_nat")["men"].sum()
    assert (share >= 11 - 1e-6).mean() > 0.8


def test_population_consistent_with_communes(demo: dict[str, Path], cells: pd.DataFrame) -> None:
    communes = gpd.read_file(demo["communes"], layer="commune")
    legal = communes.set_index("code_insee")["population"]
    assert 50_000 <= legal["00001"] <= 80_000
    total = cells["ind"].sum()
    assert abs(total - legal.sum()) / legal.sum() < 0.03
    boxes = gpd.GeoDataFrame(
        cells, geometry=cell_boxes(parse_cell_ids(cells["idcar_200m"])), crs="EPSG:3035"
    )
    com = communes.to_crs("EPSG:3035")
    for code, geom in zip(com["code_insee"], com.geometry, strict=True):
        share = boxes.geometry.intersection(geom).area / 40_000.0
        fiscal = float((boxes["ind"] * share).sum())
        assert abs(fiscal - legal[code]) / legal[code] < 0.05, code


def test_cells_cover_the_buildings_of_the_town(demo: dict[str, Path], cells: pd.DataFrame) -> None:
    communes = gpd.read_file(demo["communes"], layer="commune").to_crs("EPSG:3035")
    boxes = gpd.GeoSeries(cell_boxes(parse_cell_ids(cells["idcar_200m"])), crs="EPSG:3035")
    town = communes.loc[communes["code_insee"] == "00001", "geometry"].iloc[0]
    assert boxes.intersects(town).sum() > 400
    assert boxes.union_all().intersects(town.centroid.buffer(300))
