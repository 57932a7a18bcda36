"""Command ``quartiers diagnose``: inputs → heat-wave diagnostic → output directory.

The pipeline and its libraries are imported inside the command, so that ``quartiers --help``
and the other commands start without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from quartiers.cli import RichProgress, app, console, err_console
from quartiers.commands._options import (
    OfflineOption,
    SkipOption,
    SourceOption,
    WorkspaceOption,
    source_settings,
)

__all__ = ["diagnose_command"]


@app.command(
    "diagnose", help="Diagnostic de vulnérabilité aux vagues de chaleur des QPV d'un territoire."
)
def diagnose_command(
    territory: Annotated[
        list[str],
        typer.Option(
            "--territory",
            "-t",
            metavar="CODE",
            help=(
                "Code commune INSEE, SIREN d'EPCI, nom, dep:CODE, reg:CODE ou france "
                "(répétable : plusieurs territoires dans un même diagnostic, sur une même "
                "échelle)."
            ),
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DOSSIER", help="Dossier des résultats.")
    ],
    source: SourceOption = None,
    method: Annotated[
        Path | None,
        typer.Option(
            "--method",
            "-m",
            metavar="FICHIER",
            help="Fichier de méthode YAML, ou « v1 » pour la méthode 1.0 conservée (défaut : "
            "méthode 2.0 documentée dans docs/method.md).",
        ),
    ] = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon",
            metavar="H",
            help="Horizon climatique : ref, 2030, 2050 ou 2100 (défaut : celui de la méthode).",
        ),
    ] = None,
    skip: SkipOption = None,
    offline: OfflineOption = False,
    workspace: WorkspaceOption = None,
    places: Annotated[
        Path | None,
        typer.Option(
            "--places",
            metavar="FICHIER",
            help=(
                "CSV de la ville : lieux ouverts ou fermés (salles rafraîchies, cours d'école "
                "ouvertes l'été, bibliothèque fermée en août…), voir docs/access.md."
            ),
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Remplacer un dossier de sortie non vide (en entier)."),
    ] = False,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            metavar="N",
            help="Nombre de tirages Monte Carlo des choix de méthode pour les intervalles de "
            "rang (défaut : celui de la méthode, 200).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="S",
            help="Graine des tirages aléatoires (incertitude, Sobol, points chauds) : même "
            "graine, mêmes résultats (défaut : celle de la méthode).",
        ),
    ] = None,
    no_uncertainty: Annotated[
        bool,
        typer.Option(
            "--no-uncertainty",
            help="Ne pas calculer les intervalles de rang, les indices de Sobol ni les points "
            "chauds (plus rapide ; colonnes laissées vides).",
        ),
    ] = False,
) -> None:
    """Run the diagnostic of a territory and write its output directory.

    Walking access (resources dimension) is computed when an OpenStreetMap extract is
    among the inputs; without one the index runs without it and says so.
    """
    from quartiers.atomic import output_dir
    from quartiers.commands._tables import print_index_labels, robustness_table, summary_table
    from quartiers.diagnostic import RobustnessOptions
    from quartiers.diagnostic.pipeline import diagnose
    from quartiers.method.spec import Method
    from quartiers.report._carte_inputs import write_diagnostic_map
    from quartiers.schemas import HORIZONS
    from quartiers.sources._gather import parse_source_files

    if draws is not None and not 1 <= draws <= 100_000:
        raise typer.BadParameter(
            f"{draws} : nombre de tirages entre 1 et 100 000 attendu", param_hint="--draws"
        )
    if seed is not None and seed < 0:
        raise typer.BadParameter(
            f"{seed} : graine entière positive ou nulle attendue", param_hint="--seed"
        )
    settings = source_settings(offline=offline, workspace=workspace)
    local = parse_source_files(source or [])
    inputs_used = [*_flat(local.values()), *(p for p in (method, places) if p is not None)]
    progress = RichProgress()
    try:
        with output_dir(out, force=force, protect=[*inputs_used, settings.workspace_dir]) as tmp:
            chosen = Method.load(method)
            horizon = horizon or chosen.horizon
            if horizon not in HORIZONS:
                raise typer.BadParameter(
                    f"horizon inconnu {horizon!r} (attendu : {', '.join(HORIZONS)})",
                    param_hint="--horizon",
                )
            diag = diagnose(
                territory,
                sources=local,
                method=chosen,
                horizon=horizon,
                places=places,
                skip=skip or [],
                settings=settings,
                robustness=RobustnessOptions(
                    uncertainty=not no_uncertainty,
                    hotspots=not no_uncertainty,
                    draws=draws,
                    seed=seed,
                ),
                progress=progress,
            )
            progress.close()
            diag.write(tmp)
            write_diagnostic_map(diag, tmp, fictitious=False)
    finally:
        progress.close()
    console.print(summary_table(diag))
    robust = robustness_table(diag)
    if robust is not None:
        console.print(robust)
    record = diag.record
    missing = record.missing_dimensions
    # only the indicators the method puts in the index: a published extra (e.g. the share
    # of top-floor dwellings) missing does not make the index « computed without » it
    used = {i for dim in chosen.dimensions.values() for i in dim.indicators}
    absent = {k: v for k, v in record.missing_indicators.items() if k in used}
    if missing or absent:
        err_console.print(
            "Indicateurs absents (l'indice est calculé sans eux) : "
            + ", ".join(sorted(absent))
            + (f" ; dimensions absentes : {', '.join(missing)}" if missing else ""),
            highlight=False,
        )
    print_index_labels(diag)
    for note in record.notes:
        err_console.print(f"Remarque : {note}", highlight=False)
    console.print(f"Résultats écrits dans {out} (qpv.csv, diagnostic.gpkg, run.json, carte.html…)")


def _flat(values: Iterable[Path | Sequence[Path]]) -> list[Path]:
    """Return the paths of ``--source`` options (one path or several per source)."""
    out: list[Path] = []
    for value in values:
        out.extend([value] if isinstance(value, Path) else value)
    return out
