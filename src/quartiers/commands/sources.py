"""Commands ``quartiers sources`` (the catalogue) and ``quartiers fetch`` (fill a workspace)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from quartiers.cli import RichProgress, app, console, err_console
from quartiers.commands._options import (
    NameOption,
    OfflineOption,
    SkipOption,
    SourceOption,
    TerritoryOption,
    WorkspaceOption,
    source_settings,
)
from quartiers.defaults import DEFAULT_MARGIN_M
from quartiers.sources.catalog import CATALOG

if TYPE_CHECKING:
    from quartiers.schemas import TerritoryInputs

__all__ = ["fetch_command", "sources_command"]

_LABELS = {
    "qpv": "QPV",
    "cells": "carreaux Filosofi",
    "communes": "communes",
    "climate": "indicateurs climatiques",
    "lcz": "zones climatiques locales",
    "bpe": "équipements BPE",
    "buildings": "bâtiments",
    "roads": "voies",
    "vegetation": "végétation",
    "trees": "arbres",
    "water": "eau",
    "night_heat": "chaleur nocturne (raster)",
    "tree_cover": "couvert arboré (raster)",
    "rp_iris": "recensement par IRIS",
    "places": "lieux ressources",
    "extra_places": "lieux ajoutés",
}


@app.command("sources", help="Lister les sources officielles (producteur, millésime, licence).")
def sources_command() -> None:
    """Print the catalogue of official sources as a French table."""
    table = Table(title="Sources officielles", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Id", no_wrap=True)
    table.add_column("Producteur — jeu de données (accès)", overflow="fold", ratio=3)
    table.add_column("Millésime", overflow="fold", ratio=1)
    table.add_column("Licence", overflow="fold", ratio=1)
    for spec in CATALOG:
        if spec.download is None:
            access = "fichier local"
        elif spec.auto:
            access = "téléchargé"
        else:
            access = "sur demande (--with)"
        needed = ", obligatoire" if spec.required else ""
        title = f"{spec.publisher} — {spec.title} ({access}{needed})"
        table.add_row(spec.id, title, spec.vintage, spec.licence)
    console.print(table)
    console.print(
        "Téléchargé : quartiers fetch le récupère seul. Fichier local : donnez-le avec "
        "--source ID=CHEMIN (formats détaillés dans docs/sources.md)."
    )


@app.command("fetch", help="Télécharger et préparer les données d'un territoire.")
def fetch_command(
    territory: TerritoryOption,
    source: SourceOption = None,
    skip: SkipOption = None,
    with_: Annotated[
        list[str] | None,
        typer.Option(
            "--with",
            metavar="ID",
            help="Source téléchargée seulement sur demande (georisques, tri, argiles).",
        ),
    ] = None,
    offline: OfflineOption = False,
    workspace: WorkspaceOption = None,
    margin: Annotated[
        float,
        typer.Option(
            "--margin", metavar="MÈTRES", help="Marge de découpage autour du territoire (m)."
        ),
    ] = DEFAULT_MARGIN_M,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Tout relire au lieu de réutiliser l'espace existant."),
    ] = False,
    nom: NameOption = None,
) -> None:
    """Fill ``<workspace>/<code>/`` with the territory's normalised inputs and provenance."""
    from quartiers.sources.load import load_inputs, parse_source_options
    from quartiers.sources.workspace import workspace_dir, write_workspace

    settings = source_settings(offline=offline, workspace=workspace)
    local = parse_source_options(source or [])
    progress = RichProgress()
    try:
        inputs = load_inputs(
            territory,
            local,
            settings=settings,
            progress=progress,
            skip=[s.lower() for s in skip or []],
            include=[s.lower() for s in with_ or []],
            margin_m=margin,
            use_workspace=not refresh,
        )
    finally:
        progress.close()
    if nom is not None:
        from quartiers.sources.multi import with_name

        inputs = with_name(inputs, nom)
    target = workspace_dir(settings.workspace_dir, inputs.code)
    write_workspace(inputs, target)
    _summary(inputs, target)


def _summary(inputs: TerritoryInputs, target: Path) -> None:
    import pandas as pd

    from quartiers.sources.workspace import TABLE_FIELDS

    layers = inputs.notes.layers
    table = Table(title=f"{inputs.name} ({inputs.code}) — {target}")
    table.add_column("Couche")
    table.add_column("Lignes", justify="right")
    table.add_column("Source")
    absent = []
    for name in TABLE_FIELDS:
        frame = getattr(inputs, name)
        if isinstance(frame, pd.DataFrame):
            count = f"{len(frame):,}".replace(",", "\u202f")
            table.add_row(_LABELS.get(name, name), count, str(layers.get(name, "")))
        elif name != "extra_places":
            absent.append(_LABELS.get(name, name))
    console.print(table)
    _lcz_coverage(inputs)
    if absent:
        err_console.print(
            "Couches absentes (le diagnostic dira quelles dimensions manquent) : "
            + ", ".join(absent),
            highlight=False,
        )


def _lcz_coverage(inputs: TerritoryInputs) -> None:
    """Say which communes no CEREMA LCZ map covers (coverage table of the LCZ dataset)."""
    from quartiers.sources.lcz_fetch import NOT_COVERED

    coverage = inputs.notes.lcz_coverage
    if coverage is None:
        return
    names = dict(zip(inputs.communes["insee_com"], inputs.communes["nom"], strict=True))
    for code in sorted(c for c, pct in coverage.items() if float(pct) <= 0):
        err_console.print(f"{names.get(code, code)} ({code}) : {NOT_COVERED}", highlight=False)
