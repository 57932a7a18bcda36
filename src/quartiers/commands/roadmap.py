"""Commands ``quartiers actions`` (catalogue, suggestions) and ``quartiers feuille-de-route``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from quartiers.atomic import output_file
from quartiers.cli import app, console, err_console
from quartiers.defaults import DEFAULT_CHOSEN
from quartiers.errors import InputError

if TYPE_CHECKING:
    from quartiers.actions.choices import Choice
    from quartiers.actions.roadmap import Roadmap
    from quartiers.actions.whatif import WhatIfResult
    from quartiers.actions.workshop import Workshop
    from quartiers.participation.priorities import SessionResults

__all__ = ["actions_command", "roadmap_command"]

_CATALOGUE_HELP = "Catalogue d'actions YAML à utiliser (défaut : catalogue fourni)."


@app.command(
    "actions",
    help="Lister le catalogue des actions d'adaptation, ou celles suggérées pour un QPV.",
)
def actions_command(
    diagnostic: Annotated[
        Path | None,
        typer.Option(
            "--diagnostic", "-d", metavar="DOSSIER", help="Dossier d'un diagnostic (avec --qpv)."
        ),
    ] = None,
    qpv: Annotated[
        str | None, typer.Option("--qpv", metavar="CODE", help="QPV dont classer les actions.")
    ] = None,
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", metavar="FICHIER", help=_CATALOGUE_HELP)
    ] = None,
) -> None:
    """Print the catalogue, or the actions ranked for a QPV of a diagnostic."""
    from quartiers.actions.catalogue import default_catalogue, load_catalogue
    from quartiers.actions.vocabulary import COST_UNITS
    from quartiers.actions.workshop import Workshop
    from quartiers.outputs.formatting import format_euro_range

    actions = load_catalogue(catalogue) if catalogue else default_catalogue()
    if (diagnostic is None) != (qpv is None):
        raise InputError("--diagnostic et --qpv vont ensemble (dossier du diagnostic et code QPV)")
    if diagnostic is not None and qpv is not None:
        workshop = Workshop.open(diagnostic, catalogue=actions)
        table = Table(
            title=f"Actions suggérées pour le QPV {qpv} — {workshop.name}",
            box=box.SIMPLE_HEAD,
            caption="Ordre : besoin du quartier × impact × habitants concernés, puis coût.",
        )
        table.add_column("Rang", justify="right")
        table.add_column("Action (identifiant)", overflow="fold", ratio=3)
        table.add_column("Répond à", overflow="fold", ratio=3)
        table.add_column("Investissement", overflow="fold", ratio=2)
        for n, s in enumerate(workshop.suggestions(qpv), start=1):
            why = s.driver.label if s.driver else "—"
            cost = format_euro_range(s.cost_low, s.cost_high)
            if s.cost_high == 0:
                cost = f"{format_euro_range(s.running_low, s.running_high)} par an"
            table.add_row(str(n), f"{s.action.title} ({s.action.id})", why, cost)
        console.print(table)
        return
    table = Table(title=actions.title, box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Identifiant", no_wrap=True)
    table.add_column("Action", overflow="fold", ratio=3)
    table.add_column("Type", no_wrap=True)
    table.add_column("Coût", overflow="fold", ratio=2)
    table.add_column("Simulée", no_wrap=True)
    for a in actions.actions:
        cost = f"{format_euro_range(a.cost.low, a.cost.high)} {COST_UNITS[a.cost.per]}"
        kind = a.type_label.split(" (")[0].removeprefix("solution ")
        table.add_row(a.id, a.title, kind, cost, "non" if a.lever.kind == "none" else "oui")
    console.print(table)
    console.print("Détail de chaque action et de sa simulation : docs/actions.md.")


@app.command(
    "feuille-de-route",
    help="Écrire la feuille de route (projet) d'un QPV pour le contrat de ville (DOCX ou PDF).",
)
def roadmap_command(
    directory: Annotated[Path, typer.Argument(metavar="DOSSIER", help="Dossier du diagnostic.")],
    qpv: Annotated[str, typer.Option("--qpv", metavar="CODE", help="Code du QPV (QPV 2024).")],
    actions: Annotated[
        str | None,
        typer.Option(
            "--actions",
            metavar="ID,ID",
            help=f"Actions retenues (défaut : les {DEFAULT_CHOSEN} premières suggestions).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FICHIER", help="Fichier .docx, .pdf ou .html à écrire."
        ),
    ] = None,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate",
            help="Simuler les actions (indice et rang recalculés, sans analyse d'incertitude) "
            "pour chiffrer les cibles.",
        ),
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            metavar="DOSSIER",
            help="Espace de travail du territoire (données d'entrée de la simulation).",
        ),
    ] = None,
    first_year: Annotated[
        int | None,
        typer.Option("--year", metavar="AAAA", help="Année de démarrage des actions."),
    ] = None,
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", metavar="FICHIER", help=_CATALOGUE_HELP)
    ] = None,
    contributions: Annotated[
        str | None,
        typer.Option(
            "--contributions",
            metavar="BASE",
            help=(
                "Base des contributions (URL ou fichier SQLite) : ajouter les priorités "
                "exprimées en atelier (votes des habitants)."
            ),
        ),
    ] = None,
) -> None:
    """Write the draft roadmap of a QPV (baselines from the diagnostic, targets simulated)."""
    from quartiers.actions.catalogue import default_catalogue, load_catalogue
    from quartiers.actions.export import write_roadmap
    from quartiers.actions.roadmap import build_roadmap
    from quartiers.actions.workshop import Workshop

    out = _out_path(out, qpv)
    chosen = load_catalogue(catalogue) if catalogue else default_catalogue()
    workshop = Workshop.open(directory, catalogue=chosen, workspace=workspace)
    choices = _choices(workshop, qpv, actions)
    full = workshop.complete(qpv, choices)
    result = _simulated(workshop, qpv, choices) if simulate else None
    votes = None if contributions is None else _votes(contributions, workshop.code, qpv)
    roadmap = build_roadmap(
        workshop.diagnostic,
        qpv,
        full,
        catalogue=chosen,
        whatif=result,
        first_year=first_year,
        votes=votes,
    )
    with output_file(out, force=True) as tmp:
        write_roadmap(roadmap, tmp)
    _print_written(out, roadmap, simulate=simulate)


def _simulated(workshop: Workshop, qpv: str, choices: list[Choice]) -> WhatIfResult:
    """Run the what-if of the chosen actions, saying first what it computes."""
    from quartiers.actions.whatif import WHATIF_SCOPE

    scope = WHATIF_SCOPE.removeprefix("simulation ")
    err_console.print(f"Simulation : données d'entrée relues, {scope}…")
    return workshop.whatif(qpv, choices)


def _out_path(out: Path | None, qpv: str) -> Path:
    """The file to write (``feuille-de-route-<QPV>.docx`` by default), its format checked."""
    from quartiers.actions.export import FORMATS

    out = out or Path(f"feuille-de-route-{qpv}.docx")
    if out.suffix.lower() not in FORMATS:
        raise InputError(f"{out} : format de sortie inconnu (attendu .docx, .pdf ou .html)")
    return out


def _choices(workshop: Workshop, qpv: str, actions: str | None) -> list[Choice]:
    """The actions given with ``--actions``, or the first suggestions for the QPV."""
    from quartiers.actions.choices import Choice

    if actions:
        return [Choice(action=i.strip()) for i in actions.split(",") if i.strip()]
    return [s.choice for s in workshop.suggestions(qpv, limit=DEFAULT_CHOSEN)]


def _votes(contributions: str, territory: str, qpv: str) -> SessionResults | None:
    """The residents' workshop votes for the QPV, read from the contributions base."""
    from quartiers.participation.priorities import read_votes
    from quartiers.report.contributions import database_url

    return read_votes(database_url(contributions), territory, qpv)


def _print_written(out: Path, roadmap: Roadmap, *, simulate: bool) -> None:
    """Tell which file was written, with which actions (and how to quantify targets)."""
    titles = ", ".join(a.title for a in roadmap.actions)
    console.print(
        f"Feuille de route écrite dans {out} ({len(roadmap.actions)} actions : {titles})."
    )
    if not simulate:
        err_console.print(
            "Cibles à fixer en atelier : relancez avec --simulate pour les chiffrer par simulation."
        )
