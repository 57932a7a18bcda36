"""The city's changes CSV: layout, French errors, openings and closings."""

from __future__ import annotations

from pathlib import Path

import pytest

from _access_fixtures import X0, Y0, point_places, to_lonlat
from quartiers.errors import InputError
from quartiers.sources.place_changes import (
    CHANGE_COLUMNS,
    apply_place_changes,
    read_place_changes,
)

LON, LAT = to_lonlat(X0 + 100, Y0 + 100)


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "lieux_ville.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_semicolons_commas_bom_and_decimal_commas(tmp_path: Path) -> None:
    text = (
        "\ufeffAction;Catégorie;Nom;Longitude;Latitude;place_id\n"
        f"Ouvrir;Salle rafraîchie;Salle des fêtes;{str(LON).replace('.', ',')};"
        f"{str(LAT).replace('.', ',')};\n"
        "fermer;frais_intérieur;Médiathèque;;;osm:w1\n"
    )
    table = read_place_changes(_write(tmp_path, text))
    assert list(table.columns) == CHANGE_COLUMNS
    assert table["action"].tolist() == ["open", "close"]
    assert table["category"].tolist() == ["cool_indoor", "cool_indoor"]
    assert table["kind"].tolist() == ["salle_rafraichie", ""]
    assert table["lon"].iloc[0] == pytest.approx(LON)
    assert table["line"].tolist() == [2, 3]
    comma = f'action,categorie,nom,lon,lat\nouvrir,eau_potable,"Fontaine, place",{LON},{LAT}\n'
    assert read_place_changes(_write(tmp_path, comma))["name"].iloc[0] == "Fontaine, place"
    latin = f"action;categorie;nom;lon;lat\nouvrir;soins;Pharmacie Hôtel-Dieu;{LON};{LAT}\n"
    assert read_place_changes(_write(tmp_path, latin, "cp1252"))["name"].iloc[0].endswith("Dieu")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("action;categorie;nom;lon;lat\nouvrir;piscinee;X;-2.1;47.6\n",
         r"champ categorie — 1 ligne\(s\) : catégorie absente ou inconnue — attendu .*eau_potable"),
        ("action;categorie;nom;lon;lat\nagrandir;soins;X;-2.1;47.6\n",
         r"champ action — 1 ligne\(s\) : action absente ou inconnue — attendu ouvrir ou fermer"),
        ("action;categorie;nom;lon;lat\n;soins;X;-2.1;47.6\n", r"champ action — 1 ligne"),
        ("action;categorie;nom;lon;lat\nouvrir;soins;X;abc;47.6\n",
         r"champ lon — 1 ligne\(s\) : valeur infinie ou non numérique"),
        ("action;categorie;nom;lon;lat\nouvrir;soins;X;-2.1;147.6\n",
         r"champ lat — 1 ligne\(s\) : valeur supérieure à 90 degrés \(latitude\) — attendu ≤ 90"),
        ("action;categorie;nom;lon;lat\nouvrir;soins;X;-2.1;\n", r"champ lat — .*lon sans lat"),
        ("action;categorie;nom;lon;lat\nouvrir;soins;X;;\n", "doit avoir ses coordonnées"),
        ("action;categorie;nom;lon;lat\nfermer;soins;X;;\n",
         r"champ place_id — 1 ligne\(s\) : .*place_id ou ses coordonnées"),
        ("action;categorie;nom\nouvrir;soins;X\n", "colonnes « lon » et « lat » absentes"),
        ("", "vide"),
    ],
)  # fmt: skip
def test_bad_rows_are_named_in_french(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        read_place_changes(_write(tmp_path, body))
    assert "lieux_ville.csv" in str(error.value)
    if body.count("\n") > 1 and "colonne" not in message:
        assert str(error.value).endswith("; première : ligne 2")


def test_errors_are_counted_and_the_first_named(tmp_path: Path) -> None:
    rows = "ouvrir;soins;X;-2.1;47.6\n" + "".join("ouvrir;inconnue;X;-2.1;47.6\n" for _ in range(8))
    rows += "fermer;soins;X;;\n"
    with pytest.raises(
        InputError,
        match=r"lieux_ville\.csv : champ Catégorie — 8 ligne\(s\) : catégorie .* ; première : "
        r"ligne 3 \(autres règles non respectées dans : place_id\)$",
    ):
        read_place_changes(_write(tmp_path, "action;Catégorie;nom;lon;lat\n" + rows))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="introuvable"):
        read_place_changes(tmp_path / "absent.csv")


def test_open_and_close(tmp_path: Path) -> None:
    places = point_places([(X0, Y0), (X0 + 100, Y0 + 100)], "care")
    lon0, lat0 = to_lonlat(X0 + 20, Y0 + 10)
    lon_new, lat_new = to_lonlat(X0 + 400, Y0)
    text = (
        "action;categorie;nom;lon;lat;place_id\n"
        f"fermer;soins;;{lon0};{lat0};\n"  # nearest pharmacy within 50 m: p0
        f"ouvrir;soins;Nouvelle pharmacie;{lon_new};{lat_new};\n"
        f"ouvrir;soins;Doublon;{LON};{LAT};\n"  # on top of p1: not added twice
        "fermer;soins;;;;p1\n"
    )
    changes = read_place_changes(_write(tmp_path, text))
    out = apply_place_changes(places, changes, source="lieux_ville.csv")
    assert out["place_id"].tolist() == ["ville:3"]
    assert out["source"].tolist() == ["city"]
    assert out.geometry.iloc[0].distance(point_places([(X0 + 400, Y0)]).geometry.iloc[0]) < 0.01


def test_bad_closings_and_points_outside_the_territory(tmp_path: Path) -> None:
    places = point_places([(X0, Y0)], "care")
    far_lon, far_lat = to_lonlat(X0 + 800, Y0)
    cases = [
        ("fermer;soins;;;;inconnu\n", "identifiant de lieu « inconnu » inconnu"),
        (f"fermer;soins;;{far_lon};{far_lat};\n", "aucun lieu de catégorie care à moins de 50 m"),
        (f"fermer;information;;{LON};{LAT};\n", "aucun lieu de catégorie information"),
        (f"ouvrir;soins;;{LAT};{LON};\n", "hors du territoire"),  # lon and lat swapped
    ]
    box = (X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)
    for row, message in cases:
        changes = read_place_changes(
            _write(tmp_path, "action;categorie;nom;lon;lat;place_id\n" + row)
        )
        with pytest.raises(InputError, match=message) as error:
            apply_place_changes(places, changes, source="lieux_ville.csv", bbox_2154=box)
        assert "lieux_ville.csv, ligne 2" in str(error.value)


def test_a_plain_list_of_cooled_rooms_opens_them(tmp_path: Path) -> None:
    text = f"nom;type;lon;lat;ouverture\nSalle du conseil;salle municipale;{LON};{LAT};9 h–17 h\n"
    table = read_place_changes(_write(tmp_path, text))
    assert table["action"].tolist() == ["open"]
    assert table["category"].tolist() == ["cool_indoor"]
    assert table["kind"].tolist() == ["salle_municipale"]
    assert table["name"].tolist() == ["Salle du conseil"]
