"""The « transitions » panel of a QPV (issue 21, point 4): climate, nature, food, energy.

Each transition shows a few published indicators of the QPV beside the rest of its commune
(and the gap), and the catalogue's actions that serve it together with at least one other
transition (co-benefits tagged per action in the catalogue). Indicators are read by name
and shown only when the diagnostic has them: the energy ones (heating with fuel oil or
electricity, F/G energy labels, energy-poverty proxy) come from the housing data when
present.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from quartiers.actions.catalogue import Catalogue
from quartiers.actions.matching import qpv_row
from quartiers.actions.vocabulary import CO_BENEFITS
from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic.dictionary import describe

__all__ = ["TRANSITIONS", "TransitionAction", "TransitionGroup", "TransitionRow", "panel"]

#: Transition → (French title, co-benefit tag of its actions, indicator columns in order).
TRANSITIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "climate": (
        "Climat : chaleur et aléas",
        "cooling",
        ("index", "lcz_heat", "impervious_share", "flood_residents", "multi_hazard_residents"),
    ),
    "nature": (
        "Biodiversité et nature",
        "biodiversity",
        (
            "canopy_share",
            "share_beyond_300m_green_1ha",
            "green_network_ha",
            "desealable_share",
        ),
    ),
    "food": (
        "Alimentation",
        "food",
        ("dist_fresh_food_m", "share_beyond_500m_fresh_food", "dist_shared_garden_m"),
    ),
    "energy": (
        "Énergie",
        "energy",
        (
            "share_dpe_fg",
            "energy_poverty_proxy",
            "share_heating_fuel_oil",
            "share_heating_electric",
        ),
    ),
}


@dataclass(frozen=True)
class TransitionRow:
    """One indicator of a transition: the QPV, the rest of its commune, the gap."""

    id: str
    label: str
    unit: str
    value: float | None
    commune: float | None

    @property
    def gap(self) -> float | None:
        """QPV minus the rest of the commune (None when either is missing)."""
        if self.value is None or self.commune is None:
            return None
        return self.value - self.commune


@dataclass(frozen=True)
class TransitionAction:
    """A catalogue action serving this transition and at least one other."""

    id: str
    title: str
    co_benefits: list[str]


@dataclass(frozen=True)
class TransitionGroup:
    """One transition of the panel."""

    key: str
    title: str
    rows: list[TransitionRow] = field(default_factory=list)
    actions: list[TransitionAction] = field(default_factory=list)


def _number(value: object) -> float | None:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) and math.isfinite(float(number)) else None


def _rest_of_commune(diag: Diagnostic, row: pd.Series, column: str) -> float | None:
    """Value of ``column`` in the rest of the QPV's commune (see report comparisons)."""
    codes = [c.strip() for c in str(row.get("insee_coms") or row.get("insee_com") or "").split(",")]
    if len(codes) == 1 and diag.zones is not None and column in diag.zones.columns:
        zone = diag.zones.loc[diag.zones["zone_id"].astype(str) == f"commune:{codes[0]}"]
        if len(zone):
            return _number(zone[column].iloc[0])
    own, gap = _number(row.get(column)), _number(row.get(f"gap_commune_{column}"))
    return None if own is None or gap is None else own - gap


def panel(diag: Diagnostic, code_qp: str, catalogue: Catalogue) -> list[TransitionGroup]:
    """Return the four transitions of a QPV, with the indicators the diagnostic has.

    Raises
    ------
    quartiers.errors.InputError
        Unknown QPV (French message from :func:`quartiers.actions.matching.qpv_row`).
    """
    row = qpv_row(diag, code_qp)
    groups = []
    for key, (title, tag, columns) in TRANSITIONS.items():
        rows = []
        for column in columns:
            if column not in row.index:
                continue
            label, unit, _, _ = describe(column)
            rows.append(
                TransitionRow(
                    id=column,
                    label=label,
                    unit=unit,
                    value=_number(row.get(column)),
                    commune=_rest_of_commune(diag, row, column),
                )
            )
        actions = [
            TransitionAction(a.id, a.title, [CO_BENEFITS[c] for c in a.co_benefits])
            for a in catalogue.actions
            if tag in a.co_benefits and len(a.co_benefits) >= 2
        ]
        groups.append(TransitionGroup(key=key, title=title, rows=rows, actions=actions))
    return groups
