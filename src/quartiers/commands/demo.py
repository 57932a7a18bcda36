"""Command ``quartiers demo``: the whole job on the fictitious territory Ville-Témoin."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from quartiers.cli import RichProgress, app, console
from quartiers.defaults import DEFAULT_SEED
from quartiers.errors import InputError

__all__ = ["demo_command"]


@app.command(
    "demo",
    help=(
        "Générer le territoire fictif « Ville-Témoin » dans les formats officiels, puis lancer "
        "le diagnostic complet : GeoPackage, CSV, run.json et carte.html dans le dossier de sortie."
    ),
)
def demo_command(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DOSSIER", help="Dossier de sortie (créé s'il n'existe pas)."
        ),
    ] = Path("demo-out"),
    force: Annotated[
        bool, typer.Option("--force", help="Remplacer un dossier de sortie non vide (en entier).")
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Graine du générateur (même graine, même territoire).")
    ] = DEFAULT_SEED,
    horizon: Annotated[
        str,
        typer.Option(
            "--horizon", metavar="H", help="Horizon climatique : ref, 2030, 2050 ou 2100."
        ),
    ] = "ref",
) -> None:
    """Run the demo end to end and print a French summary."""
    from quartiers.atomic import output_dir
    from quartiers.commands._tables import summary_table
    from quartiers.schemas import HORIZONS

    if horizon not in HORIZONS:
        raise InputError(
            f"--horizon : horizon « {horizon} » inconnu (attendu : {', '.join(HORIZONS)})"
        )
    from quartiers.demo.pipeline import run_demo

    progress = RichProgress()
    try:
        with output_dir(out, force=force) as tmp:
            result = run_demo(tmp, seed=seed, horizon=horizon, progress=progress, final_dir=out)
    finally:
        progress.close()
    console.print(summary_table(result.diagnostic))
    console.print("Territoire fictif : ces chiffres ne décrivent aucun lieu réel.")
    console.print(f"Carte : {(out / 'carte.html').resolve()}")
    console.print(f"Données : {(out / 'diagnostic.gpkg').resolve()} et {out / 'qpv.csv'}")
    console.print(f"Traçabilité : {out / 'run.json'}")
