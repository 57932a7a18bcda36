"""Command ``quartiers reference build``: one normalisation scale from any set of cells."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from quartiers.cli import RichProgress, app, console
from quartiers.commands._options import SourceOption
from quartiers.errors import InputError

__all__ = ["build_command", "reference_app"]

reference_app = typer.Typer(
    help="Référence de normalisation commune à plusieurs diagnostics (fichier .parquet).",
    no_args_is_help=True,
)
app.add_typer(reference_app, name="reference")

#: Sources a reference file is built from (their indicators are the file's).
BUILD_SOURCES = ("filosofi",)


@reference_app.command(
    "build",
    help=(
        "Écrire les points de la distribution pondérée de chaque indicateur (par millésime) "
        "calculée sur les carreaux donnés (par exemple la grille nationale), à citer dans la "
        "méthode par « reference: FICHIER.parquet »."
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
    vintage: Annotated[
        str | None,
        typer.Option(
            "--vintage",
            metavar="ANNÉE",
            help="Millésime Filosofi des fichiers (défaut : celui du catalogue des sources).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Remplacer le fichier existant.")] = False,
) -> None:
    """Read the Filosofi files given and write the reference file atomically."""
    from quartiers.checksum import file_sha256
    from quartiers.diagnostic.reference_file import build_table, write_reference
    from quartiers.sources._gather import parse_source_files
    from quartiers.sources._merge import read_all
    from quartiers.sources.catalog import get_source
    from quartiers.sources.filosofi import read_filosofi

    if out.suffix.lower() != ".parquet":
        raise InputError(f"{out} : extension .parquet attendue pour un fichier de référence")
    if out.exists() and not force:
        raise InputError(f"{out} : le fichier existe (ajoutez --force pour le remplacer)")
    files = parse_source_files(source or [])
    other = sorted(set(files) - set(BUILD_SOURCES))
    if other:
        raise InputError(
            f"--source {', '.join(other)} : une référence se construit à partir de "
            f"{', '.join(BUILD_SOURCES)} seulement (indicateurs des carreaux Filosofi)"
        )
    if "filosofi" not in files:
        raise InputError("reference build : au moins un --source filosofi=CHEMIN est attendu")
    year = vintage or get_source("filosofi").vintage
    progress = RichProgress()
    try:
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
    finally:
        progress.close()
    indicators = table["indicator"].nunique()
    n_cells = f"{len(cells):,}".replace(",", "\u202f")
    console.print(
        f"Référence écrite : {out} — {indicators} indicateurs, millésime {year}, "
        f"{n_cells} carreaux",
        highlight=False,
    )
