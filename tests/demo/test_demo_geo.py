"""Demo QPV (ANCT GeoJSON), communes (ADMIN EXPRESS GeoPackage) and LCZ (CEREMA shapefile)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from quartiers.spatial.grid import cell_boxes, parse_cell_ids

ANCT = [
    "fid",
    "code_qp",
    "lib_qp",
    "insee_reg",
    "lib_reg",
    "insee_dep",
    "lib_dep",
    "insee_com",
    "lib_com",
    "siren_epci",
]


@pytest.fixture(scope="module")
def qpv(demo: dict[str, Path]) -> gpd.GeoDataFrame:
    return gpd.read_file(demo["qpv"])


@pytest.fixture(scope="module")
def communes(demo: dict[str, Path]) -> gpd.GeoDataFrame:
    return gpd.read_file(demo["communes"], layer="commune")


def test_qpv_geojson_is_anct_shaped(demo: dict[str, Path]) -> None:
    doc = json.loads(demo["qpv"].read_text(encoding="utf-8"))
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert "FICTIVES" in doc["description"]
    props = [f["properties"] for f in doc["features"]]
    assert [list(p) for p in props] == [ANCT, ANCT]
    assert [p["code_qp"] for p in props] == ["QN00001A", "QN00001B"]
    assert all(p["insee_com"] == "00001" and p["siren_epci"] == "200000001" for p in props)
    assert all(p["insee_dep"] == "00" and "fictif" in p["lib_qp"] for p in props)
    assert {f["geometry"]["type"] for f in doc["features"]} == {"MultiPolygon"}


def test_qpv_lie_inside_ville_temoin(qpv: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> None:
    assert qpv.crs.to_epsg() == 4326
    town = communes.to_crs("EPSG:2154").set_index("code_insee").geometry["00001"]
    for geom in qpv.to_crs("EPSG:2154").geometry:
        assert town.buffer(1e-3).contains(geom)
        assert 150_000 < geom.area < 1_500_000  # 15–150 ha


def test_qpv_profiles_differ(demo: dict[str, Path], qpv: gpd.GeoDataFrame) -> None:
    cells = pd.read_csv(demo["filosofi"])
    boxes = gpd.GeoDataFrame(
        cells, geometry=cell_boxes(parse_cell_ids(cells["idcar_200m"])), crs="EPSG:3035"
    )
    stats = {}
    for code, geom in zip(qpv["code_qp"], qpv.to_crs("EPSG:3035").geometry, strict=True):
        w = boxes.geometry.intersection(geom).area / 40_000.0

        def ratio(num: str, den: str, w: pd.Series = w) -> float:
            return float((boxes[num] * w).sum() / (boxes[den] * w).sum())

        stats[code] = {
            "pop": float((boxes["ind"] * w).sum()),
            "poverty": ratio("men_pauv", "men"),
            "social": ratio("log_soc", "men"),
            "pre45": ratio("log_av45", "men"),
            "sixties": ratio("log_45_70", "men"),
            "old": float(
                ((boxes["ind_65_79"] + boxes["ind_80p"]) * w).sum() / (boxes["ind"] * w).sum()
            ),
            "m2": ratio("men_surf", "ind"),
            "snv": ratio("ind_snv", "ind"),
        }
    a, b = stats["QN00001A"], stats["QN00001B"]
    assert 3_000 < a["pop"] < 12_000 and 1_500 < b["pop"] < 8_000
    assert a["poverty"] > 0.35 and a["social"] > 0.8 and a["sixties"] > 0.8
    assert b["pre45"] > 0.6 and b["old"] > a["old"]
    assert a["snv"] < b["snv"] < 23_000


def test_communes_gpkg_is_admin_express_shaped(
    demo: dict[str, Path], communes: gpd.GeoDataFrame
) -> None:
    layers = dict(pyogrio.list_layers(demo["communes"]))
    assert {"commune", "epci"} <= set(layers)
    info = pyogrio.read_info(demo["communes"], layer="commune")
    assert info["geometry_name"] == "geometrie"
    assert info["geometry_type"] == "MultiPolygon"
    assert communes.crs.to_epsg() == 4326
    for col in [
        "code_insee",
        "nom_officiel",
        "code_insee_du_departement",
        "code_insee_de_la_region",
        "codes_siren_des_epci",
        "code_siren",
        "population",
    ]:
        assert col in communes.columns
    assert sorted(communes["code_insee"]) == ["00001", "00002", "00003", "00004"]
    assert set(communes["codes_siren_des_epci"]) == {"200000001"}
    assert set(communes["code_insee_du_departement"]) == {"00"}
    epci = gpd.read_file(demo["communes"], layer="epci")
    assert epci["code_siren"].tolist() == ["200000001"]
    assert "fictif" in epci["nom_officiel"].iloc[0]


def test_communes_tile_the_territory(demo: dict[str, Path], communes: gpd.GeoDataFrame) -> None:
    com = communes.to_crs("EPSG:2154")
    epci = gpd.read_file(demo["communes"], layer="epci").to_crs("EPSG:2154").geometry.iloc[0]
    total = com.area.sum()
    assert abs(com.union_all().area - total) / total < 1e-6  # no overlaps
    assert abs(epci.area - total) / total < 1e-4  # no gaps
    assert 100e6 < total < 400e6  # 100–400 km²


def test_lcz_shapefile_is_cerema_shaped(demo: dict[str, Path]) -> None:
    assert demo["lcz"].suffix == ".shp"
    for suffix in (".shx", ".dbf", ".prj", ".cpg"):
        assert demo["lcz"].with_suffix(suffix).is_file()
    lcz = gpd.read_file(demo["lcz"])
    assert lcz.crs.to_epsg() == 2154
    assert list(lcz.columns) == [
        "identifier",
        "hre",
        "are",
        "bur",
        "ror",
        "bsr",
        "war",
        "ver",
        "vhr",
        "lcz",
        "lcz_int",
        "geometry",
    ]
    codes = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "A", "B", "C", "D", "E", "F", "G"]
    assert (lcz["lcz"] == [codes[k - 1] for k in lcz["lcz_int"]]).all()
    for col in ["bur", "ror", "bsr", "war", "ver", "vhr"]:
        assert lcz[col].between(0, 100).all(), col
    assert (lcz[["bur", "ror", "bsr", "war", "ver"]].sum(axis=1) <= 100.5).all()
    assert lcz["identifier"].is_unique
    assert lcz.is_valid.all()


def test_lcz_follows_urban_form(demo: dict[str, Path], qpv: gpd.GeoDataFrame) -> None:
    lcz = gpd.read_file(demo["lcz"])
    q = qpv.to_crs("EPSG:2154").set_index("code_qp").geometry

    def dominant(geom: object) -> str:
        part = lcz[lcz.intersects(geom)].copy()
        part["a"] = part.intersection(geom).area
        return str(part.groupby("lcz")["a"].sum().idxmax())

    assert dominant(q["QN00001A"]) in {"4", "5"}  # open high- or mid-rise
    assert dominant(q["QN00001B"]) in {"2", "3"}  # compact mid- or low-rise
    present = set(lcz["lcz"])
    assert {"2", "6", "8", "A", "B", "D", "G"} <= present
