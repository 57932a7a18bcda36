"""The standing of a QPV: its index against its commune, its rank in words, its uncertainty."""

from __future__ import annotations

import re

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    as_float,
    format_gap,
    format_number,
    format_share,
)
from quartiers.report import _common as common
from quartiers.report.charts import RankedUnit
from quartiers.report.model import (
    KeyFigure,
    RankInfo,
)

__all__ = [
    "UNCERTAINTY_COLUMNS",
    "index_figures",
    "rank_info",
    "rank_window",
    "ranked_units",
    "row_value",
]

#: Columns of the uncertainty analysis (issue 6), used when present.
UNCERTAINTY_COLUMNS = ("rank_median", "rank_low", "rank_high", "p_top_quintile")
_MAX_RANKED = 25


def row_value(row: pd.Series, column: str) -> float | None:
    return as_float(row.get(column)) if column in row.index else None


def ranked_units(diag: Diagnostic) -> list[RankedUnit]:
    """Return every QPV of the diagnostic with its index, rank and rank interval if any."""
    out = []
    for _, row in diag.qpv.iterrows():
        out.append(
            RankedUnit(
                code=str(row["code_qp"]),
                name=str(row["lib_qp"]),
                index=row_value(row, "index"),
                rank=row_value(row, "rank"),
                low=row_value(row, "rank_low"),
                high=row_value(row, "rank_high"),
                median=row_value(row, "rank_median"),
            )
        )
    return out


def rank_window(units: list[RankedUnit], code: str) -> list[RankedUnit]:
    """Return at most :data:`_MAX_RANKED` units around ``code`` in rank order."""
    if len(units) <= _MAX_RANKED:
        return units
    order = sorted(units, key=lambda u: (u.rank is None, u.rank or 0, -(u.index or 0)))
    at = next(i for i, u in enumerate(order) if u.code == code)
    start = min(max(0, at - _MAX_RANKED // 2), len(order) - _MAX_RANKED)
    return order[start : start + _MAX_RANKED]


def rank_info(diag: Diagnostic, row: pd.Series) -> RankInfo:
    """Return the rank of a QPV in words, with its uncertainty interval when available."""
    rank = row_value(row, "rank")
    n_ranked = int(pd.to_numeric(diag.qpv["rank"], errors="coerce").notna().sum())
    floor = as_float(diag.record.method.settings.population_floor)
    if rank is None and str(row.get("status")) == "incomplet":
        text = (
            "Non classé : l'indice de ce QPV n'a pas toutes les dimensions des autres QPV "
            "(incomplet), il n'est donc pas comparé à eux — voir ce qui manque ci-dessous."
        )
    elif rank is None:
        text = (
            "Non classé : population carroyée sous le seuil de "
            f"{format_number(floor, 0)} habitants (les valeurs sont publiées, le rang ne "
            "serait pas fiable)."
            if str(row.get("status")) != "ok"
            else "Non classé (indice non calculable)."
        )
    else:
        text = f"{common.ordinal(int(rank))} sur {n_ranked} QPV classés du territoire"
    has = all(c in row.index for c in UNCERTAINTY_COLUMNS)
    if not has:
        return RankInfo(
            text=text,
            ranked=rank is not None,
            interval=MISSING,
            p_top_quintile=MISSING,
            robust=MISSING,
            note=(
                "Intervalle d'incertitude non disponible : l'analyse d'incertitude "
                "(Monte-Carlo sur les choix de méthode) n'a pas été lancée pour ce diagnostic."
            ),
        )
    low, high, med = (row_value(row, c) for c in ("rank_low", "rank_high", "rank_median"))
    interval = (
        f"du {common.ordinal(round(low))} au {common.ordinal(round(high))} rang "
        f"(rang médian {format_number(med, 1)})"
        if low is not None and high is not None
        else MISSING
    )
    robust_v = row.get("robust_top_quintile") if "robust_top_quintile" in row.index else None
    robust = MISSING
    if robust_v is not None and not pd.isna(robust_v):
        robust = "oui" if bool(robust_v) else "non"
    driver = row.get("main_driver") if "main_driver" in row.index else None
    return RankInfo(
        driver=str(driver) if isinstance(driver, str) and driver else MISSING,
        sensitivity=_sobol(row),
        text=text,
        ranked=rank is not None,
        interval=interval,
        p_top_quintile=format_share(row_value(row, "p_top_quintile"), 0),
        robust=robust,
        note=(
            "Intervalle de 5 % à 95 % des rangs obtenus en faisant varier les choix de "
            "méthode (normalisation, poids, agrégation, indicateurs retenus) et les valeurs "
            "estimées par l'INSEE. « Robuste » : probabilité d'être dans le quintile le plus "
            "vulnérable d'au moins 90 %, erreur du Monte Carlo retranchée." + _data_factors(diag)
        ),
    )


#: The data factors of the uncertainty analysis, in the sheet's words (issue 22).
_DATA_FACTORS = {"allocation": "Règle d'allocation", "osm_coverage": "Couverture OSM"}


def _data_factors(diag: Diagnostic) -> str:
    """Return « Règle d'allocation : … Couverture OSM : … » from ``run.json`` (or "")."""
    stated = (diag.run.get("uncertainty") or {}).get("data_factors") or {}
    parts = [
        f" {label} : {stated[key]['text']}."
        for key, label in _DATA_FACTORS.items()
        if isinstance(stated.get(key), dict) and stated[key].get("text")
    ]
    return "".join(parts)


def _sobol(row: pd.Series) -> list[tuple[str, str]]:
    """Return (method choice, total Sobol index) of the QPV, largest first (issue 6)."""
    from quartiers.diagnostic.dictionary import describe

    found = []
    for column in row.index:
        if not str(column).startswith("sobol_total_"):
            continue
        value = row_value(row, str(column))
        if value is None:
            continue
        label = describe(str(column))[0]
        m = re.search(r"«\s*(.+?)\s*»", label)
        found.append((m.group(1) if m else str(column).removeprefix("sobol_total_"), value))
    return [(name, format_share(v, 0)) for name, v in sorted(found, key=lambda kv: -kv[1])]


def index_figures(diag: Diagnostic, row: pd.Series) -> list[KeyFigure]:
    """Return the index and dimension scores of a QPV against the rest of its commune."""
    own = row_value(row, "index")
    com = common.comparison_value(diag, row, "index", "commune")
    diff = None if own is None or com is None else own - com
    out = [
        KeyFigure(
            "Indice composite", format_number(own, 2), format_number(com, 2), format_gap(diff, "")
        )
    ]
    for dim, label in DIMENSIONS.items():
        s_own = row_value(row, f"score_{dim}")
        s_com = common.comparison_value(diag, row, f"score_{dim}", "commune")
        d = None if s_own is None or s_com is None else s_own - s_com
        out.append(
            KeyFigure(
                f"Score {label.lower()}",
                format_number(s_own, 2),
                format_number(s_com, 2),
                format_gap(d, ""),
            )
        )
    quintile = row_value(row, "quintile")
    out.append(
        KeyFigure(
            "Classe de l'indice (1 à 5, 5 = 20 % des habitants les plus vulnérables)",
            format_number(quintile, 0),
            "",
            "",
        )
    )
    return out
