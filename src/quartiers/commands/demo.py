"""Command ``quartiers demo``: the whole job on the fictitious territory Ville-Témoin."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from quartiers.cli import RichProgress, app, check_output_dir, console
from quartiers.demo.generator import DEFAULT_SEED
from quartiers.errors import InputError
from quartiers.schemas import HORIZONS

__all__ = ["demo_command", "summary_table"]


def _fmt(value: object, *, percent: bool = False, digits: int = 0) -> str:
    """Format a number the French way; empty cells say so."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)  # type: ignore[arg-type]
    if percent:
        return f"{number * 100:.1f} %".replace(".", ",")
    text = f"{number:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def summary_table(qpv: pd.DataFrame, title: str) -> Table:
    """Return a French rich table summarising each QPV (population, poverty, index, rank)."""
    table = Table(title=title, box=box.SIMPLE_HEAD)
    table.add_column("QPV", no_wrap=True)
    table.add_column("Nom")
    table.add_column("Habitants", justify="right")
    table.add_column("Taux de pauvreté", justify="right")
    table.add_column("Écart au reste de la commune", justify="right")
    table.add_column("Indice", justify="right")
    table.add_column("Rang", justify="right")
    for row in qpv.sort_values("code_qp").to_dict("records"):
        gap = row.get("gap_commune_poverty_rate")
        gap_text = "—" if gap is None or pd.isna(gap) else f"{gap * 100:+.1f} pts".replace(".", ",")
        rank = row.get("rank")
        table.add_row(
            str(row["code_qp"]),
            str(row.get("lib_qp", "")),
            _fmt(row.get("population")),
            _fmt(row.get("poverty_rate"), percent=True),
            gap_text,
            _fmt(row.get("index"), digits=2),
            "non classé" if rank is None or pd.isna(rank) else str(int(rank)),
        )
    return table


@app.command(
    "demo",
    help=(
        "Générer le territoire fictif « Ville-Témoin » dans les formats officiels, puis lancer "
        "le diagnostic complet : GeoPackage, CSV, run.json et carte.html dans le dossier de sortie."
    ),
)
def demo_command(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Dossier de sortie (créé s'il n'existe pas).")
    ] = Path("demo-out"),
    force: Annotated[
        bool, typer.Option("--force", help="Réutiliser un dossier de sortie non vide.")
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Graine du générateur (même graine, même territoire).")
    ] = DEFAULT_SEED,
    horizon: Annotated[
        str,
        typer.Option("--horizon", help="Horizon climatique : ref, 2030, 2050 ou 2100."),
    ] = "ref",
) -> None:
    """Run the demo end to end and print a French summary."""
    if horizon not in HORIZONS:
        raise InputError(
            f"--horizon : horizon « {horizon} » inconnu (attendu : {', '.join(HORIZONS)})"
        )
    check_output_dir(out, force=force)
    from quartiers.demo.pipeline import run_demo

    progress = RichProgress()
    try:
        result = run_demo(out, seed=seed, horizon=horizon, progress=progress)
    finally:
        progress.close()
    console.print(
        summary_table(
            result.diagnostic.qpv_table(),
            "Ville-Témoin (territoire fictif) — quartiers prioritaires, horizon "
            + HORIZONS[horizon],
        )
    )
    console.print(f"Carte : {result.files['carte'].resolve()}")
    console.print(f"Données : {(out / 'diagnostic.gpkg').resolve()} et {(out / 'qpv.csv')}")
    console.print(f"Traçabilité : {out / 'run.json'}")
