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
    echelle: Annotated[
        str,
        typer.Option(
            "--echelle",
            metavar="ÉCHELLE",
            help=(
                "ville (défaut : Ville-Témoin et son diagnostic), france (France fictive à "
                "l'échelle nationale : 2,3 millions de carreaux, 1 632 QPV, fichiers seulement, "
                "écrits une fois puis réutilisés) ou france-essai (la même en petit)."
            ),
        ),
    ] = "ville",
) -> None:
    """Run the demo end to end and print a French summary."""
    from quartiers.atomic import output_dir

    if echelle != "ville":
        _national(out, echelle=echelle, seed=seed, force=force)
        return
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


def _national(out: Path, *, echelle: str, seed: int, force: bool) -> None:
    """Write (or reuse) the fictitious France and print how to diagnose it."""
    import shutil

    from quartiers.demo.national import FILES, generate_france
    from quartiers.demo.national.generator import STAMP

    if out.is_dir() and any(out.iterdir()) and not (out / STAMP).is_file():
        if not force:
            raise InputError(
                f"{out} : dossier non vide qui ne contient pas de France fictive ({STAMP} "
                "absent) — choisir un autre dossier ou ajouter --force pour le remplacer"
            )
        shutil.rmtree(out)
    progress = RichProgress()
    try:
        written = generate_france(out, echelle=echelle, seed=seed, progress=progress)
    finally:
        progress.close()
    n = written.counts
    state = "réutilisée (même empreinte)" if written.reused else "écrite"
    console.print(
        f"France fictive {state} dans {out.resolve()} : {_int(n['carreaux'])} carreaux, "
        f"{_int(n['qpv'])} QPV, {_int(n['communes'])} communes, {n['regions']} régions."
    )
    console.print("Territoire fictif : ces chiffres ne décrivent aucun lieu réel.")
    sources = " ".join(f"--source {k}={(out / rel).resolve()}" for k, rel in FILES.items())
    console.print(
        "Diagnostic national sans accès à pied : quartiers diagnose --territory france "
        f"--out RESULTATS --offline {sources} --skip osm"
    )
    console.print(
        f"Avec l'accès à pied (calculé région par région) : remplacer --skip osm par "
        f"--source osm=FICHIER pour chacun des {len(written.osm)} extraits de "
        f"{(out / 'osm').resolve()} (un par région)."
    )


def _int(value: int) -> str:
    """Return an integer with French thousands separators (narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")
