"""English details of parsers (GDAL, GEOS, libosmium, pyyaml, pydantic) reach users in French.

Each case makes the real library fail on a crafted file, so a library upgrade that changes
its wording makes these tests fail instead of letting English through (issue 15).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from quartiers.cli import main
from quartiers.errors import InputError
from quartiers.method.spec import parse_method
from quartiers.settings import get_settings
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.qpv import read_qpv

_ENGLISH = ("Failed", "not recognized", "error", "Unable", "Input should", "Value error", "found")


def _french_only(message: str) -> None:
    assert "\n" not in message
    for word in _ENGLISH:
        assert word not in message, message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [{"type": "Feature"',
         r"GeoJSON invalide ligne 1, caractère \d+ : accolade « { » non fermée \(fichier tronqué"),
        ('{"type": "FeatureCollection", "features": [1, 2, ]}',
         r"GeoJSON invalide ligne 1, caractère \d+ : valeur manquante \(virgule en trop \?\)"),
        ("", "format non reconnu : ni GeoPackage, ni shapefile, ni GeoJSON lisible"),
        ("code_qp;lib_qp\nQN08503I;Zola\n", "format non reconnu"),
    ],
)  # fmt: skip
def test_gdal_details_in_french(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "qpv.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_qpv(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : fichier illisible pour les périmètres QPV")
    assert re.search(expected, message), message
    _french_only(message)


def test_damaged_geopackage_and_missing_shx(tmp_path: Path) -> None:
    damaged = tmp_path / "qpv.gpkg"
    damaged.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    with pytest.raises(InputError) as caught:
        read_qpv(damaged)
    assert "n'est pas un GeoPackage (base SQLite) valide" in str(caught.value)
    _french_only(str(caught.value))
    shp = tmp_path / "qpv.shp"
    gpd.GeoDataFrame(
        {"code_qp": ["QN08503I"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:2154"
    ).to_file(shp)
    shp.with_suffix(".shx").unlink()
    with pytest.raises(InputError) as caught:
        read_qpv(shp)
    assert "fichier .shx absent à côté du .shp" in str(caught.value)
    _french_only(str(caught.value))


def test_unclosed_ring_is_a_french_geometry_error(tmp_path: Path) -> None:
    ring = [[-1.43, 46.67], [-1.42, 46.67], [-1.42, 46.68], [-1.43, 46.68]]
    feature = {
        "type": "Feature",
        "properties": {"code_qp": "QN08503I", "lib_qp": "Zola", "insee_com": "85191",
                       "siren_epci": "248500589"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }  # fmt: skip
    path = tmp_path / "qpv.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    with pytest.raises(InputError) as caught:
        read_qpv(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : géométrie illisible pour les périmètres QPV")
    assert "anneau de polygone non fermé" in message
    _french_only(message)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.osm", b'<osm version="0.6">\n<node id="1" lat="46.6" lon="-1.4">\n</osm>\n',
         "XML invalide ligne 3, colonne 3 : balise fermante qui ne correspond pas"),
        ("b.osm", b'<osm version="0.6"><node id="1" lat="1" lon="1"',
         "XML invalide ligne 1, colonne 20 : balise non fermée (fichier tronqué ?)"),
        ("c.osm", b'<foo/>', "élément racine inconnu : <osm> attendu"),
        ("d.osm", b'<osm version="0.6"><node id="1" lat="x" lon="1"/></osm>',
         "coordonnée d'un nœud mal écrite"),
        ("e.osm.pbf", b"\x7f" * 400, "PBF invalide : fichier tronqué"),
    ],
)  # fmt: skip
def test_osm_parser_details_in_french(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_osm_layers(path)
    message = str(caught.value)
    assert message.startswith(f"{path} : fichier OpenStreetMap illisible (")
    assert expected in message
    _french_only(message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\ndimensions: [a, b\n", "ligne 3, colonne 1 : « , » ou « ] » attendu"),
        ("version: 1\n\tdimensions: {}\n", "ligne 2, colonne 1 : caractère interdit"),
        ("version: 1\nname: x\n  titre: y\n", "ligne 3, colonne 8 : deux-points « : » inattendu"),
        ("version: 1\nitems:\n  - a: [\n", "ligne 4, colonne 1 : valeur attendue"),
        ("a: 1\n---\nb: 2\n", "ligne 2, colonne 1 : un seul document YAML attendu"),
    ],
)
def test_yaml_syntax_errors_give_line_and_column_in_french(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_method(text, source="methode.yaml")
    message = str(caught.value)
    assert message.startswith("methode.yaml : YAML illisible ")
    assert expected in message
    _french_only(message)


def test_settings_from_environment_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUARTIERS_HTTP_TIMEOUT_S", "abc")
    monkeypatch.setenv("QUARTIERS_HTTP_RETRIES", "100")
    with pytest.raises(InputError) as caught:
        get_settings()
    message = str(caught.value)
    assert message == (
        "réglage invalide : QUARTIERS_HTTP_TIMEOUT_S (variable d'environnement ou fichier "
        ".env) : nombre attendu (valeur reçue : 'abc') ; QUARTIERS_HTTP_RETRIES (variable "
        "d'environnement ou fichier .env) : valeur ≤ 20 attendue (valeur reçue : '100')"
    )
    monkeypatch.delenv("QUARTIERS_HTTP_TIMEOUT_S")
    monkeypatch.delenv("QUARTIERS_HTTP_RETRIES")
    with pytest.raises(InputError, match=r"^réglage invalide : --basemap-url : doit être une"):
        get_settings(basemap_url="ftp://tuiles")


def test_bad_setting_on_the_command_line_exits_1_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("QUARTIERS_OFFLINE=peut-etre\n", encoding="utf-8")
    code = main(["diagnose", "-t", "85191", "-o", str(tmp_path / "sortie")])
    err = capsys.readouterr().err
    assert code == 1
    assert "QUARTIERS_OFFLINE (variable d'environnement ou fichier .env) : booléen attendu" in err
    assert "Traceback" not in err and "Input should" not in err
    assert not (tmp_path / "sortie").exists()


def test_method_value_error_has_no_pydantic_prefix() -> None:
    text = "version: 1\ndimensions:\n  exposure: {weight: -1}\n"
    with pytest.raises(InputError) as caught:
        parse_method(text, source="methode.yaml")
    message = str(caught.value)
    assert message.startswith("methode.yaml : champ")
    _french_only(message)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda data: data[:300], "fichier Parquet endommagé ou tronqué"),
        (lambda data: b"", "fichier Parquet vide (0 octet)"),
    ],
)
def test_damaged_parquet_of_a_diagnostic_in_french(
    demo_run: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: Callable[[bytes], bytes],
    expected: str,
) -> None:
    diagnostic = tmp_path / "diagnostic"
    shutil.copytree(demo_run.out_dir, diagnostic)
    cells = diagnostic / "cells.parquet"
    cells.write_bytes(damage(cells.read_bytes()))
    code = main(["export", str(diagnostic), "-o", str(tmp_path / "export")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 1
    assert f"{cells} : {expected} : relancez le diagnostic (avec --force)" in err
    _french_only(err.removeprefix("Erreur : "))
    assert not (tmp_path / "export").exists()
