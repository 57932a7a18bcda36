"""Commands ``quartiers report`` (sheets), ``quartiers compare`` and ``quartiers export``.

Heavy modules (WeasyPrint, matplotlib, geopandas) are imported inside the commands so that
the CLI starts fast for every other command.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quartiers.atomic import check_output_dir, output_dir, output_file
from quartiers.cli import RichProgress, app, console, err_console
from quartiers.commands._pcaet import export_pcaet
from quartiers.errors import InputError

if TYPE_CHECKING:
    from quartiers.diagnostic import Diagnostic
    from quartiers.report.model import Contributions

__all__ = ["compare_command", "export_command", "report_command"]

_FORMATS = ("pdf", "html", "both")
#: ``--format`` of the notes (``--note``): PDF and DOCX, not HTML.
_NOTE_FORMATS = {"pdf": ("pdf",), "docx": ("docx",), "both": ("pdf", "docx")}


def _load(directory: Path) -> Diagnostic:
    from quartiers.diagnostic import Diagnostic

    if not directory.is_dir():
        raise InputError(f"{directory} : dossier de diagnostic introuvable")
    return Diagnostic.load(directory)


def _list(paths: Sequence[Path], title: str) -> None:
    console.print(title, highlight=False, soft_wrap=True)
    for path in paths:
        console.print(f"  {path}", highlight=False, soft_wrap=True)


#: ``--workshop-map`` and ``--paper`` of ``quartiers report``.
WorkshopMapOption = Annotated[
    bool,
    typer.Option(
        "--workshop-map",
        help=(
            "Écrire la carte d'atelier de chaque QPV : grand format à imprimer (PDF, A1 ou A0), "
            "fond de carte, carreaux, lieux et quadrillage à annoter (DOSSIER/cartes-atelier)."
        ),
    ),
]
PaperOption = Annotated[
    str,
    typer.Option("--paper", metavar="FORMAT", help="Papier de --workshop-map : a1 ou a0."),
]


def _note_formats(fmt: str) -> tuple[str, ...]:
    if fmt not in _NOTE_FORMATS:
        raise InputError(
            f"--format : « {fmt} » ne convient pas aux notes aux élus (--note), écrites en PDF "
            "et DOCX (attendu : pdf, docx ou both)"
        )
    return _NOTE_FORMATS[fmt]


@app.command(
    "report",
    help=(
        "Produire les fiches diagnostic (PDF, HTML) des QPV et la synthèse, ou avec --note "
        "les notes aux élus d'une page (PDF, DOCX)."
    ),
)
def report_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DOSSIER", help="Dossier de sortie d'un diagnostic.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DOSSIER", help="Dossier des fiches (DOSSIER/fiches)."),
    ] = None,
    qpv: Annotated[
        list[str] | None,
        typer.Option("--qpv", metavar="CODE", help="QPV à traiter (répétable ; tous sinon)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="pdf, html ou both (avec --note : pdf, docx ou both).",
        ),
    ] = "both",
    note: Annotated[
        bool,
        typer.Option(
            "--note",
            help=(
                "Écrire les notes aux élus : une page par QPV et une pour le territoire, en "
                "PDF et DOCX (dossier DOSSIER/notes par défaut)."
            ),
        ),
    ] = False,
    contributions: Annotated[
        str | None,
        typer.Option(
            "--contributions",
            metavar="BASE",
            help="Base des contributions (URL ou fichier SQLite) : citer les habitants.",
        ),
    ] = None,
    no_synthesis: Annotated[
        bool,
        typer.Option(
            "--no-synthesis",
            help="Ne pas produire la synthèse territoriale (avec --note : la note du territoire).",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer un dossier de sortie non vide (en entier).")
    ] = False,
    workshop_map: WorkshopMapOption = False,
    paper: PaperOption = "a1",
) -> None:
    """Render the QPV sheets and the territory synthesis (or the notes) of a diagnostic."""
    if workshop_map:
        _workshop_maps(directory, out, qpv or [], fmt=fmt, paper=paper, note=note, force=force)
        return
    formats = _formats(fmt, note=note)
    target = out if out is not None else directory / ("notes" if note else "fiches")
    check_output_dir(target, force=force, protect=[directory])
    diag = _load(directory)
    codes = list(dict.fromkeys(qpv or []))
    found = _contributions(diag, contributions, codes)
    progress = RichProgress()
    try:
        with output_dir(target, force=force, protect=[directory]) as tmp:
            built = _write_documents(
                diag,
                tmp,
                note=note,
                codes=codes,
                formats=formats,
                contributions=found,
                synthesis=not no_synthesis,
                progress=progress,
            )
    finally:
        progress.close()
    written = [target / path.relative_to(tmp) for path in built]
    noun = "document écrit" if len(written) == 1 else "documents écrits"
    _list(written, f"{len(written)} {noun} dans {target} :")


def _workshop_maps(
    directory: Path,
    out: Path | None,
    codes: list[str],
    *,
    fmt: str,
    paper: str,
    note: bool,
    force: bool,
) -> None:
    """Write the large-format workshop maps (``--workshop-map``) of a diagnostic."""
    from quartiers.report.workshop_map import PAPERS, write_workshop_maps

    if note:
        raise InputError("--workshop-map et --note : choisissez l'un ou l'autre")
    if fmt not in ("pdf", "both"):
        raise InputError(f"--format : « {fmt} » ne convient pas aux cartes d'atelier (PDF)")
    if paper.lower() not in PAPERS:
        raise InputError(f"--paper : « {paper} » inconnu (attendu : a1 ou a0)")
    target = out if out is not None else directory / "cartes-atelier"
    check_output_dir(target, force=force, protect=[directory])
    diag = _load(directory)
    progress = RichProgress()
    try:
        with output_dir(target, force=force, protect=[directory]) as tmp:
            built = write_workshop_maps(
                diag,
                tmp,
                codes=list(dict.fromkeys(codes)),
                paper=paper.lower(),
                directory=directory,
                progress=progress,
            )
    finally:
        progress.close()
    written = [target / path.relative_to(tmp) for path in built]
    noun = "carte d'atelier écrite" if len(written) == 1 else "cartes d'atelier écrites"
    _list(written, f"{len(written)} {noun} dans {target} :")


def _formats(fmt: str, *, note: bool) -> tuple[str, ...]:
    """Return the formats asked with ``--format`` (those of the notes with ``--note``)."""
    from quartiers.report.render import FORMATS

    if note:
        return _note_formats(fmt)
    if fmt in _FORMATS:
        return tuple(FORMATS[fmt])
    raise InputError(f"--format : « {fmt} » inconnu (attendu : pdf, html ou both)")


def _write_documents(
    diag: Diagnostic,
    tmp: Path,
    *,
    note: bool,
    codes: list[str],
    formats: tuple[str, ...],
    contributions: dict[str, Contributions] | None,
    synthesis: bool,
    progress: RichProgress,
) -> list[Path]:
    """Write the notes aux élus, or the sheets and the synthesis, into ``tmp``."""
    from quartiers.report.note_render import write_notes
    from quartiers.report.render import ReportOptions, write_report

    if note:
        return list(
            write_notes(
                diag,
                tmp,
                codes=codes,
                formats=formats,
                contributions=contributions,
                territory=synthesis,
                progress=progress,
            )
        )
    options = ReportOptions(
        codes=codes, formats=formats, contributions=contributions, synthesis=synthesis
    )
    return list(write_report(diag, tmp, options=options, progress=progress))


def _contributions(
    diag: Diagnostic, url: str | None, codes: list[str]
) -> dict[str, Contributions] | None:
    """Return the published contributions of the QPV, or None (no database, no module)."""
    from quartiers.report.contributions import participation_available, read_contributions

    if url is None:
        return None
    if not participation_available():
        err_console.print(
            "Avertissement : le module des contributions n'est pas installé ; la section "
            "« Ce que disent les habitants » est omise.",
            highlight=False,
            soft_wrap=True,
        )
        return None
    wanted = codes or [str(c) for c in diag.qpv["code_qp"]]
    return read_contributions(url, wanted, cells=diag.cells)


@app.command("compare", help="Comparer plusieurs territoires diagnostiqués (PDF ou HTML).")
def compare_command(
    directories: Annotated[
        list[Path],
        typer.Argument(metavar="DOSSIER...", help="Dossiers de diagnostic (deux ou plus)."),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FICHIER", help="Document à écrire (.pdf ou .html)."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier existant.")] = False,
) -> None:
    """Write the comparison document of several diagnostic directories."""
    from quartiers.report.reference import check_same_reference
    from quartiers.report.render import write_comparison

    if out.exists() and not force:
        raise InputError(f"{out} : le fichier existe (ajoutez --force pour le remplacer)")
    if len(directories) < 2:
        raise InputError("compare : au moins deux dossiers de diagnostic sont nécessaires")
    progress = RichProgress()
    diags = []
    try:
        progress.start("Lecture des diagnostics", total=len(directories))
        for directory in directories:
            diags.append(_load(directory))
            progress.advance()
        progress.finish()
        check_same_reference([d.record for d in diags], [str(d) for d in directories])
        progress.start("Comparaison : rendu du document", total=1)
        with output_file(out, force=force) as tmp:
            write_comparison(diags, tmp)
        progress.advance()
        progress.finish()
    finally:
        progress.close()
    console.print(f"Comparaison de {len(diags)} territoires écrite : {out}", highlight=False)


def _check_export_paths(directory: Path, out: Path, qgis: Path | None, *, force: bool) -> None:
    """Refuse export and QGIS folders that would overwrite the input or each other."""
    if out.resolve() == directory.resolve():
        raise InputError(f"{out} : choisissez un dossier d'export distinct du diagnostic")
    if qgis is not None and qgis.resolve() == directory.resolve():
        raise InputError(f"{qgis} : choisissez un dossier de projet QGIS distinct du diagnostic")
    check_output_dir(out, force=force, protect=[directory])
    if qgis is None or qgis.resolve() == out.resolve():
        return
    if {qgis.resolve(), out.resolve()} & {*qgis.resolve().parents, *out.resolve().parents}:
        raise InputError(
            f"{qgis} : le dossier du projet QGIS et celui de l'export ({out}) ne peuvent "
            "pas être l'un dans l'autre ; donnez le même dossier ou deux dossiers séparés"
        )
    check_output_dir(qgis, force=force, protect=[directory, out])


@app.command("export", help="Exporter un diagnostic en données ouvertes (GeoPackage stylé, CSV…).")
def export_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DOSSIER", help="Dossier de sortie d'un diagnostic.")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="DOSSIER", help="Dossier de l'export."),
    ],
    qgis: Annotated[
        Path | None,
        typer.Option(
            "--qgis",
            metavar="DOSSIER",
            help=(
                "Écrire aussi un projet QGIS (.qgz : couches stylées, mise en page A4) dans ce "
                "dossier, avec le GeoPackage qu'il ouvre."
            ),
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer un dossier de sortie non vide (en entier).")
    ] = False,
    pcaet: Annotated[
        bool,
        typer.Option(
            "--pcaet",
            help=(
                "Écrire à la place le chapitre « quartiers » du PCAET : vulnérabilité par "
                "aléa et actions d'adaptation retenues (DOCX modifiable et deux CSV)."
            ),
        ),
    ] = False,
) -> None:
    """Write the open-data export of a diagnostic directory (and a QGIS project)."""
    from quartiers.outputs.exports import export_open_data
    from quartiers.outputs.qgis_project import write_qgis_project

    if pcaet:
        if qgis is not None:
            raise InputError("--pcaet et --qgis : choisissez l'un ou l'autre")
        export_pcaet(directory, out, force=force)
        return
    _check_export_paths(directory, out, qgis, force=force)
    diag = _load(directory)
    same = qgis is not None and qgis.resolve() == out.resolve()
    progress = RichProgress()
    try:
        progress.start("Export des données ouvertes", total=1)
        with output_dir(out, force=force, protect=[directory]) as tmp:
            built = export_open_data(diag, tmp)
            # a project in the export folder is built with it, in the same temporary folder
            inside = write_qgis_project(built["diagnostic.gpkg"], diag.record, tmp) if same else {}
        progress.advance()
        progress.finish()
    finally:
        progress.close()
    paths = {name: out / path.relative_to(tmp) for name, path in built.items()}
    _list(sorted(paths.values()), f"{len(paths)} fichiers exportés dans {out} :")
    if qgis is None:
        return
    if same:
        project = {name: out / path.relative_to(tmp) for name, path in inside.items()}
    else:
        with output_dir(qgis, force=force, protect=[directory, out]) as qtmp:
            written = write_qgis_project(paths["diagnostic.gpkg"], diag.record, qtmp)
        project = {name: qgis / path.relative_to(qtmp) for name, path in written.items()}
    _list(sorted(project.values()), f"Projet QGIS écrit dans {qgis} :")
