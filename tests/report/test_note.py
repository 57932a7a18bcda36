"""Notes aux élus (issue 18, point 1): one page per QPV and per territory, PDF and DOCX."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docx
import pytest

from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.matching import suggest
from quartiers.actions.transitions import panel
from quartiers.cli import main
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import format_gap
from quartiers.report import _common as common
from quartiers.report.model import ContributionItem, Contributions
from quartiers.report.note import qpv_note, territory_note
from quartiers.report.note_content import index_words, key_messages
from quartiers.report.note_render import note_docx, write_notes

CODE = "QN00001B"
DAY = date(2026, 6, 15)
QUOTE = Contributions(
    total=1,
    counts=[("Lieu trop chaud", 1)],
    items=[ContributionItem("Lieu trop chaud", "La dalle <b>brûle</b> l'été", "02/07/2026", "")],
)


def _pages(path: Path) -> int:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) absent")
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in out.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


@pytest.fixture(scope="module")
def notes(demo_diag: Diagnostic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notes")
    write_notes(demo_diag, out, contributions={CODE: QUOTE}, generated_on=DAY)
    return out


def test_messages_are_the_largest_gaps_to_the_rest_of_the_commune(demo_diag: Diagnostic) -> None:
    row = common.qpv_row(demo_diag, CODE)
    messages = key_messages(demo_diag, row)
    assert len(messages) == 3
    gaps = {}
    for ind_id, ind in REGISTRY.items():
        own = row.get(ind_id)
        rest = common.comparison_value(demo_diag, row, ind_id, "commune")
        if own is None or rest in (None, 0) or not math.isfinite(float(own)):
            continue
        gaps[ind_id] = ind.direction * (float(own) / float(rest) - 1.0)
    # the largest oriented gap of the QPV is always the first message
    assert messages[0].indicator == max(gaps, key=lambda k: gaps[k])
    assert len({REGISTRY[m.indicator].dimension for m in messages}) == 3  # one per dimension
    for message in messages:
        assert gaps[message.indicator] >= 0.05  # never a message where the QPV is not worse
        assert "dans le quartier, contre" in message.text
        assert "Ville-Témoin" in message.text


def test_index_in_words_or_incomplete_and_why(demo_diag: Diagnostic) -> None:
    row = common.qpv_row(demo_diag, CODE)
    assert "parmi les plus vulnérables du territoire (classe 5 sur 5" in index_words(demo_diag, row)
    broken = row.copy()
    broken["status"] = "incomplet"
    broken["status_detail"] = "accès à pied non calculé (pas de réseau de rues)"
    text = index_words(demo_diag, broken)
    assert text.startswith("Indice incomplet : accès à pied non calculé")
    assert "classe" not in text


def test_qpv_note_content(demo_diag: Diagnostic) -> None:
    catalogue = default_catalogue()
    note = qpv_note(demo_diag, CODE, catalogue, contributions=QUOTE, generated_on=DAY)
    assert note.title == "Centre ancien (fictif)"
    assert re.sub(r"\s", " ", note.residents).startswith("3 773 habitants")
    assert "du 1er au 2e rang" in note.rank_text
    expected = [s.action.title for s in suggest(demo_diag, CODE, catalogue, limit=3)]
    assert [a.title for a in note.actions] == expected
    assert note.quote is not None and note.quote.text == "La dalle <b>brûle</b> l'été"
    assert note.map_chart.data_uri.startswith("data:image/png;base64,")
    # One line per transition (issue 21 point 4): the indicator where the QPV fares worst
    # against the rest of its commune, read from the transitions panel.
    lines = {t.title: t for t in note.transitions}
    assert list(lines) == [g.title for g in panel(demo_diag, CODE, catalogue)]
    energy = lines["Énergie"]
    assert energy.label == "ménages pauvres en passoire énergétique"
    assert energy.gap.startswith("+")
    assert note.transition_actions and all(len(a.co_benefits) >= 2 for a in note.transition_actions)
    assert territory_note(demo_diag, catalogue).transitions == ()
    without = qpv_note(demo_diag, CODE, catalogue, contributions=None, generated_on=DAY)
    assert without.quote is None and without.quote_note == ""  # no database: no section
    nothing = qpv_note(
        demo_diag, CODE, catalogue, contributions=Contributions(0, [], []), generated_on=DAY
    )
    assert (
        nothing.quote_note == "Parole des habitants : aucune contribution publiée pour l'instant."
    )


def test_territory_note_names_the_most_vulnerable_and_counts(demo_diag: Diagnostic) -> None:
    note = territory_note(demo_diag, default_catalogue(), contributions={CODE: QUOTE})
    assert "les plus vulnérables : Centre ancien (fictif) (0,65), Le Plateau" in note.index_text
    assert len(note.messages) == 3
    assert all("QPV sur 2" in m.text for m in note.messages)
    assert len(note.actions) == 3
    assert note.quote is not None  # the quote of the QPV that has one


def test_pdf_notes_fit_one_page_each(notes: Path, pdf_text: Callable[[Path], str]) -> None:
    names = sorted(p.name for p in notes.iterdir())
    assert names == [
        "note_200000001.docx",
        "note_200000001.pdf",
        "note_QN00001A.docx",
        "note_QN00001A.pdf",
        "note_QN00001B.docx",
        "note_QN00001B.pdf",
    ]
    for pdf in notes.glob("*.pdf"):
        assert _pages(pdf) == 1, pdf.name
    text = pdf_text(notes / "note_QN00001B.pdf")
    for words in (
        "Centre ancien (fictif)",
        "Trois messages clés",
        "Trois actions à étudier",
        "Les transitions du quartier",
        "Actions qui servent plusieurs transitions",
    ):
        assert words in text
    assert "« La dalle <b>brûle</b> l'été »" in text  # quoted as written, never as HTML
    assert "part (0–1)" not in text


def test_docx_uses_word_styles(notes: Path) -> None:
    doc = docx.Document(str(notes / "note_QN00001B.docx"))
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[:2] == ["Title", "Subtitle"]
    # messages, actions, transitions (issue 21 point 4), residents
    assert styles.count("Heading 1") == 4
    assert doc.tables[0].rows[0].cells[0].text == "Transition"
    assert [r.cells[0].text for r in doc.tables[0].rows[1:]] == [
        "Climat : chaleur et aléas",
        "Biodiversité et nature",
        "Alimentation",
        "Énergie",
    ]
    assert styles.count("List Number") == 3
    assert styles.count("List Bullet") == 3
    assert "Quote" in styles
    assert len(doc.inline_shapes) == 1  # the map
    quote = next(p.text for p in doc.paragraphs if p.style.name == "Quote")
    assert quote.startswith("« La dalle <b>brûle</b> l'été »")


def test_docx_without_messages_says_so(demo_diag: Diagnostic) -> None:
    note = qpv_note(demo_diag, CODE, default_catalogue(), generated_on=DAY)
    empty = type(note)(**{**note.__dict__, "messages": [], "messages_note": "Rien à signaler."})
    doc = docx.Document(io.BytesIO(note_docx(empty)))
    assert "Rien à signaler." in [p.text for p in doc.paragraphs]


def test_cli_note(demo_run: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes"
    directory = str(demo_run.out_dir)  # type: ignore[attr-defined]
    args = ["report", directory, "--note", "--out", str(out), "--qpv", CODE]
    assert main([*args, "--no-synthesis", "--format", "docx"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["note_QN00001B.docx"]
    assert "1 document écrit" in capsys.readouterr().out
    assert main([*args, "--format", "html", "--force"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "ne convient pas aux notes aux élus (--note)" in err


def test_sheet_opens_on_its_summary_and_defines_its_words(demo_docs: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) absent")
    from quartiers.outputs.glossary import term
    from quartiers.report.render import SHEET_TERMS

    pdf = demo_docs / f"fiche_{CODE}.pdf"
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    first = re.sub(r"\s+", " ", first.replace("\u202f", " ").replace("\u00a0", " "))
    assert "FICHE DIAGNOSTIC — LA PAGE À RETENIR" in first
    assert "Trois messages clés" in first and "Trois actions à étudier" in first
    assert "Les mots de cette fiche" in first
    for word in SHEET_TERMS:
        assert term(word).definition[:40] in first, word
    assert "Les trois dimensions" not in first  # the detail starts on page 2


def test_sheet_shows_the_transitions_panel(demo_diag: Diagnostic, demo_docs: Path) -> None:
    """The sheet's transitions section (issue 21 point 4): every indicator of the panel with
    the QPV, the rest of its commune and the gap, and the shared actions; not on page 1."""
    html = (demo_docs / f"fiche_{CODE}.html").read_text(encoding="utf-8")
    start = html.index("Les transitions du quartier : climat, nature, alimentation, énergie")
    section = html[start : html.index("</section>", start)]
    groups = panel(demo_diag, CODE, default_catalogue())
    for g in groups:
        assert f'<tr class="groupe"><th colspan="4">{g.title}</th></tr>' in section
        for r in g.rows:
            assert r.label.replace("'", "&#39;").replace('"', "&#34;") in section, r.id
    energy = {r.id: r for r in groups[-1].rows}["share_dpe_fg"]
    expected = format_gap(energy.gap, energy.unit)
    assert expected in section
    assert "Actions du catalogue qui servent plusieurs transitions" in section
    # The summary page keeps its size: the compact transitions table is the note's only.
    assert "<h2>Les transitions du quartier</h2>" not in html
