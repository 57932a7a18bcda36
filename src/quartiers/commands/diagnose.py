"""Command ``quartiers diagnose``: inputs → heat-wave diagnostic → output directory.

The pipeline and its libraries are imported inside the command, so that ``quartiers --help``
and the other commands start without them. The option declarations are in
:mod:`quartiers.commands._diagnose_options`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from quartiers.cli import RichProgress, app, console, err_console
from quartiers.commands._diagnose_options import (
    DrawsOption,
    ForceOption,
    HorizonOption,
    MethodOption,
    NoUncertaintyOption,
    OutOption,
    PlacesOption,
    SchedulerOption,
    SeedOption,
    TerritoriesOption,
    WorkersOption,
    ZonesIdOption,
    ZonesNameOption,
    ZonesOption,
)
from quartiers.commands._options import (
    NameOption,
    OfflineOption,
    SkipOption,
    SourceOption,
    WorkspaceOption,
    source_settings,
)

if TYPE_CHECKING:
    from quartiers.diagnostic import Diagnostic
    from quartiers.method.spec import Method

__all__ = ["diagnose_command"]


@app.command(
    "diagnose", help="Diagnostic de vulnérabilité aux vagues de chaleur des QPV d'un territoire."
)
def diagnose_command(
    territory: TerritoriesOption,
    out: OutOption,
    source: SourceOption = None,
    method: MethodOption = None,
    horizon: HorizonOption = None,
    skip: SkipOption = None,
    offline: OfflineOption = False,
    workspace: WorkspaceOption = None,
    places: PlacesOption = None,
    force: ForceOption = False,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    no_uncertainty: NoUncertaintyOption = False,
    nom: NameOption = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    zones: ZonesOption = None,
    zones_id: ZonesIdOption = None,
    zones_nom: ZonesNameOption = None,
) -> None:
    """Run the diagnostic of a territory and write its output directory.

    Walking access (resources dimension) is computed when an OpenStreetMap extract is
    among the inputs; without one the index runs without it and says so. ``--zones``
    diagnoses the neighbourhoods of a file instead of the QPV.
    """
    from quartiers.atomic import output_dir
    from quartiers.diagnostic import RobustnessOptions
    from quartiers.diagnostic.basemap import build_basemap
    from quartiers.diagnostic.pipeline import diagnose, read_territories
    from quartiers.method.spec import Method
    from quartiers.report.carte_inputs import write_diagnostic_map
    from quartiers.sources.gather import parse_source_files
    from quartiers.sources.multi import with_name
    from quartiers.sources.zones import with_zones

    _check_draws_and_seed(draws, seed)
    if workers is not None and workers < 1:
        raise typer.BadParameter(
            f"{workers} : nombre de processus de calcul ≥ 1 attendu", param_hint="--workers"
        )
    settings = source_settings(offline=offline, workspace=workspace)
    local = parse_source_files(source or [])
    inputs_used = [*_flat(local.values()), *(p for p in (method, places, zones) if p)]
    progress = RichProgress()
    try:
        with output_dir(out, force=force, protect=[*inputs_used, settings.workspace_dir]) as tmp:
            chosen = Method.load(method)
            chosen_horizon = _horizon(horizon, chosen)
            inputs = read_territories(
                territory, sources=local, skip=skip or [], settings=settings, progress=progress
            )
            if zones is not None:
                inputs = with_zones(inputs, zones, id_field=zones_id, name_field=zones_nom)
            diag = diagnose(
                inputs if nom is None else with_name(inputs, nom),
                method=chosen,
                horizon=chosen_horizon,
                places=places,
                robustness=RobustnessOptions(
                    uncertainty=not no_uncertainty,
                    hotspots=not no_uncertainty,
                    draws=draws,
                    seed=seed,
                ),
                progress=progress,
                workers=workers,
                scheduler=scheduler,
            )
            progress.close()
            diag = replace(diag, basemap=build_basemap(inputs, diag.qpv))
            diag.write(tmp)
            write_diagnostic_map(diag, tmp, fictitious=False, served_as=out)
    finally:
        progress.close()
    _print_results(diag, chosen, out)


def _check_draws_and_seed(draws: int | None, seed: int | None) -> None:
    """Refuse a draw count outside 1–100 000 or a negative seed (before any work)."""
    if draws is not None and not 1 <= draws <= 100_000:
        raise typer.BadParameter(
            f"{draws} : nombre de tirages entre 1 et 100 000 attendu", param_hint="--draws"
        )
    if seed is not None and seed < 0:
        raise typer.BadParameter(
            f"{seed} : graine entière positive ou nulle attendue", param_hint="--seed"
        )


def _horizon(horizon: str | None, method: Method) -> str:
    """Return the ``--horizon`` given or the method's, refusing an unknown one."""
    from quartiers.schemas import HORIZONS

    chosen = horizon or method.horizon
    if chosen not in HORIZONS:
        raise typer.BadParameter(
            f"horizon inconnu {chosen!r} (attendu : {', '.join(HORIZONS)})",
            param_hint="--horizon",
        )
    return chosen


def _print_results(diag: Diagnostic, method: Method, out: Path) -> None:
    """Print the summary, robustness and index-label tables, what is missing, and notes."""
    from quartiers.commands._tables import print_index_labels, robustness_table, summary_table

    console.print(summary_table(diag))
    robust = robustness_table(diag)
    if robust is not None:
        console.print(robust)
    record = diag.record
    missing = record.missing_dimensions
    # only the indicators the method puts in the index: a published extra (e.g. the share
    # of top-floor dwellings) missing does not make the index « computed without » it
    used = {i for dim in method.dimensions.values() for i in dim.indicators}
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
