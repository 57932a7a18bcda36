"""The hazards of one QPV, as shown on its web page and its sheet.

One small table per hazard (share of residents, poor households, children aged 0–3 and
people aged 65 and over in the zone, against the rest of the commune) and a « multi-aléas »
line: which hazards reach the QPV's residents and how many live where two or more overlap.
A hazard whose zones were not given is « aléa non renseigné », never 0 %. Everything is
read from the QPV's row of ``qpv.csv`` (the published numbers) and the run's missing
indicators; nothing is recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from quartiers.indicators.hazard_registry import HAZARD_POPULATIONS, hazard_indicator_id
from quartiers.outputs.formatting import MISSING, format_gap, format_number, format_value

__all__ = [
    "EPCI_MISSING",
    "HAZARD_TITLES",
    "NOT_GIVEN",
    "HazardBlock",
    "HazardRow",
    "HazardSummary",
    "epci_row",
    "has_epci",
    "hazard_summary",
]

#: Words shown instead of a share when a hazard has no source.
NOT_GIVEN = "aléa non renseigné"
#: Words shown instead of the EPCI columns when ``qpv.csv`` has no EPCI comparison.
EPCI_MISSING = "EPCI non disponible"

#: Hazard group → French title of its table (the order of the page).
HAZARD_TITLES: dict[str, str] = {
    "flood": "Inondation par les cours d'eau",
    "sea": "Submersion marine",
    "clay": "Retrait-gonflement des argiles (exposition moyenne ou forte)",
}

_MULTI = "multi_hazard"  # the zone covered by two or more of the hazards above
_UNIT = "part (0–1)"
_GROUP_LABELS: dict[str, str] = {
    "residents": "Habitants",
    "poor": "Ménages pauvres",
    "0_3": "Enfants de 0 à 3 ans",
    "65p": "65 ans et plus",
}


@dataclass(frozen=True)
class HazardRow:
    """One population group of a hazard table (formatted texts)."""

    label: str
    qpv: str
    rest: str
    gap: str
    #: The rest of the EPCI and the gap to it (:data:`MISSING` without EPCI figures).
    epci: str = MISSING
    epci_gap: str = MISSING

    @property
    def compact(self) -> str:
        """Return « QPV value (gap) », the cell of the sheet's single table."""
        return self.qpv if self.gap == MISSING else f"{self.qpv} ({self.gap})"


@dataclass(frozen=True)
class HazardBlock:
    """The table of one hazard, or why it is not given."""

    id: str
    title: str
    available: bool
    note: str
    rows: tuple[HazardRow, ...]


@dataclass(frozen=True)
class HazardSummary:
    """The hazards section of a QPV.

    Attributes
    ----------
    blocks
        One per hazard of :data:`HAZARD_TITLES`.
    present
        French titles of the hazards whose zone holds some of the QPV's residents.
    multi_share, multi_residents
        Share and number of residents in two or more hazard zones (:data:`MISSING` when
        fewer than two hazards are given).
    multi_available
        Whether the multi-hazard figures exist.
    multi
        The table of the residents, poor households, 0–3 and 65+ in two or more zones.
    """

    blocks: tuple[HazardBlock, ...]
    present: tuple[str, ...]
    multi_share: str
    multi_residents: str
    multi_available: bool
    multi: HazardBlock
    #: Whether ``qpv.csv`` compares the QPV with the rest of its EPCI (else « EPCI non
    #: disponible »).
    epci: bool = False

    @property
    def population_labels(self) -> list[str]:
        """Return the population groups of the tables' rows, in order."""
        return list(_GROUP_LABELS.values())

    @property
    def present_text(self) -> str:
        """Return the hazards reaching residents, in one French phrase."""
        if self.present:
            return ", ".join(self.present)
        given = [b for b in self.blocks if b.available]
        return "aucun des aléas renseignés" if given else NOT_GIVEN


def _float(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def epci_row(ind: str, label: str, row: pd.Series, unit: str) -> HazardRow:
    """Return the formatted row of an indicator: QPV, rest of the commune and of the EPCI, gaps."""
    own = _float(row.get(ind))
    texts = []
    for level in ("commune", "epci"):
        gap = _float(row.get(f"gap_{level}_{ind}"))
        rest = own - gap if math.isfinite(own) and math.isfinite(gap) else math.nan
        texts += [format_value(rest, unit), format_gap(gap, unit)]
    return HazardRow(label, format_value(own, unit), texts[0], texts[1], texts[2], texts[3])


def has_epci(row: pd.Series, indicators: list[str]) -> bool:
    """Tell whether the QPV's row compares any of ``indicators`` with the rest of its EPCI."""
    return any(math.isfinite(_float(row.get(f"gap_epci_{ind}"))) for ind in indicators)


def _block(group: str, row: pd.Series, missing: Mapping[str, str], title: str) -> HazardBlock:
    head = hazard_indicator_id(group, "residents")
    value = _float(row.get(head))
    if not math.isfinite(value):
        reason = missing.get(head, "")
        note = f"{NOT_GIVEN} : {reason}" if reason else NOT_GIVEN
        return HazardBlock(group, title, False, note, ())
    rows = [
        epci_row(hazard_indicator_id(group, pop), _GROUP_LABELS[pop], row, _UNIT)
        for pop in HAZARD_POPULATIONS
    ]
    return HazardBlock(group, title, True, "", tuple(rows))


def hazard_summary(row: pd.Series, missing: Mapping[str, str]) -> HazardSummary | None:
    """Return the hazards section of a QPV, or None for a diagnostic without hazards.

    Parameters
    ----------
    row
        The QPV's row of the diagnostic's ``qpv`` table.
    missing
        The run's missing indicators (indicator id → French reason), ``run.json``.
    """
    if hazard_indicator_id("flood", "residents") not in row.index:
        return None
    blocks = tuple(_block(group, row, missing, title) for group, title in HAZARD_TITLES.items())
    present = tuple(
        b.title
        for b in blocks
        if b.available and _float(row.get(hazard_indicator_id(b.id, "residents"))) > 0
    )
    share = _float(row.get(hazard_indicator_id(_MULTI, "residents")))
    population = _float(row.get("population"))
    available = math.isfinite(share) and sum(b.available for b in blocks) >= 2
    residents = share * population if available and math.isfinite(population) else math.nan
    return HazardSummary(
        blocks=blocks,
        present=present,
        multi_share=format_value(share, _UNIT) if available else MISSING,
        multi_residents=format_number(residents, 0) if math.isfinite(residents) else MISSING,
        multi_available=available,
        multi=_block(_MULTI, row, missing, "Au moins deux aléas"),
        epci=has_epci(
            row,
            [
                hazard_indicator_id(g, p)
                for g in (*HAZARD_TITLES, _MULTI)
                for p in HAZARD_POPULATIONS
            ],
        ),
    )
