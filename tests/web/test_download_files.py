"""Downloads open where they are meant to: QGIS (styled GeoPackage), French Excel, documents."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

from quartiers.indicators.registry import REGISTRY

from .conftest import web_settings

DEMO = "200000001"


def test_geopackage_download_carries_qgis_styles_and_french_aliases(
    client: TestClient, tmp_path: Path
) -> None:
    r = client.get(f"/telechargements/{DEMO}/diagnostic.gpkg")
    assert r.status_code == 200
    gpkg = tmp_path / "diagnostic.gpkg"
    gpkg.write_bytes(r.content)
    with closing(sqlite3.connect(gpkg)) as con:
        rows = con.execute(
            "SELECT f_table_name, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM gpkg_metadata").fetchone()[0] >= 1
    styles = {name: qml for name, qml, default in rows if default}
    assert {"cells", "qpv", "zones"} <= set(styles)
    label = REGISTRY["poverty_rate"].label
    assert re.search(f'<alias field="poverty_rate" index="\\d+" name="{label}"/>', styles["qpv"])
    layer = pyogrio.read_dataframe(gpkg, layer="qpv")
    assert len(layer) == 2 and "poverty_rate" in layer.columns


def test_spreadsheet_download_opens_in_french_excel(client: TestClient) -> None:
    r = client.get(f"/telechargements/{DEMO}/qpv_libelles.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    header = r.content[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert header.startswith("Code du quartier prioritaire (QPV 2024);")
    table = pd.read_csv(io.BytesIO(r.content), sep=";", encoding="utf-8-sig", dtype=str)
    assert f"{REGISTRY['poverty_rate'].label} (%)" in table.columns
    rate = table[f"{REGISTRY['poverty_rate'].label} (%)"]
    assert all("," in v and len(v.split(",")[1]) == 1 for v in rate)  # decimal comma, 1 decimal
    people = table["Population (somme des carreaux × part de recouvrement) (personnes)"]
    assert all(v.isdigit() for v in people)


def test_dictionary_download_explains_empty_columns(client: TestClient) -> None:
    text = client.get(f"/telechargements/{DEMO}/dictionnaire.csv").text
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    remark = table.set_index("colonne")["remarque"]
    assert remark["night_heat"].startswith("colonne vide dans ce diagnostic")
    assert remark["poverty_rate"] == ""


@pytest.fixture()
def with_documents(demo_dir: Path, tmp_path: Path) -> TestClient:
    from quartiers.web import create_app

    copy = tmp_path / "diag"
    shutil.copytree(demo_dir, copy, ignore=shutil.ignore_patterns("entrees", ".espace"))
    for folder, name in (
        ("fiches", "fiche_QN00001A.pdf"),
        ("notes", "note_QN00001A.docx"),
        ("feuilles-de-route", "feuille-de-route-QN00001A.pdf"),
        ("cartes-atelier", "carte_atelier_QN00001A_a1.pdf"),
    ):
        (copy / folder).mkdir(exist_ok=True)
        (copy / folder / name).write_bytes(b"%PDF-1.7 " + name.encode())
    (copy / "fiches" / "secret.txt").write_text("non", encoding="utf-8")
    return TestClient(create_app([copy], settings=web_settings(tmp_path)))


def test_documents_are_listed_and_downloadable(with_documents: TestClient) -> None:
    with with_documents as c:
        html = c.get("/telechargements").text
        headings = ("Fiches des QPV", "Notes aux élus", "Feuilles de route", "(A1, A0)")
        for heading in headings:
            assert heading in html
        for path in (
            "fiches/fiche_QN00001A.pdf",
            "notes/note_QN00001A.docx",
            "feuilles-de-route/feuille-de-route-QN00001A.pdf",
            "cartes-atelier/carte_atelier_QN00001A_a1.pdf",
        ):
            assert f'href="/telechargements/{DEMO}/{path}"' in html
            r = c.get(f"/telechargements/{DEMO}/{path}")
            assert r.status_code == 200, path
            assert r.content.endswith(path.rsplit("/", 1)[1].encode())
            assert f'filename="{DEMO}_{path.rsplit("/", 1)[1]}"' in r.headers["content-disposition"]
        assert (
            c.get(f"/telechargements/{DEMO}/notes/note_QN00001A.docx")
            .headers["content-type"]
            .startswith("application/vnd.openxmlformats")
        )
        for bad in ("fiches/secret.txt", "fiches/..%2Frun.json", "entrees/fiche_x.pdf"):
            r = c.get(f"/telechargements/{DEMO}/{bad}")
            assert r.status_code == 404, bad


def test_no_document_section_says_how_to_make_them(client: TestClient) -> None:
    html = client.get("/telechargements").text
    assert "Pas encore de fiche" in html
