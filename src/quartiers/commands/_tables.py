"""French tables printed by ``quartiers diagnose`` and ``quartiers demo`` (rich)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from rich import box
from rich.table import Table

from quartiers.cli import console, err_console
from quartiers.outputs.formatting import (
    SHARE_UNIT,
    as_float,
    format_gap,
    format_number,
    format_share,
)
from quartiers.text import zone_words

if TYPE_CHECKING:
    from quartiers.diagnostic import Diagnostic

__all__ = [
    "CONSOLE_ROWS",
    "LISTED_CODES",
    "print_index_labels",
    "robustness_table",
    "summary_table",
]

#: Rows of a table printed in the terminal; beyond, the first ones and where all the others are
#: (a national diagnostic has 1,600 QPV: qpv.csv and the map hold them all).
CONSOLE_ROWS = 50
#: Codes named in one line about several QPV set apart for the same reason.
LISTED_CODES = 10


def _zones(diag: Diagnostic) -> bool:
    """Return whether the run diagnosed the user's zones (``--zones``) instead of QPV."""
    return bool(diag.record.input_notes.get("zones"))


def _words(diag: Diagnostic, text: str) -> str:
    """Return ``text`` speaking of zones in a ``--zones`` run, unchanged otherwise."""
    return zone_words(text) if _zones(diag) else text


def print_index_labels(diag: Diagnostic) -> None:
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
    for line in _apart_lines(apart, zones=_zones(diag)):
        err_console.print(line, highlight=False)


def _apart_lines(apart: pd.DataFrame, *, zones: bool) -> list[str]:
    """Return one line per reason the QPV of ``apart`` are set apart (French).

    A reason shared by several QPV (a layer missing from most of a national run) is said
    once, with their number and the first :data:`LISTED_CODES` codes, not once per QPV.
    """
    unit, units = ("Zone", "zones") if zones else ("QPV", "QPV")
    one, several = ("publiée", "publiées") if zones else ("publié", "publiés")
    lines = []
    details = apart["status_detail"].astype(str)
    for detail in dict.fromkeys(details):
        rows = apart[details == detail]
        if len(rows) == 1:
            row = rows.iloc[0]
            lines.append(f"{unit} {row['code_qp']} ({row['lib_qp']}) {one} à part : {detail}")
            continue
        codes = [str(c) for c in rows["code_qp"]]
        named = ", ".join(codes[:LISTED_CODES])
        if len(codes) > LISTED_CODES:
            named += "… ; liste complète dans qpv.csv, colonne status « incomplet »"
        lines.append(f"{len(codes)} {units} {several} à part ({named}) : {detail}")
    return lines


def _shown(q: pd.DataFrame, what: str) -> tuple[pd.DataFrame, str]:
    """Return the first :data:`CONSOLE_ROWS` rows of ``q`` and a caption saying so ('' if all)."""
    if len(q) <= CONSOLE_ROWS:
        return q, ""
    return q.head(CONSOLE_ROWS), (
        f"Les {CONSOLE_ROWS} premiers des {format_number(len(q))} {what} ; tous dans qpv.csv "
        "et sur la carte. "
    )


def summary_table(diag: Diagnostic) -> Table:
    """Return the French summary table of the QPV (rank order, then the unranked)."""
    run = diag.record
    title = f"{run.territory.name} ({run.territory.code}) — horizon {run.horizon.label}"
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        caption=_words(
            diag,
            "Écart : taux de pauvreté du QPV moins celui du reste de la commune. "
            "n.s. : non significatif (population sous le seuil), publié mais non classé. "
            "incomplet : indice sans une dimension que les autres QPV ont, non classé.",
        ),
    )
    table.add_column("Rang", justify="right", no_wrap=True)
    table.add_column("Zone" if _zones(diag) else "QPV", no_wrap=True)
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
    q, shown = _shown(q, "zones" if _zones(diag) else "QPV")
    table.caption = f"{shown}{table.caption}"
    ranks = q["rank"].astype("Float64").to_numpy(dtype="float64", na_value=math.nan)
    gaps = q["gap_commune_poverty_rate"].to_numpy(dtype="float64")
    for i, row in enumerate(q.itertuples()):
        unranked = "incomplet" if str(getattr(row, "status", "")) == "incomplet" else "n.s."
        cells = [
            str(int(ranks[i])) if math.isfinite(ranks[i]) else unranked,
            str(row.code_qp),
            str(row.lib_qp),
            format_number(row.population),
            format_share(row.poverty_rate),
            format_gap(gaps[i], SHARE_UNIT),
            format_number(row.index, 2),
        ]
        if hazard:
            level = getattr(row, "hazard_level", math.nan)
            cells.append(format_number(level, 2))
        table.add_row(*cells)
    if hazard:
        table.caption = (
            f"{table.caption} Aléa : niveau d'aléa climatique de l'horizon (0–1, hors "
            "classement ; docs/method.md, § 3)."
        )
    return table


def robustness_table(diag: Diagnostic) -> Table | None:
    """Return the French table of rank intervals of the ranked QPV (None when not computed)."""
    unc = diag.record.uncertainty
    if not unc.enabled:
        return None
    few = unc.few_ranked
    first = (
        "Habitants en quintile 5 : part des habitants du QPV dans des carreaux du quintile le "
        "plus vulnérable (entre parenthèses : 90 % des variantes ; moins de 5 QPV classés, "
        "un intervalle de rang ne dirait rien)."
        if few
        else "Rang 90 % : rangs obtenus dans 90 % des variantes."
    )
    table = Table(
        title=f"Solidité des rangs ({unc.draws} variantes de la méthode)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        caption=_words(
            diag,
            f"{first} Quintile 5 : part des variantes où le QPV est parmi les 20 % "
            "d'habitants les plus vulnérables du territoire, ± son erreur type (robuste : au "
            "moins 90 % en retranchant 1,645 erreur type). Voir docs/method.md, § 12.",
        ),
    )
    table.add_column("Rang", justify="right", no_wrap=True)
    table.add_column("Zone" if _zones(diag) else "QPV", no_wrap=True)
    table.add_column("Habitants en quintile 5" if few else "Rang 90 %", justify="right")
    table.add_column("Quintile 5", justify="right", no_wrap=True)
    table.add_column("Robuste", no_wrap=True)
    table.add_column("Choix qui pèse le plus", overflow="fold")
    q = diag.qpv_table()
    q = q[q["rank"].notna()].sort_values(["rank", "code_qp"])
    q, shown = _shown(q, "zones classées" if _zones(diag) else "QPV classés")
    table.caption = f"{shown}{table.caption}"
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
    """Return the rank interval ('' if absent) or top-quintile residents, and probability."""
    interval = ""
    if few:
        share = getattr(row, "share_residents_top_quintile_cells", None)
        low = getattr(row, "share_residents_top_quintile_cells_low", None)
        high = getattr(row, "share_residents_top_quintile_cells_high", None)
        if share is not None and not pd.isna(share):
            interval = format_share(share, 0)
            if not (low is None or high is None or pd.isna(low) or pd.isna(high)):
                interval += f" ({format_number(float(low) * 100)}–{format_share(high, 0)})"
    else:
        low, high = getattr(row, "rank_low", None), getattr(row, "rank_high", None)
        if not (pd.isna(low) or pd.isna(high)):
            interval = f"{int(low)}–{int(high)}" if low != high else f"{int(low)}"
    p = getattr(row, "p_top_quintile", None)
    prob = format_share(p, 0)
    se = as_float(getattr(row, "p_top_quintile_se", None))
    if as_float(p) is not None and se is not None:
        prob += f" ± {format_number(se * 100, 1)}"
    return interval, prob
