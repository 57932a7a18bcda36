"""Sheets, note and API: OSM tree-mapping warning (issue 22 point 6), the uncertainty's data
factors (issue 22 point 5) and the residual map of the « Validation » section (issue 20)."""

from __future__ import annotations

import html as html_lib
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from quartiers.actions.catalogue import default_catalogue
from quartiers.diagnostic import Diagnostic
from quartiers.report.note import qpv_note
from quartiers.report.note_render import note_docx
from quartiers.report.render import ReportOptions, write_report
from quartiers.settings import get_settings
from quartiers.web import create_app, urls

CODE = "QN00001A"
WARNING = (
    "aucun arbre isolé cartographié dans OpenStreetMap sur le QPV : la canopée ne compte que "
    "bois et alignements et peut être sous-estimée"
)


@pytest.fixture(scope="module")
def warned(demo_diag: Diagnostic) -> Diagnostic:
    """The demo with a warning on one QPV (the demo's trees are mapped evenly: none)."""
    qpv = demo_diag.qpv.copy()
    assert "canopy_warning" in qpv.columns
    qpv["canopy_warning"] = [WARNING if c == CODE else "" for c in qpv["code_qp"]]
    return replace(demo_diag, qpv=qpv)


def test_note_says_it_in_plain_french(warned: Diagnostic, demo_diag: Diagnostic) -> None:
    note = qpv_note(warned, CODE, default_catalogue(), generated_on=date(2026, 6, 15))
    assert note.caveat == f"À vérifier — canopée : {WARNING}."
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(note_docx(note))).paragraphs)
    assert note.caveat in text
    other = qpv_note(warned, "QN00001B", default_catalogue(), generated_on=date(2026, 6, 15))
    assert other.caveat == ""
    plain = qpv_note(demo_diag, CODE, default_catalogue(), generated_on=date(2026, 6, 15))
    assert plain.caveat == ""


def test_sheet_shows_it_on_the_note_page_and_in_resources(
    warned: Diagnostic, tmp_path: Path
) -> None:
    options = ReportOptions(codes=[CODE], formats=("html",), synthesis=False)
    (path,) = write_report(warned, tmp_path, options=options)
    html = html_lib.unescape(path.read_text(encoding="utf-8"))
    sentence = f"À vérifier — canopée : {WARNING}."
    assert html.count(sentence) == 2  # summary page (note) and the resources section
    resources = html[html.index("Ressources") :]
    assert f'<div class="notice">{sentence}</div>' in resources
    # the rank note states the data factors of the uncertainty analysis (both vary here)
    assert "Règle d'allocation : variée : chaque tirage" in html
    assert "Couverture OSM : variée : OpenStreetMap ne cartographie" in html
    # « Validation »: the residual map of the simulated health outcomes, the QPV outlined
    validation = html[html.index("<h3>Validation</h3>") :]
    figure = validation[validation.index('<figure class="residus">') :]
    figure = figure[: figure.index("</figure>")]
    assert figure.count('fill="none" stroke="#000"') == 1  # the QPV
    assert figure.count("<polygon") > 50  # the simulated « IRIS » units
    assert "données SIMULÉES" in figure and "trait noir : le QPV" in figure


def test_api_gives_it(warned: Diagnostic, tmp_path: Path) -> None:
    warned.write(tmp_path / "demo")
    app = create_app(
        [tmp_path / "demo"],
        settings=get_settings(database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}"),
    )
    with TestClient(app) as client:
        territory = warned.record.territory.code
        got = client.get(urls.api_qpv(territory, CODE)).json()
        assert got["canopy_warning"] == WARNING
        other = client.get(urls.api_qpv(territory, "QN00001B")).json()
        assert other["canopy_warning"] is None
