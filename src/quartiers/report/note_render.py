"""Write the « notes aux élus » as one-page PDF (WeasyPrint) and editable DOCX (Word styles).

The DOCX uses Word's own styles (Titre, Sous-titre, Titre 1, Liste numérotée, Citation,
Légende) so that a council's secretariat can restyle it with its own template; the PDF
comes from the same :class:`~quartiers.report.note_content.Note` through
``note.html.j2``.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from quartiers.actions.catalogue import Catalogue, default_catalogue
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.outputs.templating import zones_run
from quartiers.progress import NullProgress, Progress
from quartiers.report.model import Contributions
from quartiers.report.note import qpv_note, territory_note
from quartiers.report.note_content import Note
from quartiers.report.render import html_to_pdf, render_template
from quartiers.text import zone_words

__all__ = ["NOTE_FORMATS", "note_docx", "note_name", "write_notes"]

#: Suffixes a note is written in.
NOTE_FORMATS = ("pdf", "docx")
_SAFE = re.compile(r"[^0-9A-Za-z_-]+")


def note_name(code: str) -> str:
    """Return the file stem of a note (``note_QN00001A``, ``note_<territoire>``)."""
    return f"note_{_SAFE.sub('_', code)}"


def _png(data_uri: str) -> bytes:
    return base64.b64decode(data_uri.split(",", 1)[1])


def _transitions_docx(doc: Any, note: Note) -> None:
    """Add the one line per transition of a QPV's note (a table) and its shared actions."""
    if not note.transitions:
        return
    doc.add_heading("Les transitions du quartier", level=1)
    head = ("Transition", "Indicateur le moins favorable au quartier", "Quartier")
    table = doc.add_table(rows=1, cols=5, style="Table Grid")
    for cell, text in zip(table.rows[0].cells, (*head, "Reste commune", "Écart"), strict=True):
        cell.text = text
    for line in note.transitions:
        cells = table.add_row().cells
        values = (line.title, line.label, line.qpv, line.commune, line.gap)
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if note.transition_actions:
        shared = " ; ".join(
            f"{a.title} ({', '.join(a.co_benefits).lower()})" for a in note.transition_actions
        )
        doc.add_paragraph(f"Actions qui servent plusieurs transitions : {shared}.")


def note_docx(note: Note, *, zones: bool = False) -> bytes:
    """Return a note as a DOCX document laid out with Word's built-in styles.

    With ``zones`` (a ``--zones`` diagnostic) every text speaks of zones, not QPV
    (:func:`quartiers.text.zone_words`), as the PDF note does.
    """
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = f"Note aux élus — {note.title}"
    doc.core_properties.language = "fr-FR"
    doc.add_paragraph(note.title, style="Title")
    doc.add_paragraph(note.subtitle, style="Subtitle")
    doc.add_paragraph(note.residents)
    doc.add_paragraph(note.index_text, style="Intense Quote")
    doc.add_paragraph(note.rank_text)
    if note.caveat:
        doc.add_paragraph(note.caveat)
    doc.add_heading("Trois messages clés", level=1)
    for message in note.messages:
        doc.add_paragraph(message.text, style="List Number")
    if note.messages_note:
        doc.add_paragraph(note.messages_note)
    doc.add_heading("Trois actions à étudier", level=1)
    for action in note.actions:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(action.title).bold = True
        para.add_run(f" — {action.why}")
    _transitions_docx(doc, note)
    if note.quote is not None or note.quote_note:
        doc.add_heading("Ce que disent les habitants", level=1)
    if note.quote is not None:
        doc.add_paragraph(f"« {note.quote.text} » — {note.quote.source}", style="Quote")
    elif note.quote_note:
        doc.add_paragraph(note.quote_note)
    doc.add_picture(io.BytesIO(_png(note.map_chart.data_uri)), width=Cm(16.5))
    doc.add_paragraph(
        f"{note.map_chart.title} — mêmes classes et couleurs que la carte web.", style="Caption"
    )
    doc.add_paragraph(note.footer, style="Caption")
    if zones:
        _zone_wording(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _zone_wording(doc: Any) -> None:
    """Reword every run of the document (paragraphs and table cells) for zones."""
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for para in paragraphs:
        for run in para.runs:
            run.text = zone_words(run.text)
    doc.core_properties.title = zone_words(doc.core_properties.title)


def _write(note: Note, stem: Path, formats: Sequence[str], diag: Diagnostic) -> list[Path]:
    out = []
    if "pdf" in formats:
        out.append(
            html_to_pdf(render_template("note.html.j2", diag, note=note), stem.with_suffix(".pdf"))
        )
    if "docx" in formats:
        path = stem.with_suffix(".docx")
        zones = zones_run(diag.run.get("input_notes") or {})
        path.write_bytes(note_docx(note, zones=zones))
        out.append(path)
    return out


def write_notes(
    diag: Diagnostic,
    out_dir: Path,
    *,
    codes: Sequence[str] = (),
    formats: Sequence[str] = NOTE_FORMATS,
    contributions: Mapping[str, Contributions] | None = None,
    catalogue: Catalogue | None = None,
    territory: bool = True,
    generated_on: date | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write one note per QPV and one for the territory.

    Parameters
    ----------
    diag
        The diagnostic.
    out_dir
        Folder of the notes (created).
    codes
        QPV to write (all when empty).
    formats
        Among ``pdf`` and ``docx``.
    contributions
        Published contributions per QPV (None: no database was given).
    catalogue
        Actions to match (the packaged catalogue when None).
    territory
        Also write the territory's note.
    generated_on
        Date printed on the notes (today when None).
    progress
        Receives one step per note.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputError
        A requested QPV is not in the diagnostic, or an unknown format.
    """
    unknown = [f for f in formats if f not in NOTE_FORMATS]
    if unknown:
        raise InputError(f"notes : format « {unknown[0]} » inconnu (attendu : pdf ou docx)")
    known = [str(c) for c in diag.qpv["code_qp"]]
    missing = [c for c in codes if c not in known]
    if missing:
        raise InputError(
            f"--qpv : QPV inconnu(s) dans ce diagnostic : {', '.join(missing)} "
            f"(QPV présents : {', '.join(sorted(known))})"
        )
    catalogue = catalogue or default_catalogue()
    progress = progress or NullProgress()
    chosen = list(codes) or known
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    progress.start("Notes aux élus : rendu", total=len(chosen) + (1 if territory else 0))
    try:
        for code in chosen:
            found = (
                None if contributions is None else contributions.get(code, Contributions(0, [], []))
            )
            note = qpv_note(diag, code, catalogue, contributions=found, generated_on=generated_on)
            written += _write(note, out_dir / note_name(code), formats, diag)
            progress.advance()
        if territory:
            note = territory_note(
                diag, catalogue, contributions=contributions, generated_on=generated_on
            )
            name = note_name(diag.record.territory.code or "territoire")
            written += _write(note, out_dir / name, formats, diag)
            progress.advance()
    finally:
        progress.finish()
    return written
