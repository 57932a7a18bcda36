"""Build the « notes aux élus »: one page per QPV, one for the territory (pure: no file I/O).

The sentences are made by :mod:`quartiers.report.note_content`; this module assembles them
into :class:`~quartiers.report.note_content.Note` pages that
:mod:`quartiers.report.note_render` writes as PDF and DOCX.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

import pandas as pd

from quartiers.actions.catalogue import Catalogue
from quartiers.actions.matching import suggest
from quartiers.actions.transitions import compact_lines, panel, shared_actions
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import format_number, format_share, format_value
from quartiers.report import _common as common
from quartiers.report.maps import qpv_map, territory_map
from quartiers.report.model import Chart, Contributions
from quartiers.report.note_content import (
    KeyMessage,
    Note,
    NoteAction,
    canopy_caveat,
    footer,
    index_words,
    key_messages,
    quote_of,
    rank_words,
    top_actions,
    worse_than_commune,
)

__all__ = ["qpv_note", "territory_note"]


def qpv_note(
    diag: Diagnostic,
    code_qp: str,
    catalogue: Catalogue,
    *,
    contributions: Contributions | None = None,
    generated_on: date | None = None,
    map_chart: Chart | None = None,
) -> Note:
    """Return the one-page note of a QPV (also the first page of its sheet).

    Parameters
    ----------
    diag
        The diagnostic.
    code_qp
        The QPV.
    catalogue
        Actions matched to the QPV's needs (:func:`quartiers.actions.matching.suggest`).
    contributions
        Published contributions of this QPV (None: no database was given).
    generated_on
        Date printed on the note (today when None).
    map_chart
        The QPV's map when already drawn (the sheet's); drawn here when None.

    Raises
    ------
    InputError
        The QPV is not in the diagnostic.
    """
    row = common.qpv_row(diag, code_qp)
    names = common.commune_names(diag)
    commune = names.get(str(row["insee_com"]), str(row["insee_com"]))
    messages = key_messages(diag, row)
    quote, quote_note = quote_of(contributions)
    population = pd.to_numeric(pd.Series([row.get("population")]), errors="coerce").iloc[0]
    groups = panel(diag, code_qp, catalogue)
    return Note(
        code=code_qp,
        title=str(row["lib_qp"]),
        subtitle=f"Quartier prioritaire {code_qp} — {commune}",
        residents=f"{format_number(population)} habitants (population carroyée INSEE)",
        index_text=index_words(diag, row),
        rank_text=rank_words(diag, row),
        messages=messages,
        messages_note=(
            ""
            if messages
            else "Sur les indicateurs disponibles, le quartier n'est pas plus défavorisé que "
            "le reste de sa commune."
        ),
        actions=top_actions(diag, code_qp, catalogue),
        quote=quote,
        quote_note=quote_note,
        map_chart=map_chart if map_chart is not None else qpv_map(diag, code_qp),
        footer=footer(diag, generated_on),
        transitions=tuple(compact_lines(groups)),
        transition_actions=tuple(shared_actions(groups)),
        caveat=canopy_caveat(row),
    )


def _ranked(diag: Diagnostic) -> pd.DataFrame:
    order = diag.qpv.assign(_r=pd.to_numeric(diag.qpv["rank"], errors="coerce"))
    return pd.DataFrame(order.sort_values(["_r", "code_qp"], na_position="last"))


def _territory_index(diag: Diagnostic, order: pd.DataFrame) -> str:
    ranked = order[order["_r"].notna()]
    apart = order[order["_r"].isna()]
    parts = []
    if len(ranked):
        first = [
            f"{row['lib_qp']} ({format_number(row['index'], 2)})"
            for _, row in ranked.head(3).iterrows()
        ]
        parts.append(
            f"{len(ranked)} QPV classés ; les plus vulnérables : {', '.join(first)} "
            "(indice de 0 à 1, 1 = le plus vulnérable)."
        )
    if len(apart):
        parts.append(
            f"Non classés ({len(apart)}) : "
            + ", ".join(str(n) for n in apart["lib_qp"])
            + " — indice incomplet ou population trop faible, voir leur note."
        )
    return " ".join(parts) or "Aucun QPV n'a d'indice dans ce diagnostic."


def _territory_rank(diag: Diagnostic) -> str:
    if "robust_top_quintile" not in diag.qpv.columns:
        return (
            "Intervalle de rang non disponible : l'analyse d'incertitude n'a pas été lancée "
            "pour ce diagnostic."
        )
    robust = diag.qpv[diag.qpv["robust_top_quintile"].astype("boolean").fillna(False)]
    if robust.empty:
        return (
            "Aucun QPV n'est dans la classe la plus vulnérable quels que soient les choix de "
            "méthode : les rangs sont à lire avec leur intervalle (voir les notes des QPV)."
        )
    return (
        "Dans la classe la plus vulnérable quels que soient les choix de méthode : "
        + ", ".join(str(n) for n in robust["lib_qp"])
        + "."
    )


def _territory_messages(diag: Diagnostic, order: pd.DataFrame) -> list[KeyMessage]:
    """Return the three indicators on which the most QPV lag behind their commune."""
    found: dict[str, list[tuple[KeyMessage, pd.Series]]] = defaultdict(list)
    for _, row in order.iterrows():
        for message in worse_than_commune(diag, row):
            found[message.indicator].append((message, row))
    n = len(order)
    scored = []
    for ind_id, hits in found.items():
        worst, row = max(hits, key=lambda h: h[0].gap)
        label = worst.text.split(" : ", 1)[0]
        value = format_value(row.get(ind_id), REGISTRY[ind_id].unit)
        text = (
            f"{label} : plus défavorable que dans le reste de la commune dans {len(hits)} QPV "
            f"sur {n} ; l'écart le plus marqué est à « {row['lib_qp']} » ({value})."
        )
        scored.append(KeyMessage(indicator=ind_id, text=text, gap=len(hits) + worst.gap / 100))
    scored.sort(key=lambda m: (-m.gap, m.indicator))
    return scored[:3]


def _territory_actions(
    diag: Diagnostic, codes: list[str], catalogue: Catalogue
) -> list[NoteAction]:
    """Return the three actions matched first in the most QPV (summed suggestion scores)."""
    score: dict[str, float] = defaultdict(float)
    where: dict[str, list[str]] = defaultdict(list)
    titles: dict[str, str] = {}
    names = dict(zip(diag.qpv["code_qp"].astype(str), diag.qpv["lib_qp"].astype(str), strict=True))
    for code in codes:
        for position, item in enumerate(suggest(diag, code, catalogue)):
            score[item.action.id] += item.score
            titles[item.action.id] = item.action.title
            if position < 3:
                where[item.action.id].append(names[code])
    best = sorted(score, key=lambda a: (-score[a], a))[:3]
    return [
        NoteAction(
            title=titles[a],
            why=(
                f"parmi les trois premières actions de : {', '.join(where[a])}"
                if where[a]
                else "utile dans plusieurs QPV sans y être la première"
            ),
        )
        for a in best
    ]


def territory_note(
    diag: Diagnostic,
    catalogue: Catalogue,
    *,
    contributions: Mapping[str, Contributions] | None = None,
    generated_on: date | None = None,
) -> Note:
    """Return the one-page note of the territory (all its QPV).

    Parameters
    ----------
    diag
        The diagnostic.
    catalogue
        Actions matched to each QPV's needs.
    contributions
        Published contributions per QPV (None: no database was given); the quote is the
        latest one of the most vulnerable QPV that has one.
    generated_on
        Date printed on the note (today when None).
    """
    order = _ranked(diag)
    codes = [str(c) for c in order["code_qp"]]
    qpv_pop = float(pd.to_numeric(diag.qpv["population"], errors="coerce").sum())
    cells_pop = float(pd.to_numeric(diag.cells["population"], errors="coerce").sum())
    share = format_share(qpv_pop / cells_pop if cells_pop else None, 0)
    quote, quote_note = quote_of(None)
    if contributions is not None:
        quote, quote_note = quote_of(Contributions(0, [], []))
        for code in codes:
            found, _ = quote_of(contributions.get(code))
            if found is not None:
                quote, quote_note = found, ""
                break
    messages = _territory_messages(diag, order)
    territory = common.territory_label(diag)
    return Note(
        code="",
        title=territory,
        subtitle=f"Les {len(codes)} quartiers prioritaires du territoire",
        residents=(
            f"{format_number(qpv_pop)} habitants en QPV, soit {share} des habitants du territoire"
        ),
        index_text=_territory_index(diag, order),
        rank_text=_territory_rank(diag),
        messages=messages,
        messages_note=(
            ""
            if messages
            else "Aucun QPV n'est plus défavorisé que le reste de sa commune sur les "
            "indicateurs disponibles."
        ),
        actions=_territory_actions(diag, codes, catalogue),
        quote=quote,
        quote_note=quote_note,
        map_chart=territory_map(diag),
        footer=footer(diag, generated_on),
    )
