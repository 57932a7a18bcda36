"""Demo BPE (INSEE CSV), Climadiag (entities.jsonl) and the city's cool-room list."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

USED = [
    "TYPEQU",
    "DEPCOM",
    "DEP",
    "NOMRS",
    "LIBCOM",
    "AN",
    "LONGITUDE",
    "LATITUDE",
    "LAMBERT_X",
    "LAMBERT_Y",
    "EPSG",
    "QUALITE_XY",
    "QUALITE_GEOLOC",
    "TR_DIST_PRECISION",
]


@pytest.fixture(scope="module")
def bpe(demo: dict[str, Path]) -> pd.DataFrame:
    return pd.read_csv(demo["bpe"], sep=";", dtype=str, keep_default_na=False)


def test_bpe_layout(bpe: pd.DataFrame) -> None:
    for col in USED:
        assert col in bpe.columns, col
    assert (bpe["AN"] == "2024").all() and (bpe["EPSG"] == "2154").all()
    assert set(bpe["DEPCOM"]) == {"00001", "00002", "00003", "00004"}
    assert (bpe["DEP"] == "00").all()
    assert set(bpe["QUALITE_XY"]) <= {"A", "B", "M"}
    assert set(bpe["TR_DIST_PRECISION"]) <= {"< 100", "[100 - 500[", ">= 500"}
    assert set(bpe["QP2024"]) <= {"QN00001A", "QN00001B", "HZ", "CSZ"}


def test_bpe_has_the_facilities_the_method_needs(bpe: pd.DataFrame) -> None:
    counts = bpe["TYPEQU"].value_counts()
    for code in [
        "D307",
        "D265",
        "D101",
        "F307",
        "F101",
        "A129",
        "A128",
        "F303",
        "C107",
        "C108",
        "C201",
        "D502",
    ]:
        assert counts.get(code, 0) >= 1, code
    assert counts["D307"] >= 12  # pharmacies for ~75,000 people
    assert counts["D265"] >= 30  # one row per general practitioner
    town = bpe[bpe["DEPCOM"] == "00001"]
    assert (town["TYPEQU"] == "D307").sum() >= 10


def test_bpe_coordinates_agree(bpe: pd.DataFrame) -> None:
    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    x, y = to_l93.transform(bpe["LONGITUDE"].astype(float), bpe["LATITUDE"].astype(float))
    np.testing.assert_allclose(x, bpe["LAMBERT_X"].astype(float), atol=0.2)
    np.testing.assert_allclose(y, bpe["LAMBERT_Y"].astype(float), atol=0.2)
    assert x.min() > 370_000 and x.max() < 390_000
    assert y.min() > 6_640_000 and y.max() < 6_660_000


def test_bpe_points_lie_in_their_commune(demo: dict[str, Path], bpe: pd.DataFrame) -> None:
    communes = gpd.read_file(demo["communes"], layer="commune").to_crs("EPSG:2154")
    pts = gpd.GeoDataFrame(
        bpe,
        geometry=gpd.points_from_xy(bpe["LAMBERT_X"].astype(float), bpe["LAMBERT_Y"].astype(float)),
        crs="EPSG:2154",
    )
    joined = gpd.sjoin(pts[pts["QUALITE_XY"] == "B"], communes, predicate="within")
    assert (joined["DEPCOM"] == joined["code_insee"]).mean() > 0.97


def test_climadiag_records(demo: dict[str, Path]) -> None:
    lines = demo["climadiag"].read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["identifiant_insee"] for r in records] == ["00001", "00002", "00003", "00004"]
    for r in records:
        assert list(r) == [
            "nom",
            "identifiant_insee",
            "code_recherche",
            "identifiant_epci_parent",
            "population",
            "indicateurs",
        ]
        assert r["identifiant_epci_parent"] == "200000001"
        ids = {i["id"] for i in r["indicateurs"]}
        assert {"S1", "S2", "S3", "S4"} <= ids
        for ind in r["indicateurs"]:
            assert len(ind["data"]) == 3
            for h in ind["data"]:
                v = h[0]
                assert set(v) == {"ref", "min", "mean", "max"}
                assert v["min"] <= v["mean"] <= v["max"]
        by_id = {i["id"]: [h[0]["mean"] for h in i["data"]] for i in r["indicateurs"]}
        for heat in ("S1", "S2", "S3"):
            assert by_id[heat] == sorted(by_id[heat]), heat  # hotter with warming
        assert by_id["S4"] == sorted(by_id["S4"], reverse=True)
        assert 12 < by_id["S3"][2] < 30  # heat-wave days at +4 °C, western France
    town = records[0]
    assert town["nom"] == "Ville-Témoin" and town["code_recherche"] == "00100"


def test_cool_rooms_list(demo: dict[str, Path]) -> None:
    header = demo["places"].read_text(encoding="utf-8").splitlines()[0]
    assert header == "nom;type;lon;lat;ouverture"
    places = pd.read_csv(demo["places"], sep=";")
    assert len(places) >= 5
    assert places["lon"].between(-1.4, -1.0).all() and places["lat"].between(46.75, 47.0).all()
    assert places["ouverture"].str.len().gt(5).all()
