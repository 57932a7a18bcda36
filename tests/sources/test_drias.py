"""DRIAS reader: real extracts, the text export layout, horizon mapping, bad files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.schemas import CLIMATE_COLUMNS
from quartiers.sources.drias import DRIAS_RAW_COLUMNS, read_drias, read_drias_table

TEXT_EXPORT = """\
# Indicateurs DRIAS 2020 - modèle CNRM-CM5 / ALADIN63
# Format des lignes : Point;Latitude;Longitude;Contexte;Période;NORTXHWD;NORTR;
# Point;Latitude;Longitude;Contexte;Période;NORTXHWD;NORTR;
11909;47.4918;-0.5838;RCP8.5;H1;15.2;6.1;
11909;47.4918;-0.5838;RCP8.5;H2;29.6;13.0;
11909;47.4918;-0.5838;RCP8.5;H3;69.8;38.4;
11909;47.4918;-0.5838;RCP4.5;H1;12.0;5.0;
12000;46.67;-1.43;RCP8.5;H1;13.6;4.9;
"""
REFERENCE = """\
# Point;Latitude;Longitude;Contexte;Période;NORTXHWD;NORTR
11909;47.4918;-0.5838;REFERENCE;REF;6.0;2.2
"""


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"insee_com": ["49007", "85191"]},
        geometry=[shapely.Point(-0.55, 47.47), shapely.Point(-1.42, 46.67)],
        crs="EPSG:4326",
    )


def test_text_export(tmp_path: Path) -> None:
    path = tmp_path / "DRIAS_2020_8_5.txt"
    path.write_text(TEXT_EXPORT, encoding="utf-8")
    raw = read_drias_table(path)
    assert list(raw.columns) == DRIAS_RAW_COLUMNS
    assert set(raw["indicator"]) == {"NORTXHWD", "NORTR"}
    table = read_drias(path, communes=_communes())
    assert list(table.columns) == CLIMATE_COLUMNS
    hwd = table[table["indicator"] == "NORTXHWD"].set_index(["insee_com", "horizon"])["value"]
    assert hwd[("49007", "2050")] == 29.6 and hwd[("49007", "2100")] == 69.8
    assert hwd[("85191", "2030")] == 13.6  # nearest point
    assert (table["source"] == "drias:RCP8.5").all()
    assert read_drias(path, scenario="RCP4.5", communes=_communes())["value"].tolist()[:1] == [12.0]


def test_reference_file_and_no_communes(tmp_path: Path) -> None:
    path = tmp_path / "DRIAS_2020_REFERENCE.txt"
    path.write_text(REFERENCE, encoding="utf-8")
    table = read_drias(path)
    assert set(table["horizon"]) == {"ref"}
    assert (table["insee_com"] == "").all() and set(table["location"]) == {"point:11909"}


def test_real_departement_extract(shared_data: Path) -> None:
    path = shared_data / "climate" / "drias2020_departements_all_scenarios.csv"
    communes = _communes()
    table = read_drias(path, communes=communes)
    hwd = table[table["indicator"] == "NORTXHWD"].set_index(["insee_com", "horizon"])["value"]
    # Maine-et-Loire, RCP8.5: heat-wave days rise from ~6 to ~70 a year.
    assert hwd[("49007", "ref")] == pytest.approx(6.03, abs=0.01)
    assert hwd[("49007", "2100")] == pytest.approx(69.80, abs=0.01)
    assert hwd[("49007", "2030")] < hwd[("49007", "2050")] < hwd[("49007", "2100")]
    assert hwd[("85191", "2100")] == pytest.approx(63.32, abs=0.01)


def test_real_point_extract(shared_data: Path) -> None:
    path = shared_data / "climate" / "drias2020_safran_nearest_4communes.csv"
    raw = read_drias_table(path)
    assert {"REF", "RCP2.6", "RCP4.5", "RCP8.5"} == set(raw["scenario"])
    table = read_drias(path, scenario="RCP4.5", communes=_communes())
    tr = table[table["indicator"] == "NORTR"].set_index(["insee_com", "horizon"])["value"]
    assert tr[("49007", "2030")] > tr[("49007", "ref")]


def test_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("# rien\n1;2;3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.txt : ligne d'en-tête « Point;Latitude"):
        read_drias(path)
    path.write_text(
        "# Point;Latitude;Longitude;Contexte;Période;NORTR\n1;47;-1;RCP8.5;H1\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="5 valeurs par ligne pour 6 champs"):
        read_drias(path)
    path.write_text(TEXT_EXPORT, encoding="utf-8")
    with pytest.raises(InputError, match=r"aucune valeur annuelle pour le scénario RCP2.6"):
        read_drias(path, scenario="RCP2.6")
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="en-tête non reconnu"):
        read_drias(path)
