"""With ``--zones``, the web pages and the printed documents speak of zones, not QPV (issue 21).

One small synthetic territory is diagnosed twice per module (as QPV, then as the zones of a
``--zones`` file) and served; the pages and sheets of the zones run say « zone(s) » wherever
a QPV run says « QPV », except where the text is genuinely about QPV (the ANCT source).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient

from _synthetic import make_territory
from quartiers.actions.catalogue import default_catalogue
from quartiers.diagnostic import Diagnostic, run_diagnostic
from quartiers.diagnostic.run_files import write
from quartiers.report.note import qpv_note, territory_note
from quartiers.report.note_render import note_docx
from quartiers.report.render import ReportOptions, render_template, write_report
from quartiers.schemas import ZonesNote
from quartiers.settings import get_settings
from quartiers.web.app import create_app

_QPV = re.compile(r"\bQPV\b")
#: The one text about QPV themselves on a zones run's pages: the sources of the footer.
_GENUINE = "ANCT (QPV 2024)"


@dataclass(frozen=True)
class Rendered:
    """The pages and documents of one run."""

    diag: Diagnostic
    pages: dict[str, str]
    sheets: dict[str, str]


def _render(diag: Diagnostic, folder: Path) -> Rendered:
    write(diag, folder / "diag")
    files = write_report(diag, folder / "fiches", options=ReportOptions(formats=("html",)))
    sheets = {p.name: p.read_text(encoding="utf-8") for p in files}
    catalogue = default_catalogue()
    code_qp = str(diag.qpv["code_qp"].iloc[0])
    sheets["note"] = render_template("note.html.j2", diag, note=qpv_note(diag, code_qp, catalogue))
    sheets["note_territoire"] = render_template(
        "note.html.j2", diag, note=territory_note(diag, catalogue)
    )
    app = create_app([folder / "diag"], settings=get_settings(), contributions=False)
    base = f"/territoires/{diag.record.territory.code}"
    urls = {
        "territoire": base,
        "zone": f"{base}/qpv/{code_qp}",
        "transitions": f"{base}/qpv/{code_qp}/transitions",
        "atelier": f"{base}/qpv/{code_qp}/atelier",
    }
    pages = {}
    with TestClient(app) as client:
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, url
            pages[name] = response.text
    return Rendered(diag, pages, sheets)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rendered, Rendered]:
    """The synthetic territory rendered as a QPV run, then as a ``--zones`` run."""
    inputs = make_territory()
    as_zones = replace(inputs, notes=replace(inputs.notes, zones=ZonesNote("z.geojson", 2, 2)))
    qpv = _render(run_diagnostic(inputs), tmp_path_factory.mktemp("qpv"))
    zones = _render(run_diagnostic(as_zones), tmp_path_factory.mktemp("zones"))
    return qpv, zones


def test_zones_run_pages_and_sheets_say_zone(runs: tuple[Rendered, Rendered]) -> None:
    _, zones = runs
    for name, html in {**zones.pages, **zones.sheets}.items():
        left = _QPV.findall(html.replace(_GENUINE, ""))
        assert not left, (name, left)
    page, territory = zones.pages["zone"], zones.pages["territoire"]
    assert '<th scope="col" class="nombre">Zone</th>' in page
    assert "la zone la plus vulnérable" in territory and "Les zones du territoire" in territory
    assert " hors zones" in page  # the rest of the commune, as labelled by the run
    assert _GENUINE in page  # the sources stay what they are
    # the sentences the map script shows come from the page, so they are reworded too
    assert '<span data-cle="selection">Zone sélectionnée : </span>' in territory
    sheet = next(v for k, v in zones.sheets.items() if k.startswith("fiche_"))
    assert "<title>Fiche diagnostic" in sheet and "Fiche zone " in sheet


def test_qpv_run_pages_and_sheets_still_say_qpv(runs: tuple[Rendered, Rendered]) -> None:
    qpv, zones = runs
    page = qpv.pages["zone"]
    assert '<th scope="col" class="nombre">QPV</th>' in page
    assert "Les QPV du territoire" in qpv.pages["territoire"]
    assert "hors QPV" in page and "hors zones" not in page
    sheet = next(v for k, v in qpv.sheets.items() if k.startswith("fiche_"))
    assert "Fiche QPV " in sheet
    # only words change: the same figures are printed
    assert re.findall(r"\d+,\d+", sheet) == re.findall(
        r"\d+,\d+", next(v for k, v in zones.sheets.items() if k.startswith("fiche_"))
    )


def test_zones_run_docx_note_says_zone(runs: tuple[Rendered, Rendered]) -> None:
    """The editable DOCX note speaks of zones too (python-docx, outside the templates)."""
    catalogue = default_catalogue()
    for rendered, zones in zip(runs, (False, True), strict=True):
        note = territory_note(rendered.diag, catalogue)
        doc = Document(io.BytesIO(note_docx(note, zones=zones)))
        texts = [p.text for p in doc.paragraphs]
        texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        found = [t for t in texts if _QPV.search(t)]
        if zones:
            assert not found, found
            assert any("zone" in t for t in texts)
        else:
            assert found  # a QPV run keeps its words
