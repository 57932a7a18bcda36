"""Export a roadmap as DOCX (python-docx), HTML (Jinja2) or PDF (WeasyPrint from the HTML).

Both documents follow the same outline: 1. Enjeux (with the climate horizons),
2. Objectifs, 3. Actions, 4. Calendrier, 5. Budget, 6. Indicateurs de suivi,
7. Méthode et limites.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from quartiers.actions.horizons import horizon_table
from quartiers.actions.roadmap import CONTRACT_END, Roadmap
from quartiers.errors import InputError
from quartiers.outputs.formatting import format_euro_range, format_number
from quartiers.outputs.templating import template_environment

__all__ = ["FORMATS", "roadmap_docx", "roadmap_html", "roadmap_pdf", "write_roadmap"]

#: Export formats by file suffix, with their media types.
FORMATS: dict[str, str] = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
}

_ENV = template_environment("actions")


def roadmap_html(roadmap: Roadmap) -> str:
    """Return the roadmap as a standalone French HTML document (A4 print styles inline)."""
    css = resources.files("quartiers.actions").joinpath("templates/feuille_de_route.css")
    labels, rows = horizon_table(roadmap.horizons)
    return _ENV.get_template("feuille_de_route.html.j2").render(
        r=roadmap,
        fmt=SimpleNamespace(number=format_number, euro_range=format_euro_range),
        css=css.read_text("utf-8"),
        horizon_labels=labels,
        horizons=rows,
        contract_end=CONTRACT_END,
    )


def roadmap_pdf(roadmap: Roadmap) -> bytes:
    """Return the roadmap as PDF bytes (WeasyPrint renders :func:`roadmap_html`)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=roadmap_html(roadmap)).write_pdf()
    return pdf


def _table(doc: object, header: list[str], rows: list[list[str]], caption: str = "") -> None:
    if caption:
        para = doc.add_paragraph(caption)  # type: ignore[attr-defined]
        para.runs[0].italic = True
    table = doc.add_table(rows=1, cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def roadmap_docx(roadmap: Roadmap) -> bytes:
    """Return the roadmap as a DOCX document (python-docx), same outline as the PDF."""
    r = roadmap
    doc = _docx_cover(r)
    _docx_issues(doc, r)
    _docx_actions(doc, r)
    _docx_calendar_and_budget(doc, r)
    doc.add_heading("6. Indicateurs de suivi", level=1)
    _table(
        doc,
        ["Indicateur", "Situation de départ (diagnostic)", "Cible", "Origine de la cible"],
        [[i.label, i.baseline_text, i.target_text, i.basis] for i in r.indicators],
    )

    doc.add_heading("7. Méthode et limites", level=1)
    for note in r.notes:
        doc.add_paragraph(note, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_cover(r: Roadmap) -> Any:
    """Return a new A4 document with the roadmap's title and identity table."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = r.title
    doc.core_properties.language = "fr-FR"
    doc.add_paragraph(
        "Contrat de ville — projet de feuille de route issu de l'atelier « du diagnostic aux "
        "solutions »"
    )
    doc.add_heading(r.title, level=0)
    _table(
        doc,
        ["Rubrique", "Valeur"],
        [
            [r.unit_label, f"{r.lib_qp} ({r.code_qp})"],
            ["Territoire", f"{r.territory_name} ({r.territory_code}), commune(s) {r.communes}"],
            ["Habitants (carroyage INSEE)", format_number(r.population, 0)],
            [
                "Diagnostic",
                f"{r.method_label} ; horizon climatique {r.horizon_label} ; Quartiers en "
                f"transition {r.code_version}",
            ],
            [
                "Édité le",
                r.generated + (" — cibles issues d'une simulation" if r.simulated else ""),
            ],
        ],
    )
    return doc


def _docx_issues(doc: Any, r: Roadmap) -> None:
    """Section 1: the QPV's index, scores, weakest indicators and climate horizons."""
    doc.add_heading("1. Enjeux", level=1)
    doc.add_paragraph(
        f"Indice de vulnérabilité aux vagues de chaleur {r.unit_of} : {r.index_text} (0 = le moins "
        f"vulnérable, 1 = le plus vulnérable du territoire) ; rang : {r.rank_text}."
    )
    _table(doc, [label for label, _ in r.scores], [[text for _, text in r.scores]],
           "Scores par dimension (0–1)")  # fmt: skip
    _table(
        doc,
        ["Indicateur", r.unit_short, "Reste de la commune", "Position dans le territoire"],
        [[i.label, i.value_text, i.rest_text, i.position_text] for i in r.issues],
        "Indicateurs où le quartier est le plus en difficulté",
    )
    labels, rows = horizon_table(r.horizons)
    if rows:
        doc.add_heading("Le quartier aux horizons climatiques", level=2)
        _table(
            doc,
            ["Indicateur", *labels],
            [[label, *cells] for label, cells in rows],
            "Valeur moyenne (fourchette des modèles) par horizon de réchauffement (TRACC)",
        )


def _docx_actions(doc: Any, r: Roadmap) -> None:
    """Sections 2 and 3: objectives, then one heading and table per action."""
    doc.add_heading("2. Objectifs", level=1)
    for objective in r.objectives:
        doc.add_paragraph(objective, style="List Bullet")
    if r.priorities is not None:
        doc.add_heading("Priorités exprimées en atelier", level=2)
        doc.add_paragraph(r.priorities.summary)
        _table(
            doc,
            ["Action", "Points", "Part des points", "Participants", "Dans cette feuille de route"],
            [
                [
                    p.label,
                    str(p.points),
                    p.share_text,
                    str(p.voters),
                    "oui" if p.in_roadmap else "non",
                ]
                for p in r.priorities.rows
            ],
        )

    doc.add_heading("3. Actions", level=1)
    for n, a in enumerate(r.actions, start=1):
        doc.add_heading(f"{n}. {a.title}", level=2)
        doc.add_paragraph(a.description)
        items = [
            ["Type", a.type_label],
            ["Pilier(s)", ", ".join(a.pillars)],
            ["Pilote", a.pilot],
            ["Partenaires", ", ".join(a.partners) or "à préciser"],
            ["Calendrier", a.calendar_text],
            ["Quantité", a.quantity],
            ["Budget", f"{a.budget_text} ({a.cost_basis})"],
            ["Indicateur de suivi", a.monitoring],
            ["Simulation", a.simulated],
            ["Sources", " ; ".join(a.sources)],
        ]
        if a.note:
            items.append(["Note de l'atelier", a.note])
        _table(doc, ["Rubrique", "Contenu"], items)


def _docx_calendar_and_budget(doc: Any, r: Roadmap) -> None:
    """Sections 4 and 5: the calendar grid and the cost ranges."""
    doc.add_heading("4. Calendrier", level=1)
    symbols = {"réalisation": "●", "fonctionnement": "○", "": ""}
    _table(
        doc,
        ["Action", *[str(y) for y in r.years]],
        [[a.title, *[symbols[m] for m in r.calendar(a)]] for a in r.actions],
        "● réalisation ; ○ fonctionnement",
    )

    doc.add_heading("5. Budget", level=1)
    budget_rows = [
        [
            a.title,
            format_euro_range(a.invest_low, a.invest_high),
            format_euro_range(a.running_low, a.running_high),
        ]
        for a in r.actions
    ]
    budget_rows.append(
        [
            "Total",
            format_euro_range(r.invest_low, r.invest_high),
            format_euro_range(r.running_low, r.running_high),
        ]
    )
    _table(doc, ["Action", "Investissement", "Fonctionnement par an"], budget_rows,
           "Fourchettes hors taxes")  # fmt: skip
    doc.add_paragraph(
        f"Coût total jusqu'en {CONTRACT_END} (investissement et fonctionnement) : "
        f"{format_euro_range(r.total_low, r.total_high)}."
    )


def write_roadmap(roadmap: Roadmap, path: Path) -> Path:
    """Write the roadmap to ``path``; the format follows the suffix (.docx, .pdf, .html).

    Raises
    ------
    InputError
        Unknown suffix, or a path that cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        data = roadmap_docx(roadmap)
    elif suffix == ".pdf":
        data = roadmap_pdf(roadmap)
    elif suffix == ".html":
        data = roadmap_html(roadmap).encode("utf-8")
    else:
        raise InputError(
            f"{path} : format de sortie inconnu « {suffix or '(aucun)'} » (attendu .docx, .pdf "
            "ou .html)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{path} : écriture impossible ({exc})") from None
    return path
