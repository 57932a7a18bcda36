"""Write the PCAET chapter as an editable DOCX laid out with Word's built-in styles.

Same conventions as the notes aux élus and the roadmap: Word's own styles (Titre,
Sous-titre, Titre 1 and 2, Liste à puces, Légende, « Table Grid ») so that the service
writing the PCAET can restyle it with its template. Outline, in the order of art. R229-51:
cadre, 1. Diagnostic de vulnérabilité, 2. Programme d'actions, 3. Dispositif de suivi,
4. Limites et points non vérifiés.
"""

from __future__ import annotations

import io
import math
from typing import Any

from quartiers.actions.pcaet_model import HAZARDS, Measure, PcaetAction, PcaetChapter, UnitChapter
from quartiers.actions.pcaet_text import FRAME, METHOD, UNVERIFIED, limits
from quartiers.outputs.formatting import (
    MISSING,
    format_euro_range,
    format_gap,
    format_number,
    format_share,
    format_value,
)

__all__ = ["pcaet_docx"]


def _table(doc: Any, header: list[str], rows: list[list[str]], caption: str = "") -> None:
    if caption:
        doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text


def _value(m: Measure) -> str:
    if not math.isfinite(m.value):
        return f"{MISSING} ({m.note})" if m.note else MISSING
    return format_value(m.value, m.unit)


def _rest(rest: float, gap: float, unit: str) -> str:
    if not math.isfinite(rest):
        return MISSING
    return f"{format_value(rest, unit)} ({format_gap(gap, unit)})"


def _measure_rows(measures: tuple[Measure, ...]) -> list[list[str]]:
    return [
        [
            m.hazard_label,
            m.component,
            m.label,
            _value(m),
            _rest(m.rest_commune, m.gap_commune, m.unit),
            _rest(m.rest_epci, m.gap_epci, m.unit),
        ]
        for m in measures
    ]


def _cover(c: PcaetChapter) -> Any:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = c.title
    doc.core_properties.language = "fr-FR"
    doc.add_paragraph(c.title, style="Title")
    what = "zones étudiées" if c.unit_word == "zone" else "quartiers prioritaires (QPV)"
    doc.add_paragraph(
        f"Vulnérabilité des {what} aux effets du changement climatique et actions "
        "d'adaptation — contribution au diagnostic et au programme d'actions",
        style="Subtitle",
    )
    doc.add_paragraph(
        f"Édité le {c.generated} ; diagnostic {c.method_label}, horizon climatique "
        f"{c.horizon_label} ; Quartiers en transition {c.code_version}."
    )
    if c.zones_file:
        doc.add_paragraph(
            f"Unités étudiées : les zones du fichier {c.zones_file} (option --zones), "
            "diagnostiquées comme des quartiers prioritaires ; « zone » remplace « QPV » "
            "dans tout le document."
        )
    doc.add_heading("Cadre réglementaire et lecture", level=1)
    for text in FRAME:
        doc.add_paragraph(text)
    return doc


def _diagnosis(doc: Any, c: PcaetChapter) -> None:
    doc.add_heading(
        f"1. Diagnostic : vulnérabilité des {c.unit_plural} aux effets du changement climatique",
        level=1,
    )
    doc.add_heading("1.1 Méthode", level=2)
    for text in METHOD:
        doc.add_paragraph(text.format(plural=c.unit_plural), style="List Bullet")
    for epci in c.epcis:
        _epci_section(doc, c, epci)
    for n, unit in enumerate(c.units, start=1):
        _unit_section(doc, c, unit, n)


def _epci_section(doc: Any, c: PcaetChapter, epci: Any) -> None:
    doc.add_heading(f"1.2 À l'échelle de l'intercommunalité : {epci.name}", level=2)
    total = epci.units_population + epci.rest_population
    doc.add_paragraph(
        f"{format_number(epci.units_population)} habitants dans les {c.unit_plural} "
        f"{'étudiées' if c.unit_word == 'zone' else 'étudiés'}, "
        f"soit {format_share(epci.units_population / total if total else None)} des "
        f"habitants de l'intercommunalité (population carroyée INSEE)."
    )
    if epci.exposures:
        _table(
            doc,
            [
                "Aléa",
                f"Habitants des {c.unit_plural} en zone",
                f"Part des habitants des {c.unit_plural}",
                f"Habitants hors {c.unit_plural} en zone",
                f"Part des habitants hors {c.unit_plural}",
                f"Part des habitants exposés qui vivent en {c.unit_word}",
            ],
            [
                [
                    e.label,
                    format_number(e.units_residents),
                    format_share(e.units_share),
                    format_number(e.rest_residents),
                    format_share(e.rest_share),
                    format_share(e.units_part),
                ]
                for e in epci.exposures
            ],
            "Habitants exposés à chaque aléa à zonage",
        )
    rows = [[m.hazard_label, m.component, m.label, _value(m)] for m in epci.rest]
    _table(
        doc,
        ["Aléa", "Composante", "Indicateur", f"Reste de l'intercommunalité (hors {c.unit_plural})"],
        rows,
        "Valeurs de référence du reste de l'intercommunalité",
    )


def _unit_section(doc: Any, c: PcaetChapter, unit: UnitChapter, n: int) -> None:
    doc.add_heading(f"1.{n + 2} {unit.name} ({unit.code}) — {unit.commune}", level=2)
    index_word = "Indice de vulnérabilité aux vagues de chaleur"
    doc.add_paragraph(
        f"{format_number(unit.population)} habitants (population carroyée INSEE). "
        f"{index_word} : {unit.index_text} (0 = le moins vulnérable, 1 = le plus vulnérable du "
        f"territoire) ; rang : {unit.rank_text}."
    )
    _table(
        doc,
        ["Aléa", "Composante", "Indicateur", c.unit_word, "Reste de la commune (écart)",
         "Reste de l'intercommunalité (écart)"],
        _measure_rows(unit.measures),
        f"Exposition et sensibilité par aléa — {unit.name}",
    )  # fmt: skip
    if unit.horizon_rows:
        _table(
            doc,
            ["Indicateur climatique de la commune", *unit.horizon_labels],
            [[label, *cells] for label, cells in unit.horizon_rows],
            "Le climat futur : valeur moyenne (fourchette des modèles) par horizon (TRACC)",
        )


def _means(a: PcaetAction) -> str:
    """Return the means of an action: investment for its quantity, yearly running cost."""
    parts = []
    if a.invest_high > 0:
        parts.append(
            f"investissement {format_euro_range(a.invest_low, a.invest_high)} pour {a.quantity}"
        )
    if a.running_high > 0:
        running = format_euro_range(a.running_low, a.running_high)
        parts.append(f"fonctionnement {running} par an")
    return " ; ".join(parts) or "sans coût chiffré"


def _programme(doc: Any, c: PcaetChapter) -> None:
    doc.add_heading("2. Programme d'actions : actions d'adaptation retenues", level=1)
    doc.add_paragraph(
        f"Pour chaque {c.unit_word}, les actions que le catalogue classe en premier pour ses "
        "besoins (comme la feuille de route par défaut), avec les éléments que le décret "
        "demande pour les principales actions : moyens, publics concernés, partenariats, "
        "résultats attendus."
    )
    labels = {h.id: h.label for h in HAZARDS}
    for unit in c.units:
        doc.add_heading(f"{unit.name} ({unit.code})", level=2)
        if not unit.actions:
            doc.add_paragraph("Aucune action du catalogue ne répond à un besoin mesuré.")
        for a in unit.actions:
            hazards = ", ".join(labels[h] for h in a.hazards) or "aucun aléa (autre transition)"
            means = _means(a)
            _table(
                doc,
                ["Rubrique", "Contenu"],
                [
                    ["Action", f"{a.rank}. {a.title}"],
                    ["Aléa(s) traité(s)", hazards],
                    ["Répond à", a.answers or "action générale"],
                    ["Moyens", f"{means} ({a.cost_basis})"],
                    ["Publics concernés", f"{a.public} ({format_number(a.residents)} habitants)"],
                    ["Partenariats", f"pilote : {a.pilot} ; " + ", ".join(a.partners)],
                    ["Résultats attendus", a.expected],
                    ["Délai", a.lead_time],
                    ["Co-bénéfices", ", ".join(a.co_benefits)],
                    ["Sources", " ; ".join(a.sources)],
                ],
            )
    for epci in c.epcis:
        if epci.shared_actions:
            doc.add_heading(f"Actions communes à plusieurs {c.unit_plural} — {epci.name}", 2)
            for title, where in epci.shared_actions:
                doc.add_paragraph(f"{title} : {', '.join(where)}", style="List Bullet")


def _monitoring(doc: Any, c: PcaetChapter) -> None:
    doc.add_heading("3. Dispositif de suivi et d'évaluation", level=1)
    doc.add_paragraph(
        "Indicateurs à suivre au regard des actions retenues : situation de départ = valeur du "
        "diagnostic ; cible à fixer par le comité du PCAET ; mise à jour en relançant le "
        "diagnostic sur les données les plus récentes, à mi-parcours (3 ans) et à la révision "
        "(6 ans)."
    )
    rows = [
        [unit.name, a.title, a.monitoring, a.baseline_text]
        for unit in c.units
        for a in unit.actions
    ]
    _table(doc, [c.unit_word, "Action", "Indicateur de suivi", "Situation de départ"], rows)


def pcaet_docx(chapter: PcaetChapter) -> bytes:
    """Return the PCAET chapter as DOCX bytes (python-docx, Word's built-in styles)."""
    doc = _cover(chapter)
    _diagnosis(doc, chapter)
    _programme(doc, chapter)
    _monitoring(doc, chapter)
    doc.add_heading("4. Limites et points non vérifiés", level=1)
    for text in limits(chapter.unit_plural):
        doc.add_paragraph(text, style="List Bullet")
    doc.add_heading("Non vérifié", level=2)
    for text in UNVERIFIED:
        doc.add_paragraph(text, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
