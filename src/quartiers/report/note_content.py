"""What a « note aux élus » says: one page per QPV and one for the territory (pure content).

A note is read by an elected official in two minutes: the neighbourhood's name and residents,
its index in words with its rank interval (or « incomplet » and why), three key messages
generated from its largest gaps to the rest of its commune, the three actions the catalogue
matches best, one published residents' quote and a small map. Every number is written by the
one formatter (:mod:`quartiers.outputs.formatting`); the index classes are those of the web
map (:func:`quartiers.outputs.legends.diagnostic_legend`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from quartiers.actions.catalogue import Catalogue
from quartiers.actions.matching import suggest
from quartiers.actions.transitions import TransitionAction, TransitionLine
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.classes import class_of
from quartiers.outputs.formatting import (
    SHARE_UNIT,
    as_float,
    format_gap,
    format_number,
    format_value,
)
from quartiers.outputs.legends import diagnostic_legend
from quartiers.report import _common as common
from quartiers.report.context import rank_info
from quartiers.report.model import Chart, Contributions

__all__ = [
    "KeyMessage",
    "Note",
    "NoteAction",
    "Quote",
    "footer",
    "index_words",
    "key_messages",
    "quote_of",
    "rank_words",
    "top_actions",
    "worse_than_commune",
]

#: Words of the five index classes of the web map (class 1 = lightest colour).
_CLASS_WORDS = (
    "parmi les moins vulnérables du territoire",
    "plutôt moins vulnérable que la moyenne du territoire",
    "dans la moyenne du territoire",
    "plutôt plus vulnérable que la moyenne du territoire",
    "parmi les plus vulnérables du territoire",
)
#: A share below this on both sides makes no message (a relative gap between two
#: tiny shares is noise, not a finding).
_MIN_SHARE = 0.02
_MESSAGES = 3
#: A relative gap below this (5 %) is not a finding worth a key message.
_MIN_GAP = 0.05


@dataclass(frozen=True)
class KeyMessage:
    """One sentence on an indicator where the QPV lags behind the rest of its commune."""

    indicator: str
    text: str
    gap: float


@dataclass(frozen=True)
class NoteAction:
    """An action the catalogue matches, and why (the need it answers)."""

    title: str
    why: str


@dataclass(frozen=True)
class Quote:
    """A published residents' contribution, quoted as written."""

    text: str
    source: str


@dataclass(frozen=True)
class Note:
    """Everything one page of a note shows (a QPV, or the territory when ``code`` is empty)."""

    code: str
    title: str
    subtitle: str
    residents: str
    index_text: str
    rank_text: str
    messages: list[KeyMessage]
    messages_note: str
    actions: list[NoteAction]
    quote: Quote | None
    quote_note: str
    map_chart: Chart
    footer: str
    #: One line per transition (climate, nature, food, energy): a QPV's note only.
    transitions: tuple[TransitionLine, ...] = ()
    #: The catalogue actions serving the most transitions at once (a QPV's note only).
    transition_actions: tuple[TransitionAction, ...] = ()
    caveat: str = ""


def canopy_caveat(row: pd.Series) -> str:
    """Return the QPV's OpenStreetMap tree-mapping warning as a sentence (empty when none)."""
    value = row.get("canopy_warning") if "canopy_warning" in row.index else None
    if not isinstance(value, str) or not value.strip():
        return ""
    return f"À vérifier — canopée : {value.strip()}."


def index_words(diag: Diagnostic, row: pd.Series) -> str:
    """Return the QPV's index in words: value, class of the web map, or why it is incomplete."""
    value = as_float(row.get("index"))
    status = str(row.get("status") or "")
    if status == "incomplet" or value is None:
        detail = str(row.get("status_detail") or "").strip()
        why = f" : {detail}" if detail else ""
        return f"Indice incomplet{why}. Le quartier n'est pas classé avec les autres QPV."
    legend = diagnostic_legend(diag, "index")
    k = int(class_of(np.asarray([value]), legend.breaks)[0])
    words = _CLASS_WORDS[min(max(k, 0), len(_CLASS_WORDS) - 1)]
    return (
        f"Indice de vulnérabilité aux vagues de chaleur : {format_number(value, 2)} sur 1, "
        f"{words} (classe {k + 1} sur 5 de la carte)."
    )


def rank_words(diag: Diagnostic, row: pd.Series) -> str:
    """Return the rank and its uncertainty interval in one sentence."""
    info = rank_info(diag, row)
    if not info.ranked:
        return info.text
    text = f"Rang : {info.text}"
    if info.interval != "non disponible":
        text += f" ; selon les choix de méthode, {info.interval}"
    return text + "."


def _gap_words(value: float, rest: float, unit: str) -> str:
    """Return the gap to the rest of the commune in the unit a reader expects."""
    if unit == SHARE_UNIT:
        return format_gap(value - rest, unit)
    ratio = value / rest
    more = "de plus" if ratio >= 1 else "de moins"
    return f"{format_number(abs(ratio - 1) * 100, 0)} % {more}"


def worse_than_commune(diag: Diagnostic, row: pd.Series) -> list[KeyMessage]:
    """Return a message for every indicator where the QPV is worse than the rest of its commune."""
    reasons = common.missing_reasons(diag)
    names = common.commune_names(diag)
    commune = names.get(str(row["insee_com"]), str(row["insee_com"]))
    out = []
    for ind_id, ind in REGISTRY.items():
        value = as_float(row.get(ind_id))
        rest = common.comparison_value(diag, row, ind_id, "commune")
        if ind_id in reasons or value is None or rest is None or rest == 0:
            continue
        if ind.unit == SHARE_UNIT and max(value, rest) < _MIN_SHARE:
            continue
        gap = ind.direction * (value / rest - 1.0)
        if not math.isfinite(gap) or gap < _MIN_GAP:
            continue
        text = (
            f"{ind.label} : {format_value(value, ind.unit)} dans le quartier, contre "
            f"{format_value(rest, ind.unit)} dans le reste de {commune} "
            f"({_gap_words(value, rest, ind.unit)})."
        )
        out.append(KeyMessage(indicator=ind_id, text=text, gap=gap))
    out.sort(key=lambda m: (-m.gap, m.indicator))
    return out


def key_messages(diag: Diagnostic, row: pd.Series, n: int = _MESSAGES) -> list[KeyMessage]:
    """Return the ``n`` largest gaps to the rest of the commune, one per dimension first.

    The gap is relative and oriented (``direction × (QPV / reste − 1)``) so that indicators of
    different units compare; only gaps where the QPV is worse count. The first pass takes the
    largest gap of each dimension (sensitivity, exposure, resources) so that the messages do
    not repeat one fact; the rest are filled by size.
    """
    found = worse_than_commune(diag, row)
    chosen: list[KeyMessage] = []
    seen: set[str] = set()
    for message in found:
        dim = REGISTRY[message.indicator].dimension
        if dim not in seen:
            chosen.append(message)
            seen.add(dim)
    for message in found:
        if len(chosen) >= n:
            break
        if message not in chosen:
            chosen.append(message)
    return sorted(chosen[:n], key=lambda m: (-m.gap, m.indicator))


def top_actions(
    diag: Diagnostic, code_qp: str, catalogue: Catalogue, n: int = 3
) -> list[NoteAction]:
    """Return the ``n`` catalogue actions matched first for a QPV, with the need they answer."""
    out = []
    for item in suggest(diag, code_qp, catalogue, limit=n):
        why = (
            f"répond à : {_lower_first(item.driver.label)}"
            if item.driver is not None
            else "action générale de prévention"
        )
        out.append(NoteAction(title=item.action.title, why=why))
    return out


def _lower_first(text: str) -> str:
    """Return ``text`` with its first letter in lower case (acronyms keep their capitals)."""
    return text[:1].lower() + text[1:]


def quote_of(contributions: Contributions | None) -> tuple[Quote | None, str]:
    """Return the latest published contribution as a quote, or why there is none.

    Without a contributions database (None) there is neither quote nor note: the section is
    left out, as on the sheet.
    """
    if contributions is None:
        return None, ""
    if not contributions.items:
        return None, "Parole des habitants : aucune contribution publiée pour l'instant."
    item = contributions.items[0]
    return Quote(text=item.text, source=f"{item.category}, {item.day}"), ""


def footer(diag: Diagnostic, generated_on: date | None) -> str:
    """Return the line at the foot of a note: territory, horizon, date, where the detail is."""
    prov = common.provenance(diag, generated_on or date.today())
    return (
        f"{common.territory_label(diag)} — horizon climatique {prov.horizon} — édité le "
        f"{prov.generated_on} — le détail (indicateurs, méthode, sources) est dans la fiche "
        "diagnostic."
    )
