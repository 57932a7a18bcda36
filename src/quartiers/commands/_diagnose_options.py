"""Options of ``quartiers diagnose`` (typer declarations, French help), as Annotated aliases.

The options shared with ``fetch`` (``--source``, ``--skip``, ``--offline``, ``--workspace``)
are in :mod:`quartiers.commands._options`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "DrawsOption",
    "ForceOption",
    "HorizonOption",
    "MethodOption",
    "NoUncertaintyOption",
    "OutOption",
    "PlacesOption",
    "SchedulerOption",
    "SeedOption",
    "TerritoriesOption",
    "WorkersOption",
    "ZonesIdOption",
    "ZonesNameOption",
    "ZonesOption",
]

TerritoriesOption = Annotated[
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
]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", metavar="DOSSIER", help="Dossier des résultats.")
]
MethodOption = Annotated[
    Path | None,
    typer.Option(
        "--method",
        "-m",
        metavar="FICHIER",
        help="Fichier de méthode YAML, ou le nom d'une méthode fournie (« quartiers methods » : "
        "v1, inondation, multi-aleas, logement-chaleur) ; défaut : méthode 2.0 documentée "
        "dans docs/method.md.",
    ),
]
HorizonOption = Annotated[
    str | None,
    typer.Option(
        "--horizon",
        metavar="H",
        help="Horizon climatique : ref, 2030, 2050 ou 2100 (défaut : celui de la méthode).",
    ),
]
PlacesOption = Annotated[
    Path | None,
    typer.Option(
        "--places",
        metavar="FICHIER",
        help=(
            "CSV de la ville : lieux ouverts ou fermés (salles rafraîchies, cours d'école "
            "ouvertes l'été, bibliothèque fermée en août…), voir docs/access.md."
        ),
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Remplacer un dossier de sortie non vide (en entier)."),
]
DrawsOption = Annotated[
    int | None,
    typer.Option(
        "--draws",
        metavar="N",
        help="Nombre de tirages Monte Carlo des choix de méthode pour les intervalles de "
        "rang (défaut : celui de la méthode, 200).",
    ),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="S",
        help="Graine des tirages aléatoires (incertitude, Sobol, points chauds) : même "
        "graine, mêmes résultats (défaut : celle de la méthode).",
    ),
]
NoUncertaintyOption = Annotated[
    bool,
    typer.Option(
        "--no-uncertainty",
        help="Ne pas calculer les intervalles de rang, les indices de Sobol ni les points "
        "chauds (plus rapide ; colonnes laissées vides).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        metavar="N",
        help="Calculer les parties indépendantes (zones et recouvrements par région, blocs de "
        "tirages Monte Carlo et de Sobol) sur un cluster Dask local de N processus, arrêté à "
        "la fin ; mêmes résultats qu'en un seul processus (voir docs/scale.md).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="tcp://HÔTE:PORT",
        help="Utiliser un cluster Dask existant : adresse de son planificateur (défaut : "
        "variable QUARTIERS_SCHEDULER ; sans elle ni --workers, tout est calculé dans ce "
        "processus). Mêmes résultats (voir docs/scale.md).",
    ),
]
ZonesOption = Annotated[
    Path | None,
    typer.Option(
        "--zones",
        metavar="FICHIER",
        help=(
            "Quartiers à diagnostiquer à la place des QPV (IRIS, quartiers de veille active, "
            "quartiers de la ville) : GeoJSON, GeoPackage ou shapefile, un polygone par "
            "quartier avec un identifiant et un nom."
        ),
    ),
]
ZonesIdOption = Annotated[
    str | None,
    typer.Option(
        "--zones-id",
        metavar="CHAMP",
        help="Champ de l'identifiant dans --zones (défaut : id, code, code_iris…).",
    ),
]
ZonesNameOption = Annotated[
    str | None,
    typer.Option(
        "--zones-nom",
        metavar="CHAMP",
        help="Champ du nom dans --zones (défaut : nom, name, libelle, nom_iris…).",
    ),
]
