"""Options shared by the commands that read a territory's sources (``fetch``, ``diagnose``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from quartiers.settings import Settings

__all__ = [
    "NameOption",
    "OfflineOption",
    "SkipOption",
    "SourceOption",
    "TerritoryOption",
    "WorkspaceOption",
    "source_settings",
]

TerritoryOption = Annotated[
    str,
    typer.Option(
        "--territory", "-t", metavar="CODE", help="Code commune INSEE, SIREN d'EPCI ou nom."
    ),
]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        metavar="ID=CHEMIN",
        help="Fichier local à utiliser pour une source (répétable).",
    ),
]
SkipOption = Annotated[
    list[str] | None,
    typer.Option("--skip", metavar="ID", help="Source facultative à ne pas utiliser (répétable)."),
]
NameOption = Annotated[
    str | None,
    typer.Option(
        "--nom",
        metavar="NOM",
        help="Nom du territoire dans les titres (ex. « Angers Loire Métropole »), à la place "
        "du nom officiel.",
    ),
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="N'utiliser que le cache et les fichiers locaux.")
]
WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace", metavar="DOSSIER", help="Dossier des espaces de travail (un par territoire)."
    ),
]


def source_settings(*, offline: bool, workspace: Path | None) -> Settings:
    """Return the settings with the ``--offline`` and ``--workspace`` options applied."""
    from quartiers.settings import get_settings

    overrides: dict[str, object] = {}
    if offline:
        overrides["offline"] = True
    if workspace is not None:
        overrides["workspace_dir"] = workspace
    return get_settings(**overrides)
