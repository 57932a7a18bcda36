"""The rows of a QPV's draft roadmap (feuille de route): issues, actions, indicators.

Plain data, built by :func:`quartiers.actions.roadmap.build_roadmap` and printed by the
DOCX and PDF exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from quartiers.actions.horizons import HorizonValue
from quartiers.outputs.formatting import format_euro_range

__all__ = [
    "CONTRACT_END",
    "ActionRow",
    "CostTotals",
    "IndicatorRow",
    "IssueRow",
    "Priorities",
    "PriorityRow",
    "Roadmap",
]

#: Last year of the contrats de ville signed from 2024.
CONTRACT_END = 2030


class CostTotals(TypedDict):
    """Investment, yearly running cost and total cost ranges of a roadmap's actions (€)."""

    invest_low: float
    invest_high: float
    running_low: float
    running_high: float
    total_low: float
    total_high: float


@dataclass(frozen=True)
class IssueRow:
    """One issue (enjeu): an indicator where the QPV fares worst."""

    indicator: str
    label: str
    value: float
    value_text: str
    rest_text: str
    position_text: str


@dataclass(frozen=True)
class PriorityRow:
    """One action of a workshop's dot-voting: the points it received."""

    label: str
    points: int
    share_text: str
    voters: int
    in_roadmap: bool


@dataclass(frozen=True)
class Priorities:
    """The priorities residents expressed in the QPV's workshops (dot-voting)."""

    participants: int
    sessions: int
    points: int
    rows: tuple[PriorityRow, ...]

    @property
    def summary(self) -> str:
        """Return the one-sentence summary of the votes, in French."""
        people = f"{self.participants} participant{'s' if self.participants > 1 else ''}"
        where = f"{self.sessions} vote{'s' if self.sessions > 1 else ''} d'atelier"
        return (
            f"{people} ({where}) ont réparti {self.points} point"
            f"{'s' if self.points > 1 else ''} entre les actions proposées."
        )


@dataclass(frozen=True)
class ActionRow:
    """One chosen action as the roadmap shows it."""

    id: str
    title: str
    description: str
    type_label: str
    pillars: tuple[str, ...]
    pilot: str
    partners: tuple[str, ...]
    start_year: int
    delivery_year: int
    recurring: bool
    lead_time: str
    quantity: str
    invest_low: float
    invest_high: float
    running_low: float
    running_high: float
    monitoring: str
    simulated: str
    note: str
    sources: tuple[str, ...]
    cost_basis: str

    @property
    def calendar_text(self) -> str:
        """Return the years of the action and its lead time, in French."""
        if self.start_year == self.delivery_year:
            span = f"en {self.start_year}"
        else:
            span = f"de {self.start_year} à {self.delivery_year}"
        text = f"{span} (délai de réalisation {self.lead_time})"
        return text + (", puis fonctionnement chaque année" if self.recurring else "")

    @property
    def budget_text(self) -> str:
        """Return the investment range and the yearly running cost, in French."""
        parts = []
        if self.invest_high > 0:
            parts.append(f"investissement {format_euro_range(self.invest_low, self.invest_high)}")
        if self.running_high > 0:
            parts.append(
                f"fonctionnement {format_euro_range(self.running_low, self.running_high)} par an"
            )
        return " ; ".join(parts) or "sans coût chiffré"


@dataclass(frozen=True)
class IndicatorRow:
    """A monitoring indicator: baseline from the diagnostic, target from the simulation."""

    indicator: str | None
    label: str
    unit: str
    baseline: float | None
    baseline_text: str
    target: float | None
    target_text: str
    basis: str
    actions: tuple[str, ...]


@dataclass
class Roadmap:
    """Everything the DOCX and PDF exports print (see the module docstring)."""

    territory_code: str
    territory_name: str
    code_qp: str
    lib_qp: str
    communes: str
    population: float
    generated: str
    horizon_label: str
    method_label: str
    code_version: str
    index_text: str
    rank_text: str
    scores: list[tuple[str, str]]
    issues: list[IssueRow]
    horizons: list[HorizonValue]
    objectives: list[str]
    actions: list[ActionRow]
    years: list[int]
    indicators: list[IndicatorRow]
    invest_low: float
    invest_high: float
    running_low: float
    running_high: float
    total_low: float
    total_high: float
    simulated: bool
    notes: list[str] = field(default_factory=list)
    #: Residents' dot-voting (« Priorités exprimées en atelier »), None when nobody voted.
    priorities: Priorities | None = None
    #: How the documents name the unit: a QPV, or a zone of a ``--zones`` diagnostic.
    unit_label: str = "Quartier prioritaire"
    unit_short: str = "QPV"
    unit_of: str = "du QPV"

    @property
    def title(self) -> str:
        """Return the document title."""
        return f"Feuille de route (projet) — {self.lib_qp}"

    def calendar(self, row: ActionRow) -> list[str]:
        """Return, per year, ``réalisation``, ``fonctionnement`` or '' for an action."""
        marks = []
        for year in self.years:
            if row.start_year <= year <= row.delivery_year:
                marks.append("réalisation")
            elif row.recurring and row.delivery_year < year <= CONTRACT_END:
                marks.append("fonctionnement")
            else:
                marks.append("")
        return marks
