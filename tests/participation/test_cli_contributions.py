from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from quartiers.cli import main
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import Status

from .helpers import PASSWORD, TERRITORIES, cheap_passwords

WORKSHOP = """categorie;texte;lon;lat;code_qp;tranche_age
trop_chaud;Cour d'école sans ombre;-1,43;46,67;;moins_18
frais;=HYPERLINK("http://x");-1,48;46,64;;
idee;Brumisateurs devant la poste;;;QN08503I;
"""


@pytest.fixture
def geo_files(tmp_path: Path) -> tuple[Path, Path]:
    perimeter = tmp_path / "communes.geojson"
    gpd.GeoDataFrame(
        {"insee_com": ["85191"]}, geometry=[box(-1.50, 46.62, -1.36, 46.72)], crs=4326
    ).to_file(perimeter, driver="GeoJSON")
    qpv = tmp_path / "qpv.geojson"
    gpd.GeoDataFrame(
        {"code_qp": ["QN08503I"]}, geometry=[box(-1.44, 46.66, -1.42, 46.68)], crs=4326
    ).to_file(qpv, driver="GeoJSON")
    return perimeter, qpv


def _run(*args: str) -> int:
    return main(list(args))


def test_moderator_add_from_stdin(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = _run(
        "contributions",
        "moderator",
        "add",
        "Alice",
        "--territory",
        "85191",
        "--territory",
        "49007",
        "--role",
        "admin",
        "--password-stdin",
        "--database",
        db_url,
    )
    assert code == 0 and "« alice » créé (admin : 49007, 85191)" in capsys.readouterr().err
    store = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        identity = store.accounts.authenticate("alice", PASSWORD, client=None)
        assert identity is not None and identity.is_admin("49007")
    finally:
        store.close()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    again = _run(
        "contributions",
        "moderator",
        "add",
        "alice",
        "--territory",
        "85191",
        "--password-stdin",
        "--database",
        db_url,
    )
    assert again == 1 and "existe déjà" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    weak = _run(
        "contributions",
        "moderator",
        "add",
        "bob",
        "--territory",
        "85191",
        "--password-stdin",
        "--database",
        db_url,
    )
    assert weak == 1 and "au moins 12" in capsys.readouterr().err


def test_import_then_export_published_only(
    db_url: str, tmp_path: Path, geo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    perimeter, qpv = geo_files
    sheet = tmp_path / "atelier.csv"
    sheet.write_text(WORKSHOP, encoding="utf-8")
    common = [
        "--territory",
        "85191",
        "--perimeter",
        str(perimeter),
        "--qpv",
        str(qpv),
        "--database",
        db_url,
    ]
    assert _run("contributions", "import", str(sheet), *common, "--dry-run") == 0
    assert "3 contribution(s) valides" in capsys.readouterr().out
    assert _run("contributions", "import", str(sheet), *common) == 0
    assert "3 contribution(s) importée(s)" in capsys.readouterr().out

    store = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        items = store.list_for_moderation(scope=None).items
        assert [i.located_by for i in items] == ["point", "point", "qpv"]
        for item in items[:2]:
            store.moderate(item.id, Status.PUBLISHED, actor="test", scope=None)
    finally:
        store.close()

    out_csv, out_geo = tmp_path / "export.csv", tmp_path / "export.geojson"
    assert _run("contributions", "export", "--out", str(out_csv), "--database", db_url) == 0
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert [r["text"] for r in rows] == ["Cour d'école sans ombre", '\'=HYPERLINK("http://x")']
    assert rows[0]["code_qp"] == "QN08503I" and rows[0]["age_band"] == "moins_18"
    assert "email" not in rows[0] and "status" not in rows[0]
    assert _run("contributions", "export", "--out", str(out_geo), "--database", db_url) == 0
    collection = json.loads(out_geo.read_text(encoding="utf-8"))
    assert len(collection["features"]) == 2
    assert (
        _run("contributions", "export", "--out", str(tmp_path / "x.xlsx"), "--database", db_url)
        == 1
    )


def test_import_reports_bad_rows_and_writes_nothing(
    db_url: str, tmp_path: Path, geo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    perimeter, _ = geo_files
    sheet = tmp_path / "atelier.csv"
    sheet.write_text(
        "categorie,texte,lon,lat,code_qp\nfrais,Parc,2.35,48.85,\nidee,Des arbres,,,QN08503I\n",
        encoding="utf-8",
    )
    code = _run(
        "contributions",
        "import",
        str(sheet),
        "--territory",
        "85191",
        "--perimeter",
        str(perimeter),
        "--database",
        db_url,
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "ligne 2 : coordonnées" in err
    assert "ligne 3 : localisation : périmètre du quartier" in err
    store = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        assert sum(store.counts(scope=None).values()) == 0
    finally:
        store.close()


def test_backup_and_restore_commands(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    _run(
        "contributions",
        "moderator",
        "add",
        "alice",
        "--territory",
        "*",
        "--password-stdin",
        "--database",
        db_url,
    )
    backup = tmp_path / "sauvegarde.json.gz"
    assert _run("contributions", "backup", "--out", str(backup), "--database", db_url) == 0
    assert "1 modérateur(s)" in capsys.readouterr().out
    other = f"sqlite:///{tmp_path / 'restauree.sqlite3'}"
    assert _run("contributions", "restore", str(backup), "--database", other) == 0
    assert _run("contributions", "restore", str(backup), "--database", other) == 1
    assert "--force" in capsys.readouterr().err
    assert _run("contributions", "restore", str(backup), "--database", other, "--force") == 0


@pytest.mark.shared
def test_import_against_real_qpv_perimeters(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "atelier.csv"
    sheet.write_text(
        "categorie,texte,code_qp\n"
        "trop_chaud,Les tours chauffent toute la nuit,QN08503I\n"
        "frais,Le jardin partagé,QN08501I\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    code = _run(
        "contributions",
        "import",
        str(sheet),
        "--territory",
        "85191",
        "--perimeter",
        str(shared_data / "admin" / "communes_4epci.geojson"),
        "--qpv",
        str(shared_data / "qpv" / "qpv2024_4territories.geojson"),
        "--database",
        url,
    )
    assert code == 0, capsys.readouterr().err
    store = ContributionStore.open(url, {}, passwords=cheap_passwords())
    try:
        items = store.list_for_moderation(scope=None).items
        # Representative points fall in La Roche-sur-Yon (about 46.67 N, 1.43 W).
        assert all(46.6 < i.lat < 46.75 and -1.5 < i.lon < -1.35 for i in items)
        assert [i.code_qp for i in items] == ["QN08503I", "QN08501I"]
    finally:
        store.close()


def test_bad_database_url(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = _run(
        "contributions", "export", "--out", str(tmp_path / "x.csv"), "--database", "mysql://x"
    )
    assert code == 1 and "sqlite:///" in capsys.readouterr().err


def test_import_places_notes_by_their_osm_address(
    db_url: str, tmp_path: Path, geo_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    perimeter, qpv = geo_files
    osm = tmp_path / "la-roche.osm"
    osm.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" lat="46.6705" lon="-1.4301">'
        '<tag k="addr:housenumber" v="5"/><tag k="addr:street" v="Rue Émile Zola"/></node>\n'
        "</osm>\n",
        encoding="utf-8",
    )
    sheet = tmp_path / "atelier.csv"
    sheet.write_text(
        "categorie;texte;adresse\ntrop_chaud;Hall étouffant;5 rue Emile-Zola\n", encoding="utf-8"
    )
    common = ["--territory", "85191", "--perimeter", str(perimeter), "--qpv", str(qpv)]
    args = [*common, "--osm", str(osm), "--database", db_url]
    assert _run("contributions", "import", str(sheet), *args) == 0
    assert "1 adresses OpenStreetMap lues" in capsys.readouterr().out
    store = ContributionStore.open(db_url, TERRITORIES, passwords=cheap_passwords())
    try:
        (item,) = store.list_for_moderation(scope=None).items
        assert (item.lon, item.lat) == pytest.approx((-1.4301, 46.6705))
        assert item.code_qp == "QN08503I"  # the address lies in the QPV
    finally:
        store.close()
    # Without --osm the same sheet is refused with a French message and nothing is stored.
    assert _run("contributions", "import", str(sheet), *common, "--database", db_url) == 1
    assert "adresse non localisée" in capsys.readouterr().err
