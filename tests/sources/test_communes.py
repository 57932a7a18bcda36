"""Communes and EPCI readers: ADMIN EXPRESS 4.0 / 3.x, project GeoJSON, INSEE EPCI tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.schemas import COMMUNE_COLUMNS
from quartiers.sources.communes import (
    EPCI_COLUMNS,
    EPCI_COMMUNE_COLUMNS,
    first_siren,
    read_commune_table,
    read_communes,
    read_epci_communes,
    read_epci_table,
)


def _admin_express_4(path: Path) -> Path:
    """Write a GeoPackage shaped like ADMIN EXPRESS COG 4.0 (layer commune, WGS84)."""
    frame = gpd.GeoDataFrame(
        {
            "code_insee": ["85191", "2A004", "01053"],
            "nom_officiel": ["La Roche-sur-Yon", "Ajaccio", "Bourg-en-Bresse"],
            "code_insee_du_departement": ["85", "2A", "01"],
            "codes_siren_des_epci": ["248500589", "200066744/NR", "NR"],
            "code_siren": ["218501914", "212000046", "210100533"],
            "population": [57683, 71361, 41365],
        },
        geometry=[
            shapely.box(-1.45, 46.65, -1.40, 46.70),
            shapely.box(8.70, 41.90, 8.75, 41.95),
            shapely.box(5.20, 46.19, 5.25, 46.22),
        ],
        crs="EPSG:4326",
    ).rename_geometry("geometrie")
    frame.to_file(path, layer="commune", engine="pyogrio")
    frame.iloc[:1].to_file(path, layer="departement", engine="pyogrio")
    return path


def test_project_geojson_66_communes(shared_data: Path) -> None:
    communes = read_communes(shared_data / "admin" / "communes_4epci.geojson")
    assert list(communes.columns) == COMMUNE_COLUMNS
    assert len(communes) == 66
    assert communes.crs.to_epsg() == 2154
    assert communes["siren_epci"].value_counts().to_dict() == {
        "244900015": 29,
        "200068120": 14,
        "248500589": 13,
        "244400644": 10,
    }
    assert communes["population"].dtype == "int64"
    assert communes.set_index("insee_com").loc["85191", "population"] > 50_000


def test_codes_filter_reads_only_those(shared_data: Path) -> None:
    communes = read_communes(
        shared_data / "admin" / "communes_4epci.geojson", codes=["49007", "85191"]
    )
    assert sorted(communes["insee_com"]) == ["49007", "85191"]


def test_bdtopo_commune_shapefile(shared_data: Path) -> None:
    communes = read_communes(shared_data / "bdtopo" / "COMMUNE.shp")
    assert communes.loc[0, ["insee_com", "nom", "siren_epci"]].tolist() == [
        "12174",
        "Olemps",
        "241200187",
    ]
    assert communes.loc[0, "population"] == 3439


def test_admin_express_4_geopackage(tmp_path: Path) -> None:
    path = _admin_express_4(tmp_path / "ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01.gpkg")
    communes = read_communes(path)
    assert communes["insee_com"].tolist() == ["85191", "2A004", "01053"]
    assert communes["siren_epci"].tolist() == ["248500589", "200066744", ""]
    assert communes.crs.to_epsg() == 2154
    assert read_communes(path, codes=["2A004"])["nom"].tolist() == ["Ajaccio"]
    table = read_commune_table(path)
    assert "geometry" not in table.columns and len(table) == 3


def test_admin_express_3_shapefile_with_integer_codes(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "INSEE_COM": [1053],
            "NOM": ["Bourg-en-Bresse"],
            "POPULATION": [41365],
            "SIREN_EPCI": ["200071751"],
        },
        geometry=[shapely.box(870_000, 6_570_000, 875_000, 6_575_000)],
        crs="EPSG:2154",
    )
    frame.to_file(tmp_path / "COMMUNE.shp")
    communes = read_communes(tmp_path / "COMMUNE.shp")
    assert communes.loc[0, "insee_com"] == "01053"  # leading zero restored


def test_geopackage_without_commune_layer(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 45, 1, 46)], crs="EPSG:4326")
    frame.to_file(tmp_path / "x.gpkg", layer="epci")
    frame.to_file(tmp_path / "x.gpkg", layer="region")
    with pytest.raises(InputError, match=r"x\.gpkg : pas de couche « commune »"):
        read_communes(tmp_path / "x.gpkg")


def test_missing_population_field(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"insee_com": ["85191"], "nom": ["X"], "siren_epci": ["248500589"]},
        geometry=[shapely.box(-1.45, 46.65, -1.40, 46.70)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "c.geojson")
    with pytest.raises(InputError, match=r"c\.geojson : champ\(s\) manquant\(s\) population"):
        read_communes(tmp_path / "c.geojson")


def test_first_siren() -> None:
    assert first_siren("200066744/NR") == "200066744"
    assert first_siren("NR") == ""
    assert first_siren("") == ""


def test_real_epci_tables(shared_data: Path) -> None:
    epci = read_epci_table(shared_data / "admin" / "epci_2026.csv")
    assert list(epci.columns) == EPCI_COLUMNS
    assert len(epci) == 1253
    row = epci.set_index("siren_epci").loc["248500589"]
    assert row["nom"] == "CA La Roche-sur-Yon - Agglomération"
    assert row["population"] == 103_252
    members = read_epci_communes(shared_data / "admin" / "epci_commune_2026.csv")
    assert list(members.columns) == EPCI_COMMUNE_COLUMNS
    mine = members[members["siren_epci"] == "248500589"]
    assert len(mine) == 13 and "85191" in set(mine["insee_com"])
    assert members["insee_com"].str.len().eq(5).all()


def test_epci_table_thin_spaces_bom_crlf_and_cp1252(tmp_path: Path) -> None:
    text = (
        "code_departement;siren;nom;type;population\r\n"
        "85;248500589;CA La Roche-sur-Yon - Agglomération;CA;103\u202f252\r\n"
    )
    (tmp_path / "utf8.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_epci_table(tmp_path / "utf8.csv")["population"].tolist() == [103_252]
    (tmp_path / "ansi.csv").write_bytes(text.replace("\u202f", "\u00a0").encode("cp1252"))
    table = read_epci_table(tmp_path / "ansi.csv")
    assert table["nom"].tolist() == ["CA La Roche-sur-Yon - Agglomération"]
    assert table["population"].tolist() == [103_252]


def test_epci_table_comma_separated_is_refused(tmp_path: Path) -> None:
    (tmp_path / "virgules.csv").write_text(
        "code_departement,siren,nom,type,population\n85,248500589,X,CA,1\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"virgules\.csv : séparateur « , ».*attendu « ; »"):
        read_epci_table(tmp_path / "virgules.csv")
