"""Addresses resolved against the territory's own OpenStreetMap addresses (offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _access_fixtures import X0, Y0, osm_xml, to_lonlat
from quartiers.errors import InputError
from quartiers.participation.workshop import parse_workshop_csv
from quartiers.sources.addresses import AddressIndex, parse_address, read_osm_addresses


def _lilas(number: str) -> dict[str, str]:
    return {"addr:housenumber": number, "addr:street": "Rue des Lilas"}


# Address nodes along « Rue des Lilas » (even side north), and an addressed building.
_NODES = [
    (1, *to_lonlat(X0 + 0, Y0 + 10), _lilas("2")),
    (2, *to_lonlat(X0 + 40, Y0 + 10), _lilas("4")),
    (3, *to_lonlat(X0 + 80, Y0 + 10), _lilas("8")),
    (4, *to_lonlat(X0 + 0, Y0 - 10), _lilas("1")),
    (5, *to_lonlat(X0 + 40, Y0 - 10), _lilas("3 bis")),
    (10, *to_lonlat(X0 + 200, Y0 + 200), {}),
    (11, *to_lonlat(X0 + 220, Y0 + 200), {}),
    (12, *to_lonlat(X0 + 220, Y0 + 220), {}),
    (13, *to_lonlat(X0 + 200, Y0 + 220), {}),
]
_WAYS = [
    (
        100,
        [10, 11, 12, 13, 10],
        {"building": "apartments", "addr:housenumber": "12", "addr:street": "Avenue Jean-Jaurès"},
    )
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> AddressIndex:
    path = tmp_path_factory.mktemp("adresses") / "ville.osm"
    path.write_text(osm_xml(_NODES, _WAYS), encoding="utf-8")
    table = read_osm_addresses(path)
    assert len(table) == 6
    return AddressIndex(table)


def test_parse_french_addresses() -> None:
    assert parse_address("12 bis, av. Jean-Jaurès, 85000 La Roche-sur-Yon") == (
        12,
        "bis",
        "avenue jean jaures",
    )
    assert parse_address("Place du Marché") == (None, "", "place du marche")


def test_exact_address_and_building_centroid(index: AddressIndex) -> None:
    found = index.resolve("4, rue des lilas")
    assert found.exact and found.matched == "4 Rue des Lilas"
    assert (found.lon, found.lat) == pytest.approx(to_lonlat(X0 + 40, Y0 + 10))
    building = index.resolve("12 AV JEAN JAURES")
    assert building.exact
    lon, lat = to_lonlat(X0 + 210, Y0 + 210)
    assert building.lon == pytest.approx(lon, abs=2e-4)
    assert building.lat == pytest.approx(lat, abs=2e-4)
    assert index.resolve("3 bis r. des Lilas").matched == "3 bis Rue des Lilas"


def test_missing_number_takes_nearest_on_the_same_side(index: AddressIndex) -> None:
    found = index.resolve("6 rue des Lilas")
    assert not found.exact
    assert found.matched in {"4 Rue des Lilas", "8 Rue des Lilas"}  # even side only
    assert index.resolve("5 rue des Lilas").matched == "3 bis Rue des Lilas"


def test_unknown_street_or_number_is_a_french_error(index: AddressIndex) -> None:
    with pytest.raises(ValueError, match="voie introuvable"):
        index.resolve("12 rue Inconnue")
    with pytest.raises(ValueError, match="numéro absent"):
        index.resolve("rue des Lilas")


def test_workshop_notes_placed_by_their_address(index: AddressIndex) -> None:
    text = (
        "categorie;texte;adresse;lon;lat\n"
        "trop_chaud;Le hall est étouffant;8 rue des Lilas;;\n"
        "frais;Lon/lat l'emportent;4 rue des Lilas;-1,5;47,5\n"
    )
    rows = parse_workshop_csv(text, territory="85191", addresses=index)
    first, second = rows[0][1], rows[1][1]
    assert (first.lon, first.lat) == pytest.approx(to_lonlat(X0 + 80, Y0 + 10))
    assert (second.lon, second.lat) == (-1.5, 47.5)
    with pytest.raises(InputError, match="ligne 2 : adresse « 9 rue Nulle part »"):
        parse_workshop_csv(
            "categorie,texte,adresse\nfrais,Ombre,9 rue Nulle part\n",
            territory="85191",
            addresses=index,
        )


def test_missing_osm_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="introuvable"):
        read_osm_addresses(tmp_path / "absent.osm")
