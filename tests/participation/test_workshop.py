from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import AgeBand, Category, Period, Status
from quartiers.participation.workshop import import_workshop, parse_workshop_csv, read_workshop_file

CSV_COMMA = """categorie,texte,lon,lat,code_qp,tranche_age,moment
trop_chaud,"Dalle brûlante, aucun banc à l'ombre",-1.43,46.67,,65_79,apres_midi
Lieu frais,Le hall de la médiathèque,-1.48,46.64,,,
Idée d'action,Des fontaines sur la place,,,QN08501I,18 à 29 ans,Soir
"""

CSV_SEMICOLON = (
    "categorie;texte;lon;lat\n"
    "besoin;Un lieu climatisé ouvert le dimanche;-1,43;46,67\n"
    ";;;\n"
    "RESSOURCE;La piscine municipale;-1,47;46,65\n"
)


def test_parse_comma_csv_with_ids_and_french_labels() -> None:
    rows = parse_workshop_csv(CSV_COMMA, territory="85191")
    assert [line for line, _ in rows] == [2, 3, 4]
    first, second, third = (item for _, item in rows)
    assert first.category is Category.TROP_CHAUD and first.age_band is AgeBand.A65_79
    assert first.period is Period.APRES_MIDI and first.text.startswith("Dalle brûlante, aucun")
    assert second.category is Category.FRAIS and second.lon == -1.48
    assert third.category is Category.IDEE and third.lon is None and third.code_qp == "QN08501I"
    assert third.age_band is AgeBand.A18_29 and third.period is Period.SOIR


def test_parse_semicolon_decimal_comma_and_blank_lines() -> None:
    rows = parse_workshop_csv(CSV_SEMICOLON, territory="85191")
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1].lon == -1.43 and rows[0][1].lat == 46.67
    assert rows[1][1].category is Category.RESSOURCE


def test_every_bad_row_is_reported_with_its_line() -> None:
    text = (
        "categorie,texte,lon,lat,code_qp,adresse\n"
        "canicule,Trop chaud,-1.43,46.67,,\n"
        "frais,ok,-1.43,46.67,,\n"
        "frais,Près de la mairie,,,,12 rue de la Mairie\n"
        "frais,Sans lieu du tout,,,,\n"
        "frais,Longitude bizarre,abc,46.67,,\n"
        "besoin,Bien,-1.43,46.67,,\n"
    )
    with pytest.raises(InputError) as caught:
        parse_workshop_csv(text, territory="85191", source="atelier.csv")
    message = str(caught.value)
    assert "atelier.csv : 5 ligne(s) invalide(s), rien n'est importé" in message
    assert "ligne 2 : categorie : « canicule » inconnu" in message
    assert "ligne 3 : texte : au moins 3 caractères" in message
    assert "ligne 4 : adresse non localisée" in message
    assert "ligne 5 : localisation" in message
    assert "ligne 6 : lon : nombre attendu" in message


def test_missing_columns_and_empty_file() -> None:
    with pytest.raises(InputError, match=r"colonne.*texte"):
        parse_workshop_csv("categorie,lon,lat\nfrais,1,2\n", territory="85191")
    with pytest.raises(InputError, match="aucune contribution"):
        parse_workshop_csv("categorie,texte,lon,lat\n", territory="85191")


def test_read_windows_1252_file(tmp_path: Path) -> None:
    path = tmp_path / "atelier.csv"
    path.write_bytes("categorie;texte;code_qp\nfrais;Église fraîche;QN08503I\n".encode("cp1252"))
    rows = read_workshop_file(path, territory="85191")
    assert rows[0][1].text == "Église fraîche"
    with pytest.raises(InputError, match="introuvable"):
        read_workshop_file(tmp_path / "absent.csv", territory="85191")


def test_import_checks_placement_then_writes_all(store: ContributionStore) -> None:
    rows = parse_workshop_csv(CSV_COMMA, territory="85191")
    assert import_workshop(store, rows, source="atelier.csv", dry_run=True) == []
    assert sum(store.counts(scope=None).values()) == 0
    ids = import_workshop(store, rows, source="/tmp/atelier.csv")
    assert len(ids) == 3
    third = store.get_for_moderation(ids[2], scope=None)
    assert third.located_by == "qpv" and third.source == "workshop"
    assert store.counts(scope=None)[Status.PENDING] == 3
    outside = parse_workshop_csv(
        "categorie,texte,lon,lat\nfrais,Au bord de la Seine,2.35,48.85\n", territory="85191"
    )
    with pytest.raises(InputError, match="ligne 2 : coordonnées"):
        import_workshop(store, rows + outside, source="atelier.csv")
    assert store.counts(scope=None)[Status.PENDING] == 3
