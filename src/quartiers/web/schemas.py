"""Pydantic schemas of the JSON API (documented in the OpenAPI description).

Every payload is built and validated against these models once, when the diagnostics are
loaded; responses then send the cached bytes. Missing values are ``null``.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CellCollection",
    "ClimateValue",
    "Commune",
    "Comparison",
    "DimensionState",
    "ErrorMessage",
    "Horizon",
    "IndicatorMeta",
    "IndicatorValue",
    "MethodDescription",
    "MethodOfTerritory",
    "MethodRef",
    "Page",
    "QpvDetail",
    "QpvSummary",
    "QpvValues",
    "Source",
    "TerritoryDetail",
    "TerritorySummary",
    "Uncertainty",
]

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorMessage(_Out):
    """An error: a French message saying what was wrong and what is expected."""

    detail: str = Field(description="Message en français.")


class Page(_Out, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="Nombre total d'éléments.")
    limit: int = Field(description="Taille de page demandée.")
    offset: int = Field(description="Position du premier élément renvoyé.")


class Horizon(_Out):
    """A climate horizon."""

    id: str = Field(description="ref, 2030, 2050 ou 2100.")
    label: str


class MethodRef(_Out):
    """The method a diagnostic was computed with."""

    name: str
    version: str
    sha256: str | None = None


class Commune(_Out):
    """A commune of the territory, with the share of its legal population on the grid."""

    insee_com: str
    nom: str
    legal_population: float | None = None
    grid_share: float | None = Field(
        default=None, description="Part de la population légale couverte par les carreaux."
    )


class Source(_Out):
    """A source dataset used by the diagnostic."""

    source_id: str
    title: str | None = None
    publisher: str | None = None
    vintage: str | None = None
    licence: str | None = None
    retrieved: str | None = None
    sha256: str | None = None
    file: str | None = Field(default=None, description="Nom du fichier lu (sans son chemin).")
    url: str | None = Field(default=None, description="Page officielle du jeu de données.")


class DimensionState(_Out):
    """Completeness of one dimension of the index."""

    label: str
    state: str = Field(description="complète, partielle ou absente.")
    in_index: bool


class IndicatorMeta(_Out):
    """A quantity that can be mapped: the index, a dimension score or an indicator."""

    id: str
    label: str
    unit: str
    dimension: str | None
    dimension_label: str | None
    direction: int = Field(description="+1 : plus élevé = plus vulnérable ; -1 : l'inverse.")
    direction_label: str
    formula: str
    source: str
    normalisation: str | None
    index_weight: float = Field(description="Poids effectif dans l'indice composite.")
    available: bool
    missing_reason: str | None
    climate: bool = Field(description="Indicateur communal qui change avec l'horizon.")
    kind: Literal["index", "score", "indicator"]


class TerritorySummary(_Out):
    """A territory served by the application."""

    code: str = Field(description="Code INSEE de la commune ou SIREN de l'EPCI.")
    name: str
    communes: list[Commune]
    qpv_count: int
    qpv_ranked: int
    cells: int
    population_cells: float | None
    population_qpv: float | None
    horizon: Horizon
    method: MethodRef
    bbox: list[float] = Field(description="Emprise [min_lon, min_lat, max_lon, max_lat] WGS84.")
    has_uncertainty: bool
    links: dict[str, str]


class TerritoryDetail(TerritorySummary):
    """A territory with its sources, dimensions, notes and indicators."""

    sources: list[Source]
    dimensions: dict[str, DimensionState]
    notes: list[str]
    indicators: list[IndicatorMeta]
    horizons: list[Horizon] = Field(description="Horizons présents dans la table climatique.")
    layers: list[str] = Field(description="Couches disponibles (cells, qpv, hotspots, places).")
    code_version: dict[str, str | None]


class Uncertainty(_Out):
    """Rank interval of a QPV from the uncertainty analysis (Monte Carlo)."""

    rank_median: float | None = None
    rank_low: float | None = None
    rank_high: float | None = None
    p_top_quintile: float | None = Field(
        default=None, description="Probabilité d'être dans le quintile le plus vulnérable."
    )
    robust_top_quintile: bool | None = None
    main_driver: str | None = Field(
        default=None, description="Groupe de choix qui fait le plus varier la place du QPV."
    )
    sobol_total: dict[str, float | None] = Field(
        default_factory=dict, description="Indice de Sobol total par groupe de choix."
    )


class QpvSummary(_Out):
    """A QPV with its index and rank in its territory."""

    territory: str
    code_qp: str
    lib_qp: str
    insee_com: str
    insee_coms: list[str]
    communes: str = Field(description="Noms des communes du QPV.")
    population: float | None = Field(description="Population carroyée (habitants).")
    households: float | None
    poverty_rate: float | None
    index: float | None
    rank: int | None = Field(description="Rang dans le territoire (1 = plus vulnérable).")
    ranked_of: int = Field(description="Nombre de QPV classés dans le territoire.")
    quintile: int | None
    status: str = Field(description="ok, non significatif ou incomplet (publié à part).")
    status_detail: str
    index_label: str = Field(
        default="", description="Ce que mesure l'indice du QPV (dimensions mesurées ou non)."
    )
    index_note: str = Field(
        default="", description="Données absentes pour cet indice et comment les ajouter."
    )
    uncertainty: Uncertainty | None = Field(
        description="Intervalle de rang ; null quand l'analyse d'incertitude manque."
    )
    links: dict[str, str]


class Comparison(_Out):
    """The rest of the commune or EPCI and the QPV's gap and ratio to it."""

    value: float | None
    gap: float | None = Field(description="Valeur du QPV moins celle du reste.")
    ratio: float | None = Field(description="Valeur du QPV divisée par celle du reste.")


class IndicatorValue(_Out):
    """One indicator of a QPV, compared with the rest of its commune and EPCI."""

    id: str
    label: str
    unit: str
    dimension: str | None
    direction: int
    available: bool
    missing_reason: str | None
    value: float | None
    display: str = Field(description="Valeur mise en forme (français).")
    commune: Comparison
    epci: Comparison


class QpvValues(_Out):
    """One quantity at one horizon for every QPV of a territory (map and table of a page)."""

    territory: str
    indicator: str
    horizon: str = Field(description="Horizon lu (celui du diagnostic hors indicateur climatique).")
    values: dict[str, float | None] = Field(description="Valeur brute par code de QPV.")
    display: dict[str, str] = Field(description="Valeur affichée (français, unité) par QPV.")


class ClimateValue(_Out):
    """A climate indicator of a commune at a horizon (mean and spread)."""

    insee_com: str
    nom: str | None
    indicator: str
    label: str | None
    horizon: str
    horizon_label: str | None
    value: float | None
    low: float | None
    high: float | None


class QpvDetail(QpvSummary):
    """A QPV with every indicator, its dimension scores and its communes' climate."""

    households_poor: float | None
    imputed_population_share: float | None
    scores: dict[str, float | None]
    index_dimensions: list[str]
    missing_indicators: list[str]
    indicators: list[IndicatorValue]
    access: dict[str, float | None] = Field(
        description="Synthèses d'accès à pied présentes dans le diagnostic (sinon vide)."
    )
    hotspots: dict[str, float | None] = Field(
        description="Parts du QPV en points chauds (I de Moran local) ; vide sans analyse."
    )
    climate: list[ClimateValue]
    canopy_warning: str | None = Field(
        default=None,
        description="Alerte en français quand la canopée vient d'OpenStreetMap et que peu "
        "d'arbres y sont cartographiés dans le QPV (cartographie peut-être incomplète) ; "
        "vide sinon.",
    )


class MethodOfTerritory(_Out):
    """The method settings a territory's diagnostic was computed with."""

    territory: str
    name: str
    version: str
    description: str | None
    sha256: str | None
    normalisation: str | None
    within: str | None = Field(description="Agrégation dans les dimensions.")
    across: str | None = Field(description="Agrégation entre dimensions.")
    population_floor: float | None
    cell_population_floor: float | None
    dimension_weights: dict[str, float]
    indicators_in_index: list[str]
    dropped_from_method: dict[str, str]
    reference: str | None = Field(
        default=None,
        description="Référence de normalisation (clé « reference » de la méthode) : tous les "
        "carreaux du diagnostic, ceux de chaque territoire ou un fichier de référence.",
    )
    coherence: dict[str, Any] | None = Field(
        default=None,
        description="Audit de cohérence statistique (corrélations, alpha de Cronbach, "
        "première composante, influence effective des indicateurs), voir docs/method.md.",
    )
    hazard: dict[str, Any] | None = Field(
        default=None,
        description="Niveau d'aléa climatique par horizon (méthode v2, hors classement).",
    )


class MethodDescription(_Out):
    """The indicators (registry) and the method of every territory."""

    horizons: list[Horizon]
    indicators: list[IndicatorMeta]
    territories: list[MethodOfTerritory]


class CellCollection(_Out):
    """Cells (200 m squares) as a GeoJSON FeatureCollection in WGS84, one page."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    territory: str
    bbox_requested: list[float]
    total: int = Field(description="Carreaux qui touchent l'emprise.")
    limit: int
    offset: int
    next: str | None = Field(description="Page suivante, null à la fin.")
    features: list[dict[str, Any]]
