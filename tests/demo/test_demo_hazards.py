"""The demo's hazard files: official layouts, every scenario, read back by the real readers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyogrio

from quartiers.sources.clay import read_clay
from quartiers.sources.flood import read_tri


def test_tri_archive_holds_every_scenario(demo: dict[str, Path]) -> None:
    names = zipfile.ZipFile(demo["tri"]).namelist()
    shapefiles = sorted(n for n in names if n.endswith(".shp"))
    assert shapefiles == [
        "n_tri_vtem_inondable_01_01for_s_000.shp",
        "n_tri_vtem_inondable_01_02moy_s_000.shp",
        "n_tri_vtem_inondable_01_04fai_s_000.shp",
        "n_tri_vtem_inondable_03_02moy_s_000.shp",
        "n_tri_vtem_inondable_03_03mcc_s_000.shp",
        "n_tri_vtem_inondable_03_04fai_s_000.shp",
    ]
    zones = read_tri(demo["tri"])
    got = set(zip(zones["hazard"], zones["scenario"], strict=True))
    assert got == {
        ("inondation", "frequent"), ("inondation", "moyen"), ("inondation", "extreme"),
        ("submersion", "moyen"), ("submersion", "moyen_cc"), ("submersion", "extreme"),
    }  # fmt: skip
    # wider scenario, wider zone
    area = zones.assign(a=zones.area).groupby(["hazard", "scenario"])["a"].sum()
    assert area["inondation", "frequent"] < area["inondation", "moyen"]
    assert area["inondation", "moyen"] < area["inondation", "extreme"]
    assert area["submersion", "moyen"] < area["submersion", "moyen_cc"]


def test_tri_dbf_has_the_published_field_types(demo: dict[str, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(demo["tri"]) as zf:
        zf.extractall(tmp_path)
    info = pyogrio.read_info(tmp_path / "n_tri_vtem_inondable_01_02moy_s_000.shp")
    fields = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert list(fields) == [
        "uuid", "id", "id_s_inond", "typ_inond", "typ_inond2", "scenario", "datentree",
        "datsortie", "cours_deau", "est_ref", "id_tri",
    ]  # fmt: skip
    assert fields["datentree"] == "datetime64[D]" and fields["id"] == "int32"
    assert info["crs"] == "EPSG:2154"


def test_clay_layer_has_three_disjoint_levels(demo: dict[str, Path]) -> None:
    assert pyogrio.read_info(demo["argiles"])["fields"].tolist() == ["DPT", "NIVEAU", "ALEA"]
    zones = read_clay(demo["argiles"])
    assert sorted(zones["level"]) == [1, 2, 3]
    geoms = zones.geometry.to_numpy()
    assert all(
        geoms[i].intersection(geoms[j]).area < 1.0 for i in range(3) for j in range(i + 1, 3)
    )


def test_dpe_export_is_read_back(demo: dict[str, Path]) -> None:
    from quartiers.demo._dpe import DPE_COLUMNS
    from quartiers.sources.dpe import read_dpe

    raw = demo["dpe"].read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"numero_dpe","date_etablissement_dpe"')
    assert raw.split(b"\n", 1)[0].decode("utf-8-sig").replace('"', "").split(",") == DPE_COLUMNS
    table = read_dpe(demo["dpe"])
    rows = raw.count(b"\n") - 1
    assert 0.9 * rows < len(table) < rows  # replaced and ungeocoded certificates dropped
    assert set(table["building_type"]) == {"appartement", "maison", "immeuble"}
    filled = (table["summer_comfort"] != "").mean()
    assert 0.55 < filled < 0.7
    assert {"F", "G"} <= set(table["energy_class"])
    assert {"Électricité", "Fioul domestique"} <= set(table["heating"])
