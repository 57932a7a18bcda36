"""Render the documents: Jinja2 templates to self-contained HTML, WeasyPrint to A4 PDF.

This is the I/O edge of :mod:`quartiers.report`: it writes the files of a diagnostic
(contributions come read from their database by :mod:`quartiers.report.contributions`). The content
comes from the pure builders :func:`~quartiers.report.context.qpv_sheet`,
:func:`~quartiers.report.synthesis.territory_synthesis` and
:func:`~quartiers.report.comparison.comparison`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from quartiers.actions.catalogue import Catalogue, default_catalogue
from quartiers.actions.transitions import panel, shared_actions, value_text
from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.outputs.glossary import term
from quartiers.outputs.hazard_summary import hazard_summary
from quartiers.outputs.housing_summary import housing_summary
from quartiers.outputs.templating import ZONES_FLAG, template_environment, zones_run
from quartiers.progress import NullProgress, Progress
from quartiers.report._common import qpv_row
from quartiers.report.climate import ClimateSection, climate_section
from quartiers.report.comparison import comparison
from quartiers.report.context import qpv_sheet
from quartiers.report.model import Contributions
from quartiers.report.note import qpv_note
from quartiers.report.note_content import canopy_caveat
from quartiers.report.synthesis import territory_synthesis
from quartiers.report.validation import qpv_validation
from quartiers.version import __version__

__all__ = [
    "FORMATS",
    "ReportOptions",
    "html_to_pdf",
    "render_template",
    "sheet_name",
    "synthesis_name",
    "write_comparison",
    "write_report",
]

logger = logging.getLogger(__name__)

#: Output formats of ``--format`` and the suffixes they write.
FORMATS: dict[str, tuple[str, ...]] = {"pdf": ("pdf",), "html": ("html",), "both": ("pdf", "html")}
_SAFE = re.compile(r"[^0-9A-Za-z_-]+")
#: Technical words of a sheet, defined on its first page (same definitions as /glossaire).
SHEET_TERMS = (
    "Indice de vulnérabilité",
    "Quintile",
    "Intervalle de rang",
    "Monte Carlo",
    "Indice de Sobol",
    "Statut",
    "Reste de la commune",
    "Point d'écart (pt)",
    "Carroyage partiel",
)

#: Co-benefit actions listed under the sheet's transitions table (those serving the most).
_SHEET_ACTIONS = 6


@cache
def _environment() -> Environment:
    # the words of the sheets, defined as on the web's /glossaire
    return template_environment(
        "report",
        strict=True,
        extra_globals={
            "sheet_terms": [term(w) for w in SHEET_TERMS],
            "glossary_term": term,
            "transition_value": value_text,
        },
    )


def render_template(name: str, diag: Diagnostic | None = None, **context: Any) -> str:
    """Return the HTML of a template rendered with ``context`` (values are escaped).

    With the ``diag`` it is about, a ``--zones`` run's document speaks of zones, not QPV
    (the ``unites`` filter of :mod:`quartiers.outputs.templating`).
    """
    generator = f"Quartiers en transition {__version__}"
    if diag is not None:
        context[ZONES_FLAG] = zones_run(diag.run.get("input_notes") or {})
    return _environment().get_template(name).render(generator=generator, **context)


def html_to_pdf(html: str, path: Path) -> Path:
    """Write ``html`` as an A4 PDF (WeasyPrint; images embedded, no network access)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Figures are embedded as data: URIs; any other scheme (http, file) is refused.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(path)
    return path


def sheet_name(code_qp: str) -> str:
    """Return the file stem of a QPV sheet (``fiche_QN00001A``)."""
    return f"fiche_{_SAFE.sub('_', code_qp)}"


def synthesis_name(diag: Diagnostic) -> str:
    """Return the file stem of the territory synthesis (``synthese_<code>``)."""
    code = diag.record.territory.code or "territoire"
    return f"synthese_{_SAFE.sub('_', code)}"


@dataclass
class ReportOptions:
    """What to render for one diagnostic.

    Attributes
    ----------
    codes
        QPV codes to render (all when empty).
    formats
        Suffixes to write (``pdf``, ``html``).
    contributions
        Published contributions per QPV, or None to leave the section out.
    synthesis
        Also write the territory synthesis.
    generated_on
        Date printed on the documents (today when None).
    """

    codes: Sequence[str] = ()
    formats: Sequence[str] = ("pdf", "html")
    contributions: dict[str, Contributions] | None = None
    synthesis: bool = True
    generated_on: date | None = None


def _check_codes(diag: Diagnostic, codes: Sequence[str]) -> list[str]:
    known = [str(c) for c in diag.qpv["code_qp"]]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(
            f"--qpv : QPV inconnu(s) dans ce diagnostic : {', '.join(unknown)} "
            f"(QPV présents : {', '.join(sorted(known))})"
        )
    return list(codes) or known


def _write(html: str, stem: Path, formats: Sequence[str]) -> list[Path]:
    out = []
    if "html" in formats:
        path = stem.with_suffix(".html")
        path.write_text(html, encoding="utf-8")
        out.append(path)
    if "pdf" in formats:
        out.append(html_to_pdf(html, stem.with_suffix(".pdf")))
    return out


def _sheet_html(
    diag: Diagnostic,
    code: str,
    options: ReportOptions,
    climate: ClimateSection,
    catalogue: Catalogue,
) -> str:
    """Return the HTML of one QPV's sheet (summary page, sheet, hazards, housing, validation)."""
    contributions = None
    if options.contributions is not None:
        contributions = options.contributions.get(code, Contributions(0, [], []))
    sheet = qpv_sheet(
        diag,
        code,
        contributions=contributions,
        generated_on=options.generated_on,
        climate=climate,
    )
    summary = qpv_note(
        diag,
        code,
        catalogue,
        contributions=contributions,
        generated_on=options.generated_on,
        map_chart=sheet.map_chart,
    )
    row, missing = qpv_row(diag, code), diag.record.missing_indicators
    groups = panel(diag, code, catalogue)
    return render_template(
        "fiche.html.j2",
        diag,
        sheet=sheet,
        summary=summary,
        hazards=hazard_summary(row, missing),
        housing=housing_summary(row, missing),
        validation=qpv_validation(diag, code),
        transitions=groups,
        transition_actions=shared_actions(groups, _SHEET_ACTIONS),
        canopy_warning=canopy_caveat(row),
    )


def write_report(
    diag: Diagnostic,
    out_dir: Path,
    *,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the QPV sheets (and the territory synthesis) of a diagnostic.

    Parameters
    ----------
    diag
        The diagnostic.
    out_dir
        Folder of the documents (created).
    options
        What to render; all QPV, PDF and HTML, synthesis, no contributions by default.
    progress
        Receives one step per document.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputError
        A requested QPV is not in the diagnostic.
    """
    options = options or ReportOptions()
    progress = progress or NullProgress()
    codes = _check_codes(diag, options.codes)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names = {c: sheet_name(c) for c in codes}
    links = {c: f"{n}.html" for c, n in names.items()} if "html" in options.formats else {}
    total = len(codes) + (1 if options.synthesis else 0)
    climates: dict[str, ClimateSection] = {}  # one chart per commune, shared by its QPV
    catalogue = default_catalogue()  # the actions of each sheet's summary page
    progress.start("Fiches : rendu des documents", total=total)
    try:
        for code in codes:
            insee = str(diag.qpv.loc[diag.qpv["code_qp"].astype(str) == code, "insee_com"].iloc[0])
            if insee not in climates:
                climates[insee] = climate_section(diag, insee)
            html = _sheet_html(diag, code, options, climates[insee], catalogue)
            written += _write(html, out_dir / names[code], options.formats)
            progress.advance()
        if options.synthesis:
            content = territory_synthesis(
                diag, sheet_names=links, generated_on=options.generated_on
            )
            html = render_template("synthese.html.j2", diag, doc=content)
            written += _write(html, out_dir / synthesis_name(diag), options.formats)
            progress.advance()
    finally:
        progress.finish()
    logger.info("%d documents écrits dans %s", len(written), out_dir)
    return written


def write_comparison(
    diags: Sequence[Diagnostic], out_file: Path, *, generated_on: date | None = None
) -> Path:
    """Write the multi-territory comparison as PDF or HTML (chosen by the file's suffix).

    Raises
    ------
    InputError
        Fewer than two diagnostics, or a suffix other than ``.pdf`` / ``.html``.
    """
    if len(diags) < 2:
        raise InputError("comparaison : au moins deux dossiers de diagnostic sont nécessaires")
    suffix = out_file.suffix.lower()
    if suffix not in (".pdf", ".html"):
        raise InputError(f"{out_file} : extension .pdf ou .html attendue pour la comparaison")
    content = comparison(diags, generated_on=generated_on)
    html = render_template("comparaison.html.j2", doc=content)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        out_file.write_text(html, encoding="utf-8")
        return out_file
    return html_to_pdf(html, out_file)
