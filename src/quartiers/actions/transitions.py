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
from quartiers.outputs.formatting import format_gap, format_number, format_value

__all__ = [
    "SHORT_LABELS",
    "TRANSITIONS",
    "TransitionAction",
    "TransitionGroup",
    "TransitionLine",
    "TransitionRow",
    "compact_lines",
    "panel",
    "shared_actions",
    "value_text",
]

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

#: Short French labels of the panel's indicators, for the one line per transition of a note.
SHORT_LABELS: dict[str, str] = {
    "index": "indice de vulnérabilité à la chaleur (0 à 1)",
    "lcz_heat": "sensibilité à la chaleur des zones climatiques locales (0 à 4)",
    "impervious_share": "surface imperméabilisée",
    "flood_residents": "habitants en zone inondable",
    "multi_hazard_residents": "habitants exposés à au moins deux aléas",
    "canopy_share": "canopée arborée",
    "share_beyond_300m_green_1ha": "habitants à plus de 300 m d'un espace vert de 1 ha",
    "green_network_ha": "plus grand réseau vert continu",
    "desealable_share": "surfaces désimperméabilisables",
    "dist_fresh_food_m": "distance à pied à un commerce d'alimentation fraîche",
    "share_beyond_500m_fresh_food": "habitants à plus de 500 m d'un commerce frais",
    "dist_shared_garden_m": "distance à pied à un jardin partagé ou familial",
    "share_dpe_fg": "logements classés F ou G",
    "energy_poverty_proxy": "ménages pauvres en passoire énergétique",
    "share_heating_fuel_oil": "logements chauffés au fioul",
    "share_heating_electric": "logements chauffés à l'électricité",
}


@dataclass(frozen=True)
class TransitionRow:
    """One indicator of a transition: the QPV, the rest of its commune, the gap."""

    id: str
    label: str
    unit: str
    value: float | None
    commune: float | None
    #: +1 when a higher value makes the QPV more vulnerable, −1 when it protects, 0 unknown.
    direction: int = 0

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


_DIRECTIONS = {"plus élevé = plus vulnérable": 1, "plus élevé = moins vulnérable": -1}


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
            label, unit, direction, _ = describe(column)
            rows.append(
                TransitionRow(
                    id=column,
                    label=label,
                    unit=unit,
                    value=_number(row.get(column)),
                    commune=_rest_of_commune(diag, row, column),
                    direction=_DIRECTIONS.get(direction, 0),
                )
            )
        actions = [
            TransitionAction(a.id, a.title, [CO_BENEFITS[c] for c in a.co_benefits])
            for a in catalogue.actions
            if tag in a.co_benefits and len(a.co_benefits) >= 2
        ]
        groups.append(TransitionGroup(key=key, title=title, rows=rows, actions=actions))
    return groups


@dataclass(frozen=True)
class TransitionLine:
    """One transition in one line (note aux élus): its most telling indicator, formatted."""

    title: str
    label: str
    qpv: str
    commune: str
    gap: str


def value_text(value: float | None, unit: str, *, gap: bool = False) -> str:
    """Return a value (or signed gap) with its unit; the index is a bare 0–1 score."""
    if value is None:
        return "—"
    if unit.startswith("score 0–1"):
        return format_number(value, 2, sign=gap)
    return format_gap(value, unit) if gap else format_value(value, unit)


def _lag(row: TransitionRow) -> float:
    """How far the QPV lags behind the rest of its commune (relative, oriented; −inf if unknown)."""
    if row.gap is None or row.commune is None or row.direction == 0:
        return -math.inf
    scale = abs(row.commune) or 1.0
    return row.direction * row.gap / scale


def compact_lines(groups: list[TransitionGroup]) -> list[TransitionLine]:
    """Return one line per transition: the indicator where the QPV lags most behind the rest
    of its commune (relative gap, oriented by the indicator's direction), else the first one
    with a value; a transition without figures says so."""
    out = []
    for g in groups:
        known = [r for r in g.rows if r.value is not None]
        if not known:
            out.append(TransitionLine(g.title, "données non fournies", "—", "—", "—"))
            continue
        best = max(known, key=_lag)
        if _lag(best) == -math.inf:
            best = known[0]
        out.append(
            TransitionLine(
                title=g.title,
                label=SHORT_LABELS.get(best.id, best.label),
                qpv=value_text(best.value, best.unit),
                commune=value_text(best.commune, best.unit),
                gap=value_text(best.gap, best.unit, gap=True),
            )
        )
    return out


def shared_actions(groups: list[TransitionGroup], n: int = 3) -> list[TransitionAction]:
    """Return the ``n`` panel actions serving the most transitions (catalogue order on ties)."""
    seen: dict[str, TransitionAction] = {}
    for g in groups:
        for action in g.actions:
            seen.setdefault(action.id, action)
    ordered = sorted(seen.values(), key=lambda a: -len(a.co_benefits))
    return ordered[:n]
