"""The QPV list: its orders and its search by name, commune or code (accents ignored).

A national diagnostic has some 1,600 QPV: the API and the territory page list them page
by page and find them by a few words typed by people (« st etienne », « QZ0440 »,
« Rézé »), each word matching the start of a word of the QPV's name, code, commune names
or codes, whatever the accents and case (:func:`quartiers.text.fold`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from quartiers.outputs.quantities import INDEX_ID
from quartiers.sources.territory_codes import DEPARTEMENTS, REGIONS, departement_code
from quartiers.text import fold
from quartiers.web.catalog import TerritoryData

__all__ = [
    "BRIEF_ROWS",
    "QPV_PAGE",
    "QPV_SORTS",
    "Listing",
    "listing",
    "matches",
    "qpv_order",
    "qpv_regions",
    "region_choices",
    "search_keys",
]

#: QPV per page of the territory page's table.
QPV_PAGE = 50
#: QPV of the first screen's brief table.
BRIEF_ROWS = 10

#: Orders of the QPV list: name → French description.
QPV_SORTS: dict[str, str] = {
    "rank": "rang (1 = plus vulnérable), QPV non classés à la fin",
    "index": "indice décroissant",
    "rank_interval": "borne basse puis haute de l'intervalle de rang (analyse d'incertitude)",
    "code_qp": "code du QPV",
    "lib_qp": "nom du QPV",
}


def _missing_last(value: float, *, descending: bool = False) -> tuple[bool, float]:
    """Sort key putting NaN last."""
    if not math.isfinite(value):
        return (True, 0.0)
    return (False, -value if descending else value)


def qpv_order(td: TerritoryData, sort: str) -> list[int]:
    """Return the QPV row positions in the order ``sort`` (see :data:`QPV_SORTS`)."""
    q = td.qpv

    def col(name: str) -> list[float]:
        if name not in q.columns:
            return [math.nan] * len(q)
        values = pd.to_numeric(q[name], errors="coerce").astype("Float64")
        return [float(v) for v in values.to_numpy(dtype="float64", na_value=math.nan)]

    codes = [str(c) for c in q["code_qp"]]
    keys: list[tuple[Any, ...]]
    if sort == "index":
        keys = [_missing_last(v, descending=True) for v in col(INDEX_ID)]
    elif sort == "rank_interval":
        keys = [
            (*_missing_last(lo), *_missing_last(hi), *_missing_last(rk))
            for lo, hi, rk in zip(col("rank_low"), col("rank_high"), col("rank"), strict=True)
        ]
    elif sort == "lib_qp":
        keys = [(str(v).casefold(),) for v in q["lib_qp"]]
    elif sort == "code_qp":
        keys = [()] * len(q)
    else:
        keys = [_missing_last(v) for v in col("rank")]
    return sorted(range(len(q)), key=lambda i: (*keys[i], codes[i]))


def search_keys(td: TerritoryData) -> list[str]:
    """Return, for each QPV row, its folded name, code, commune names and codes."""
    q = td.qpv
    coms = q["insee_coms"] if "insee_coms" in q.columns else q.get("insee_com")
    out = []
    for i, code in enumerate(q["code_qp"]):
        name = q["lib_qp"].iloc[i] if "lib_qp" in q.columns else ""
        communes = td.commune_label(str(coms.iloc[i])) if coms is not None else ""
        out.append(" " + fold(f"{name} {code} {communes}") + " ")
    return out


def matches(key: str, query: str) -> bool:
    """Tell whether every word of ``query`` starts a word of a :func:`search_keys` entry."""
    return all(f" {word}" in key for word in fold(query).split())


def qpv_regions(td: TerritoryData) -> list[str]:
    """Return the région code of each QPV row (that of its first commune; "" if unknown)."""
    q = td.qpv
    coms = q["insee_coms"] if "insee_coms" in q.columns else q["insee_com"]
    out = []
    for value in coms:
        first = str(value).split(",")[0].strip()
        out.append(DEPARTEMENTS.get(departement_code(first), ("", ""))[1] if first else "")
    return out


def region_choices(td: TerritoryData) -> list[tuple[str, str, int]]:
    """Return ``(code, name, QPV count)`` of the régions of a territory spanning several."""
    counts: dict[str, int] = {}
    for reg in qpv_regions(td):
        if reg in REGIONS:
            counts[reg] = counts.get(reg, 0) + 1
    if len(counts) < 2:
        return []
    return sorted(((c, REGIONS[c], n) for c, n in counts.items()), key=lambda r: fold(r[1]))


@dataclass
class Listing:
    """One page of the QPV table, after the search (see :func:`listing`)."""

    rows: list[dict[str, Any]]
    apart: list[dict[str, Any]]
    brief: list[dict[str, Any]]
    matched: int
    total: int
    page: int
    pages: int
    first: int
    last: int


def listing(
    ranked: list[dict[str, Any]],
    apart: list[dict[str, Any]],
    keys: dict[str, str],
    *,
    query: str | None,
    page: int | None,
) -> Listing:
    """Return one page of the ranked QPV rows matching ``query`` (all the matching apart).

    ``keys`` gives the :func:`search_keys` entry of each QPV code; pages hold
    :data:`QPV_PAGE` rows; a page past the last gives the last one.
    """
    total = len(ranked) + len(apart)
    if query and query.strip():
        ranked = [r for r in ranked if matches(keys.get(r["code_qp"], ""), query)]
        apart = [r for r in apart if matches(keys.get(r["code_qp"], ""), query)]
    pages = max(1, math.ceil(len(ranked) / QPV_PAGE))
    number = min(max(page or 1, 1), pages)
    start = (number - 1) * QPV_PAGE
    shown = ranked[start : start + QPV_PAGE]
    return Listing(
        rows=shown,
        apart=apart,
        brief=(shown + apart)[:BRIEF_ROWS],
        matched=len(ranked) + len(apart),
        total=total,
        page=number,
        pages=pages,
        first=start + 1 if shown else 0,
        last=start + len(shown),
    )
