"""Command ``quartiers reference build``: one normalisation scale from any set of cells."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quartiers.cli import RichProgress, app, console
from quartiers.commands._diagnose_options import HorizonOption, MethodOption, PlacesOption
from quartiers.commands._options import (
    OfflineOption,
    SkipOption,
    SourceOption,
    WorkspaceOption,
    source_settings,
)
from quartiers.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from quartiers.settings import Settings

BuildTerritoriesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--territory",
        "-t",
        metavar="CODE",
        help=(
            "Territoire dont les carreaux forment la référence (code commune, SIREN d'EPCI, "
            "dep:CODE, reg:CODE, france ; répétable). Sans lui : carreaux Filosofi seuls."
        ),
    ),
]

__all__ = ["build_command", "reference_app"]

reference_app = typer.Typer(
    help="Référence de normalisation commune à plusieurs diagnostics (fichier .parquet).",
    no_args_is_help=True,
)
app.add_typer(reference_app, name="reference")

#: Sources of a reference built without --territory (the Filosofi grid alone).
BUILD_SOURCES = ("filosofi",)


@reference_app.command(
    "build",
    help=(
        "Écrire les points de la distribution pondérée de chaque indicateur (par millésime) "
        "calculée sur les carreaux donnés, à citer dans la méthode par « reference: "
        "FICHIER.parquet ». Sans --territory : les indicateurs Filosofi de tous les carreaux "
        "des fichiers (par exemple la grille nationale). Avec --territory (répétable) : "
        "tous les indicateurs calculables sur ces territoires avec les sources données "
        "(chaleur, LCZ, arbres, accès à pied…), comme un diagnostic de ces territoires."
    ),
)
def build_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="FICHIER", help="Fichier de référence à écrire (.parquet)."
        ),
    ],
    source: SourceOption = None,
    territory: BuildTerritoriesOption = None,
    method: MethodOption = None,
    horizon: HorizonOption = None,
    places: PlacesOption = None,
    skip: SkipOption = None,
    offline: OfflineOption = False,
    workspace: WorkspaceOption = None,
    vintage: Annotated[
        str | None,
        typer.Option(
            "--vintage",
            metavar="ANNÉE",
            help="Millésime Filosofi des fichiers (défaut : celui des sources lues).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier existant.")] = False,
) -> None:
    """Read the cells given (Filosofi alone, or whole territories) and write the reference."""
    from quartiers.sources.gather import parse_source_files

    if out.suffix.lower() != ".parquet":
        raise InputError(f"{out} : extension .parquet attendue pour un fichier de référence")
    if out.exists() and not force:
        raise InputError(f"{out} : le fichier existe (ajoutez --force pour le remplacer)")
    files = parse_source_files(source or [])
    progress = RichProgress()
    try:
        if territory:
            settings = source_settings(offline=offline, workspace=workspace)
            summary = _from_territories(
                territory, files, out, method, horizon, places, skip, settings, vintage, force,
                progress,
            )  # fmt: skip
        else:
            summary = _from_filosofi(files, out, vintage, force, progress)
    finally:
        progress.close()
    console.print(summary, highlight=False)


def _from_filosofi(
    files: dict[str, list[Path]],
    out: Path,
    vintage: str | None,
    force: bool,
    progress: RichProgress,
) -> str:
    """Write the reference of the Filosofi indicators of every cell of the files."""
    from quartiers.checksum import file_sha256
    from quartiers.diagnostic.reference_file import build_table, write_reference
    from quartiers.sources.catalog import get_source
    from quartiers.sources.filosofi import read_filosofi
    from quartiers.sources.merge import read_all

    other = sorted(set(files) - set(BUILD_SOURCES))
    if other:
        raise InputError(
            f"--source {', '.join(other)} : sans --territory, une référence se construit à "
            f"partir de {', '.join(BUILD_SOURCES)} seulement (indicateurs des carreaux "
            "Filosofi) ; donnez --territory pour les autres indicateurs"
        )
    if "filosofi" not in files:
        raise InputError("reference build : au moins un --source filosofi=CHEMIN est attendu")
    year = vintage or get_source("filosofi").vintage
    progress.start("Référence : lecture des carreaux Filosofi", total=2)
    cells = read_all(files["filosofi"], read_filosofi)
    progress.advance()
    table = build_table(cells, vintage=year)
    sources = [
        {"source_id": "filosofi", "location": str(p.resolve()), "sha256": file_sha256(p)}
        for p in files["filosofi"]
    ]
    write_reference(table, out, sources=sources, force=force)
    progress.advance()
    progress.finish()
    return _summary(out, table, year, len(cells))


def _from_territories(
    territory: list[str],
    files: dict[str, list[Path]],
    out: Path,
    method: Path | None,
    horizon: str | None,
    places: Path | None,
    skip: list[str] | None,
    settings: Settings,
    vintage: str | None,
    force: bool,
    progress: RichProgress,
) -> str:
    """Write the reference of every indicator computable on the territories' cells."""
    from quartiers.diagnostic.pipeline import reference_of
    from quartiers.diagnostic.reference_file import write_reference
    from quartiers.method.spec import Method

    chosen = Method.load(method)
    built = reference_of(
        territory,
        sources=dict(files),
        method=chosen,
        horizon=_horizon(horizon, chosen.horizon),
        places=places,
        skip=skip or (),
        settings=settings,
        vintage=vintage,
        progress=progress,
    )
    write_reference(
        built.table, out, sources=built.sources, force=force, provenance=built.provenance
    )
    text = _summary(out, built.table, built.vintage, built.cells)
    if built.missing:
        text += "\nIndicateurs absents de la référence : " + "; ".join(
            f"{k} ({v})" for k, v in built.missing.items()
        )
    return text


def _horizon(horizon: str | None, default: str) -> str:
    """Return the ``--horizon`` given or the method's, refusing an unknown one."""
    from quartiers.schemas import HORIZONS

    chosen = horizon or default
    if chosen not in HORIZONS:
        raise InputError(
            f"--horizon : horizon inconnu {chosen!r} (attendu : {', '.join(HORIZONS)})"
        )
    return chosen


def _summary(out: Path, table: pd.DataFrame, year: str, cells: int) -> str:
    """Return the French line printed once the reference is written."""
    indicators = table["indicator"].nunique()
    n_cells = f"{cells:,}".replace(",", "\u202f")
    return (
        f"Référence écrite : {out} — {indicators} indicateurs, millésime {year}, {n_cells} carreaux"
    )
