"""Value rules of the other readers: climate, QPV, communes, EPCI (issue 13, point 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.sources.climadiag import read_climadiag
from quartiers.sources.communes import read_communes, read_epci_communes, read_epci_table
from quartiers.sources.drias import read_drias_table
from quartiers.sources.qpv import read_qpv

CLIMADIAG_CSV = """\
nom,code_insee,icu,s3_ref,s3_2030,s3_2050,s3_2100,r2_ref,r2_2030
La Roche-sur-Yon,85191,2,0.8,6.95,11.55,20.15,26.5,28.1
Angers,49007,3,0.67,7.35,10.45,17.55,22.0,23.1
"""


def refusal(read: object, path: Path) -> str:
    with pytest.raises(InputError) as err:
        read(path)  # type: ignore[operator]
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# -- Climadiag --------------------------------------------------------------------------------


def test_climadiag_csv_negative_heat_wave_days(tmp_path: Path) -> None:
    path = tmp_path / "climadiag.csv"
    path.write_text(CLIMADIAG_CSV.replace("11.55", "-11.55"), encoding="utf-8")
    message = refusal(read_climadiag, path)
    assert "champ s3_2050 — 1 ligne(s) : valeur négative" in message
    assert "première : commune 85191" in message


def test_climadiag_csv_more_days_than_a_year(tmp_path: Path) -> None:
    path = tmp_path / "climadiag.csv"
    path.write_text(CLIMADIAG_CSV.replace("17.55", "400"), encoding="utf-8")
    message = refusal(read_climadiag, path)
    assert "champ s3_2100 — 1 ligne(s) : valeur supérieure à 366 jours" in message
    assert "commune 49007" in message


def test_climadiag_csv_other_indicators_may_be_negative_but_finite(tmp_path: Path) -> None:
    path = tmp_path / "climadiag.csv"
    path.write_text(CLIMADIAG_CSV.replace("22.0", "-2.0"), encoding="utf-8")
    assert len(read_climadiag(path)) == 2 * 7
    path.write_text(CLIMADIAG_CSV.replace("22.0", "inf"), encoding="utf-8")
    assert "champ r2_ref — 1 ligne(s) : valeur infinie" in refusal(read_climadiag, path)


def test_climadiag_csv_duplicated_commune(tmp_path: Path) -> None:
    path = tmp_path / "climadiag.csv"
    lines = CLIMADIAG_CSV.splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    message = refusal(read_climadiag, path)
    assert "champ code_insee — 1 ligne(s) : identifiant en double" in message
    assert "commune 85191" in message


def _entity(code: str, mean: float, low: float = 1.0, high: float = 30.0) -> dict[str, object]:
    stats = {"ref": 0.8, "min": low, "mean": mean, "max": high}
    return {
        "nom": "Commune",
        "identifiant_insee": code,
        "indicateurs": [{"id": "S3", "data": [[stats], [stats], [stats]]}],
    }


def _jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_climadiag_jsonl_negative_days(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "entities.jsonl", _entity("85191", 7.0), _entity("49007", -3.0))
    message = refusal(read_climadiag, path)
    assert "champ mean — 3 ligne(s) : valeur négative" in message
    assert "première : commune 49007 (indicateur S3, horizon 2030)" in message


def test_climadiag_jsonl_mean_above_max(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "entities.jsonl", _entity("85191", 12.0, 2.0, 10.0))
    message = refusal(read_climadiag, path)
    assert "champ mean — 3 ligne(s) : moyenne supérieure au maximum (mean > max)" in message


def test_climadiag_jsonl_duplicated_commune(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "entities.jsonl", _entity("85191", 7.0), _entity("85191", 8.0))
    message = refusal(read_climadiag, path)
    assert "identifiant en double" in message and "commune 85191" in message


# -- DRIAS ------------------------------------------------------------------------------------

DRIAS_POINTS = """\
city,point,lat,lon,dist_km,file,context,period,season,indicator,value
Angers,11909,47.4918,-0.5838,3.01,DRIAS_2020_8_5.txt,RCP8.5,H1,,NORTXHWD,15.2
Angers,11909,47.4918,-0.5838,3.01,DRIAS_2020_8_5.txt,RCP8.5,H1,,NORTAV,-1.5
Angers,11909,47.4918,-0.5838,3.01,DRIAS_2020_8_5.txt,RCP8.5,H1,,ATXHWD,-2.0
"""


def test_drias_negative_heat_wave_days(tmp_path: Path) -> None:
    path = tmp_path / "drias.csv"
    path.write_text(DRIAS_POINTS, encoding="utf-8")
    assert len(read_drias_table(path)) == 3  # a negative temperature or anomaly is possible
    path.write_text(DRIAS_POINTS.replace("NORTXHWD,15.2", "NORTXHWD,-15.2"), encoding="utf-8")
    message = refusal(read_drias_table, path)
    assert "champ value — 1 ligne(s) : valeur négative" in message
    assert "première : point point:11909 (indicateur NORTXHWD, RCP8.5 H1)" in message


def test_drias_impossible_latitude(tmp_path: Path) -> None:
    path = tmp_path / "drias.csv"
    path.write_text(DRIAS_POINTS.replace("47.4918", "147.4918"), encoding="utf-8")
    message = refusal(read_drias_table, path)
    assert "champ lat — 3 ligne(s) : valeur supérieure à 90 degrés" in message


def test_drias_departement_infinite_value(tmp_path: Path) -> None:
    path = tmp_path / "drias_dep.csv"
    path.write_text(
        "dataset,INSEE_DEP,NOM,indicator,value\n"
        "DRIAS_2020_8_5,85,Vendée,NORTR_H1,6.5\n"
        "DRIAS_2020_8_5,49,Maine-et-Loire,NORTR_H1,-inf\n",
        encoding="utf-8",
    )
    message = refusal(read_drias_table, path)
    assert "1 ligne(s) : valeur infinie" in message and "dep:49" in message


# -- QPV ----------------------------------------------------------------------------------------


def _qpv(path: Path, *features: tuple[str, list[list[float]]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code_qp": code,
                    "lib_qp": "Quartier",
                    "insee_com": "85191",
                    "siren_epci": "248500589",
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            for code, ring in features
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _square(lon: float, lat: float) -> list[list[float]]:
    return [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]


def test_qpv_duplicated_codes(tmp_path: Path) -> None:
    path = _qpv(
        tmp_path / "qpv.geojson",
        ("QN08503I", _square(-1.43, 46.67)),
        ("QN08502M", _square(-1.40, 46.67)),
        ("QN08503I", _square(-1.41, 46.66)),
    )
    message = refusal(read_qpv, path)
    assert "champ code_qp — 1 ligne(s) : identifiant en double" in message
    assert "première : QPV QN08503I" in message


def test_qpv_impossible_coordinates(tmp_path: Path) -> None:
    path = _qpv(
        tmp_path / "qpv.geojson",
        ("QN08503I", _square(-1.43, 46.67)),
        ("QN08502M", _square(-1.40, 90.5)),  # within check_crs's margin, off the globe
    )
    message = refusal(read_qpv, path)
    assert "champ géométrie (coordonnées) — 1 ligne(s)" in message
    assert "première : QPV QN08502M" in message


# -- communes and EPCI --------------------------------------------------------------------------


def _communes(path: Path, *rows: tuple[str, object]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "insee_com": code,
                    "nom": "Commune",
                    "population": population,
                    "siren_epci": "248500589",
                },
                "geometry": {"type": "Polygon", "coordinates": [_square(-1.4 + i / 10, 46.6)]},
            }
            for i, (code, population) in enumerate(rows)
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_commune_negative_population(tmp_path: Path) -> None:
    path = _communes(tmp_path / "communes.geojson", ("85191", 57_000), ("85008", -20))
    message = refusal(read_communes, path)
    assert "champ population — 1 ligne(s) : valeur négative" in message
    assert "première : commune 85008" in message


def test_commune_population_above_paris(tmp_path: Path) -> None:
    path = _communes(tmp_path / "communes.geojson", ("85191", 5.7e9), ("85008", 8_000))
    message = refusal(read_communes, path)
    assert "valeur supérieure à 3\u202f000\u202f000" in message and "commune 85191" in message


def test_commune_duplicated_code(tmp_path: Path) -> None:
    path = _communes(tmp_path / "communes.geojson", ("85191", 57_000), ("85191", 8_000))
    message = refusal(read_communes, path)
    assert "champ insee_com — 1 ligne(s) : identifiant en double" in message


def test_epci_tables_infinite_or_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "epci.csv"
    header = "code_departement;siren;nom;type;population\n"
    path.write_text(header + "85;248500589;La Roche;CA;inf\n", encoding="utf-8")
    message = refusal(read_epci_table, path)
    assert "champ population — 1 ligne(s) : valeur infinie" in message
    assert "première : EPCI 248500589" in message
    path.write_text(header + "85;248500589;A;CA;10\n85;248500589;B;CA;12\n", encoding="utf-8")
    assert "champ siren — 1 ligne(s) : identifiant en double" in refusal(read_epci_table, path)
    members = tmp_path / "membres.csv"
    members.write_text(
        "siren_epci;insee;siren;nom;population\n248500589;85191;218501914;La Roche;-57000\n",
        encoding="utf-8",
    )
    message = refusal(read_epci_communes, members)
    assert "champ population — 1 ligne(s) : valeur négative" in message
    assert "commune 85191" in message


# -- BPE and BD TOPO ----------------------------------------------------------------------------

BPE_HEADER = "AN;NOMRS;TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;EPSG;QUALITE_XY"
BPE_ROWS = [
    "2024;PHARMACIE DE LA GARE;D307;85191;360500.2;6627800.4;2154;A",
    "2024;MAIRIE;A129;85191;;;2154;_Z",
    "2024;PHARMACIE DU PORT;D307;97411;338000;7689000;2975;A",
]


def _bpe(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([BPE_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_bpe_infinite_coordinate(tmp_path: Path) -> None:
    from quartiers.sources.bpe import read_bpe

    assert len(read_bpe(_bpe(tmp_path / "BPE24.csv", BPE_ROWS))) == 2  # empty: dropped
    rows = [*BPE_ROWS[:2], BPE_ROWS[2].replace("338000", "-inf")]
    message = refusal(read_bpe, _bpe(tmp_path / "BPE24.csv", rows))
    assert "champ LAMBERT_X — 1 ligne(s) : valeur infinie" in message
    assert "première : équipement D307 (commune 97411)" in message


def test_bpe_coordinates_outside_their_crs(tmp_path: Path) -> None:
    from quartiers.sources.bpe import read_bpe

    rows = [*BPE_ROWS[:2], BPE_ROWS[2].replace("338000;7689000", "1e9;1e12")]
    message = refusal(read_bpe, _bpe(tmp_path / "BPE24.csv", rows))
    assert "1 ligne(s) : coordonnées hors du domaine du SCR déclaré" in message
    assert "équipement D307 (commune 97411)" in message


def _buildings(path: Path, heights: list[float], dwellings: list[float]) -> Path:
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {
            "ID": [f"BATIMENT{i:04d}" for i in range(len(heights))],
            "USAGE1": "Résidentiel",
            "HAUTEUR": heights,
            "NB_LOGTS": dwellings,
        },
        geometry=[
            shapely.box(640_000 + 30 * i, 6_360_000, 640_020 + 30 * i, 6_360_020)
            for i in range(len(heights))
        ],
        crs="EPSG:2154",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path)
    return path


def test_bdtopo_negative_height_and_dwellings(tmp_path: Path) -> None:
    from quartiers.sources.bdtopo import read_buildings

    ok = read_buildings(_buildings(tmp_path / "BATIMENT.shp", [9.5, 0.0, 12.0], [4, 0, 10]))
    assert ok["height_m"].isna().tolist() == [False, True, False]
    path = _buildings(tmp_path / "neg" / "BATIMENT.shp", [9.5, -3.0, 12.0], [4, 0, 10])
    message = refusal(read_buildings, path)
    assert "champ HAUTEUR — 1 ligne(s) : valeur négative" in message
    assert "première : bâtiment BATIMENT0001" in message
    path = _buildings(tmp_path / "tall" / "BATIMENT.shp", [9.5, 3.0, 1500.0], [4, -2, 10])
    message = refusal(read_buildings, path)
    assert "champ HAUTEUR — 1 ligne(s) : valeur supérieure à 1\u202f000 m" in message
    assert "bâtiment BATIMENT0002" in message
    assert "autres règles non respectées dans : NB_LOGTS" in message


# -- Géorisques (saved CatNat answers) ------------------------------------------------------------


def _decree(code: str, start: str, end: str, insee: str = "85191") -> dict[str, str]:
    return {
        "code_national_catnat": code,
        "date_debut_evt": start,
        "date_fin_evt": end,
        "date_publication_arrete": "02/05/2023",
        "date_publication_jo": "",
        "libelle_risque_jo": "Sécheresse",
        "code_insee": insee,
    }


def test_catnat_dates(tmp_path: Path) -> None:
    from quartiers.sources.georisques import read_catnat

    path = tmp_path / "catnat.json"
    good = [
        _decree("INTE2301A", "01/06/2022", "30/09/2022"),
        _decree("INTE2302A", "2022-01-01", ""),
    ]
    path.write_text(json.dumps({"data": good}), encoding="utf-8")
    assert len(read_catnat(path)) == 2
    bad = [*good, _decree("INTE2303A", "30/09/2022", "01/06/2022")]
    path.write_text(json.dumps({"data": bad}), encoding="utf-8")
    message = refusal(read_catnat, path)
    assert "champ date_debut_evt — 1 ligne(s) : événement qui finit avant de commencer" in message
    assert "première : arrêté INTE2303A (commune 85191)" in message
    bad = [*good, _decree("INTE2304A", "31/02/2022", "01/06/2022", insee="8519")]
    path.write_text(json.dumps({"data": bad}), encoding="utf-8")
    message = refusal(read_catnat, path)
    assert "champ insee_com — 1 ligne(s) : code commune INSEE mal formé" in message
    assert "autres règles non respectées dans : date_debut_evt" in message
