"""What a sheet shows, as plain data: formatted French strings the templates only lay out.

Built by :mod:`quartiers.report.context` (one QPV) and :mod:`quartiers.report.synthesis`
(a territory, several territories); rendered by :mod:`quartiers.report.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Chart",
    "ClimateRow",
    "ContributionItem",
    "Contributions",
    "DimensionBlock",
    "Identity",
    "IndicatorRow",
    "KeyFigure",
    "Provenance",
    "QpvSheet",
    "RankInfo",
    "SourceRow",
]


@dataclass(frozen=True)
class Chart:
    """An embedded figure: title, text alternative and the PNG as a ``data:`` URI.

    ``note`` is the caption's source line (maps: grid, projection and background).
    """

    title: str
    alt: str
    data_uri: str
    note: str = ""


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of a dimension: the QPV against the rest of its commune and EPCI."""

    id: str
    label: str
    unit: str
    direction: str
    qpv: str
    commune: str
    epci: str
    gap: str
    ratio: str
    available: bool
    note: str = ""


@dataclass(frozen=True)
class DimensionBlock:
    """A dimension of the index on a sheet: its state, score, indicators and chart."""

    id: str
    label: str
    state: str
    in_index: bool
    weight: str
    score: str
    score_commune: str
    rows: list[IndicatorRow]
    note: str
    chart: Chart | None = None


@dataclass(frozen=True)
class KeyFigure:
    """A headline figure: QPV, rest of the commune and the gap."""

    label: str
    qpv: str
    commune: str
    gap: str


@dataclass(frozen=True)
class ClimateRow:
    """A Climadiag indicator of the commune at each horizon (``values`` in horizon order)."""

    label: str
    unit: str
    values: list[str]


@dataclass(frozen=True)
class RankInfo:
    """The QPV's rank, with its uncertainty interval when the analysis was run."""

    text: str
    ranked: bool
    interval: str
    p_top_quintile: str
    robust: str
    note: str
    driver: str = "non disponible"
    sensitivity: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SourceRow:
    """A source of the run with its vintage, licence and fingerprint."""

    id: str
    title: str
    vintage: str
    licence: str
    sha256: str
    retrieved: str


@dataclass(frozen=True)
class ContributionItem:
    """A published contribution as the sheet quotes it."""

    category: str
    text: str
    day: str
    detail: str


@dataclass(frozen=True)
class Contributions:
    """Published contributions of one QPV: counts per category and the latest ones."""

    total: int
    counts: list[tuple[str, int]]
    items: list[ContributionItem]
    #: Perceived hot spots against the measured index of their cell: (text, verdict label).
    hot_spots: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Identity:
    """Who and where: names and codes of the QPV, its communes and EPCI."""

    code: str
    name: str
    communes: str
    insee: str
    epci: str
    territory: str
    population: str
    households: str
    imputed: str
    status: str


@dataclass(frozen=True)
class Provenance:
    """Footer facts: code version, method, horizon, generation date, run notes."""

    code_version: str
    method: str
    horizon: str
    generated_on: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QpvSheet:
    """Everything one QPV sheet shows."""

    identity: Identity
    map_chart: Chart
    key_figures: list[KeyFigure]
    index: list[KeyFigure]
    reading: str
    dimensions: list[DimensionBlock]
    epci_column: bool
    index_note: str
    climate_commune: str
    climate_horizons: list[str]
    climate: list[ClimateRow]
    climate_chart: Chart | None
    climate_note: str
    rank: RankInfo
    rank_chart: Chart
    extra: list[KeyFigure]
    contributions: Contributions | None
    sources: list[SourceRow]
    attributions: list[str]
    method: list[str]
    provenance: Provenance
