"""Command ``quartiers diagnose``: inputs → heat-wave diagnostic → output directory."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from quartiers.access import compute_access
from quartiers.atomic import output_dir
from quartiers.cli import RichProgress, app, console, err_console
from quartiers.commands._options import (
    OfflineOption,
    SkipOption,
    SourceOption,
    WorkspaceOption,
    source_settings,
)
from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.errors import InputError
from quartiers.method.spec import (
    Method,
    default_method,
    load_method,
    packaged_method,
    packaged_methods,
)
from quartiers.report._carte_inputs import write_diagnostic_map
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.sources._gather import parse_source_files
from quartiers.sources.load import city_file_provenance, load_inputs
from quartiers.sources.multi import merge_inputs

__all__ = ["diagnose_command", "robustness_table", "summary_table"]


def _number(value: object, digits: int = 0) -> str:
    """Format a number the French way (thin space thousands, decimal comma); '' if empty."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(x):
        return ""
    text = f"{x:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def _percent(value: object) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    text = _number(x * 100, 1)
    return f"{text} %" if text else ""


def _print_index_labels(diag: Diagnostic) -> None:
    """Say what the index measures, what is missing, and which QPV are set apart (French)."""
    q = diag.qpv_table()
    if "index_label" not in q.columns:
        return
    apart = q[q["status"].astype(str) == "incomplet"]
    kept = q[q["status"].astype(str) != "incomplet"]
    for label in dict.fromkeys(str(v) for v in kept["index_label"] if str(v)):
        console.print(f"Ce que mesure l'indice : {label}.", highlight=False)
    for note in dict.fromkeys(str(v) for v in kept["index_note"] if str(v)):
        err_console.print(note, highlight=False)
    for row in apart.itertuples():
        err_console.print(
            f"QPV {row.code_qp} ({row.lib_qp}) publié à part : {row.status_detail}",
            highlight=False,
        )


def summary_table(diag: Diagnostic) -> Table:
    """Return the French summary table of the QPV (rank order, then the unranked)."""
    run = diag.run
    title = (
        f"{run['territory']['name']} ({run['territory']['code']}) — horizon "
        f"{run['horizon']['label']}"
    )
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        caption=(
            "Écart : taux de pauvreté du QPV moins celui du reste de la commune. "
            "n.s. : non significatif (population sous le seuil), publié mais non classé. "
            "incomplet : indice sans une dimension que les autres QPV ont, non classé."
        ),
    )
    table.add_column("Rang", justify="right", no_wrap=True)
    table.add_column("QPV", no_wrap=True)
    table.add_column("Nom", overflow="fold", min_width=14)
    table.add_column("Habitants", justify="right", no_wrap=True)
    table.add_column("Pauvreté", justify="right", no_wrap=True)
    table.add_column("Écart", justify="right", no_wrap=True)
    table.add_column("Indice", justify="right", no_wrap=True)
    hazard = "hazard_level" in diag.qpv.columns
    if hazard:
        table.add_column("Aléa", justify="right", no_wrap=True)
    q = diag.qpv_table()
    q = q.assign(_order=q["rank"].astype("Float64").fillna(math.inf)).sort_values(
        ["_order", "code_qp"]
    )
    ranks = q["rank"].astype("Float64").to_numpy(dtype="float64", na_value=math.nan)
    gaps = q["gap_commune_poverty_rate"].to_numpy(dtype="float64")
    for i, row in enumerate(q.itertuples()):
        gap = float(gaps[i])
        gap_text = ""
        if math.isfinite(gap):
            gap_text = f"{'+' if gap >= 0 else '−'}{_number(abs(gap) * 100, 1)} pts"
        unranked = "incomplet" if str(getattr(row, "status", "")) == "incomplet" else "n.s."
        cells = [
            str(int(ranks[i])) if math.isfinite(ranks[i]) else unranked,
            str(row.code_qp),
            str(row.lib_qp),
            _number(row.population),
            _percent(row.poverty_rate),
            gap_text,
            _number(row.index, 2),
        ]
        if hazard:
            level = getattr(row, "hazard_level", math.nan)
            cells.append("" if pd.isna(level) else _number(float(level), 2))
        table.add_row(*cells)
    if hazard:
        table.caption = (
            f"{table.caption} Aléa : niveau d'aléa climatique de l'horizon (0–1, hors "
            "classement ; docs/method.md, § 3)."
        )
    return table


def robustness_table(diag: Diagnostic) -> Table | None:
    """Return the French table of rank intervals of the ranked QPV (None when not computed)."""
    unc = diag.run.get("uncertainty", {})
    if not unc.get("enabled"):
        return None
    few = bool(unc.get("few_ranked"))
    first = (
        "Habitants en quintile 5 : part des habitants du QPV dans des carreaux du quintile le "
        "plus vulnérable (entre parenthèses : 90 % des variantes ; moins de 5 QPV classés, "
        "un intervalle de rang ne dirait rien)."
        if few
        else "Rang 90 % : rangs obtenus dans 90 % des variantes."
    )
    table = Table(
        title=f"Solidité des rangs ({unc['draws']} variantes de la méthode)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        caption=(
            f"{first} Quintile 5 : part des variantes où le QPV est parmi les 20 % "
            "d'habitants les plus vulnérables du territoire, ± son erreur type (robuste : au "
            "moins 90 % en retranchant 1,645 erreur type). Voir docs/method.md, § 12."
        ),
    )
    table.add_column("Rang", justify="right", no_wrap=True)
    table.add_column("QPV", no_wrap=True)
    table.add_column("Habitants en quintile 5" if few else "Rang 90 %", justify="right")
    table.add_column("Quintile 5", justify="right", no_wrap=True)
    table.add_column("Robuste", no_wrap=True)
    table.add_column("Choix qui pèse le plus", overflow="fold")
    q = diag.qpv_table()
    q = q[q["rank"].notna()].sort_values(["rank", "code_qp"])
    for row in q.itertuples():
        interval, prob = _robustness_cells(row, few=few)
        robust = getattr(row, "robust_top_quintile", None)
        driver = getattr(row, "main_driver", None)
        table.add_row(
            str(row.rank),
            str(row.code_qp),
            interval,
            prob,
            "" if pd.isna(robust) else ("oui" if bool(robust) else "non"),
            "" if pd.isna(driver) else str(driver),
        )
    return table


def _robustness_cells(row: object, *, few: bool = False) -> tuple[str, str]:
    """Return the rank interval (or top-quintile residents) and probability ('' if absent)."""
    interval = ""
    if few:
        share = getattr(row, "share_residents_top_quintile_cells", None)
        low = getattr(row, "share_residents_top_quintile_cells_low", None)
        high = getattr(row, "share_residents_top_quintile_cells_high", None)
        if share is not None and not pd.isna(share):
            interval = _number(float(share) * 100) + " %"
            if not (low is None or high is None or pd.isna(low) or pd.isna(high)):
                interval += f" ({_number(float(low) * 100)}–{_number(float(high) * 100)} %)"
    else:
        low, high = getattr(row, "rank_low", None), getattr(row, "rank_high", None)
        if not (pd.isna(low) or pd.isna(high)):
            interval = f"{int(low)}–{int(high)}" if low != high else f"{int(low)}"
    p = getattr(row, "p_top_quintile", None)
    prob = "" if p is None or pd.isna(p) else _number(float(p) * 100) + " %"
    se = getattr(row, "p_top_quintile_se", None)
    if prob and se is not None and not pd.isna(se):
        prob += f" ± {_number(float(se) * 100, 1)}"
    return interval, prob


def _method(method: Path | None) -> Method:
    """Return the method of ``--method``: a YAML file, or a packaged method name (``v1``)."""
    if method is None:
        return default_method()
    if not method.exists() and str(method) in packaged_methods():
        return packaged_method(str(method))
    return load_method(method)


def _access(
    inputs: TerritoryInputs, progress: RichProgress, places: Path | None = None
) -> pd.DataFrame | None:
    """Compute walking access when an OpenStreetMap extract came with the inputs."""
    if inputs.osm_path is None:
        if places is not None:
            raise InputError(
                f"{places} : la liste de lieux de la ville sert au calcul de l'accès à pied, "
                "qui demande un extrait OpenStreetMap (--source osm=…)"
            )
        return None
    territory = inputs.notes.get("territory", {})
    bbox = territory.get("bbox_2154") if isinstance(territory, dict) else None
    return compute_access(
        inputs,
        bbox_2154=tuple(bbox) if bbox is not None and len(bbox) == 4 else None,
        changes_csv=places,
        progress=progress,
    )


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
            chosen = _method(method)
            horizon = horizon or chosen.horizon
            if horizon not in HORIZONS:
                raise typer.BadParameter(
                    f"horizon inconnu {horizon!r} (attendu : {', '.join(HORIZONS)})",
                    param_hint="--horizon",
                )
            inputs = merge_inputs(
                [
                    load_inputs(
                        code,
                        local,
                        settings=settings,
                        progress=progress,
                        skip=[s.lower() for s in skip or []],
                    )
                    for code in dict.fromkeys(territory)
                ]
            )
            if places is not None:
                inputs.provenance.append(
                    city_file_provenance("places", places, title="lieux déclarés par la ville")
                )
            access = _access(inputs, progress, places)
            diag = run_diagnostic(
                inputs,
                method=chosen,
                horizon=horizon,
                access=access,
                progress=progress,
                robustness=RobustnessOptions(
                    uncertainty=not no_uncertainty,
                    hotspots=not no_uncertainty,
                    draws=draws,
                    seed=seed,
                ),
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
    missing = diag.run.get("missing_dimensions", [])
    absent = diag.run.get("missing_indicators", {})
    if missing or absent:
        err_console.print(
            "Indicateurs absents (l'indice est calculé sans eux) : "
            + ", ".join(sorted(absent))
            + (f" ; dimensions absentes : {', '.join(missing)}" if missing else ""),
            highlight=False,
        )
    _print_index_labels(diag)
    for note in diag.run.get("notes", []):
        err_console.print(f"Remarque : {note}", highlight=False)
    console.print(f"Résultats écrits dans {out} (qpv.csv, diagnostic.gpkg, run.json, carte.html…)")


def _flat(values: Iterable[Path | Sequence[Path]]) -> list[Path]:
    """Return the paths of ``--source`` options (one path or several per source)."""
    out: list[Path] = []
    for value in values:
        out.extend([value] if isinstance(value, Path) else value)
    return out
