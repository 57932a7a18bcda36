"""``run.json`` as typed data: the :class:`RunRecord` every reader goes through.

``run.json`` (format ``quartiers-diagnostic/1``) records what is needed to trace and rerun a
diagnostic. :func:`quartiers.diagnostic.run_files.run_record` and the robustness, territory and
reference steps still build it as a plain dict, written as is (so the file stays
byte-identical); web pages, sheets, exports, the workshop and the CLI read it through
:class:`RunRecord` (``Diagnostic.record``) instead of string lookups.

Versioning: the format string is checked; every section added after the first v1 files
(robustness, hazard, like-with-like, reference, territories…) has a default, so a ``run.json``
written by an earlier version reads with those sections empty or disabled. Fields this module
does not know are kept (``extra="allow"``) and reachable through ``model_extra``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from quartiers.errors import InputError
from quartiers.schemas import HORIZONS
from quartiers.validation_fr import french_message

__all__ = [
    "COVERAGE_NOTE_PREFIX",
    "FORMAT",
    "CoverageRow",
    "DimensionState",
    "HorizonRecord",
    "HotspotsRecord",
    "IndexRecord",
    "LikeWithLikeRecord",
    "MethodRecord",
    "MethodSettings",
    "ReferenceRecord",
    "RunRecord",
    "SensitivityRecord",
    "SourceRecord",
    "SummaryRecord",
    "TerritoryPart",
    "TerritoryRecord",
    "UncertaintyRecord",
    "record_from_mapping",
]

#: Start of the run note listing communes the grid covers under 90 % (``notes``).
COVERAGE_NOTE_PREFIX = "carroyage partiel, part de la population légale couverte : "

FORMAT = "quartiers-diagnostic/1"


class _Section(BaseModel):
    """A section of ``run.json``: read-only, unknown keys kept."""

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class TerritoryRecord(_Section):
    """The territory diagnosed (``territory``)."""

    code: str
    name: str = ""


class HorizonRecord(_Section):
    """The climate horizon of the index (``horizon``)."""

    id: str = "ref"
    label: str = ""


class MethodSettings(_Section):
    """The settings of the method file that readers use (the others stay in ``model_extra``)."""

    description: str | None = None
    normalisation: str | None = None
    population_floor: float | None = None
    cell_population_floor: float | None = None
    aggregation: dict[str, str] = Field(default_factory=dict)
    #: Per dimension: ``weight`` and indicator weights, as in the method file.
    dimensions: dict[str, Any] = Field(default_factory=dict)

    def dimension_weights(self) -> dict[str, float]:
        """Return the nominal weight of each dimension of the method file."""
        return {
            str(k): float(v.get("weight", 0.0))
            for k, v in self.dimensions.items()
            if isinstance(v, Mapping)
        }


class MethodRecord(_Section):
    """The method file of the run (``method``)."""

    name: str = ""
    version: str = ""
    source: str | None = None
    sha256: str | None = None
    content: str | None = None
    settings: MethodSettings = Field(default_factory=MethodSettings)


class SourceRecord(_Section):
    """Provenance of one input (an item of ``sources``)."""

    source_id: str
    location: str | None = None
    vintage: str | None = None
    licence: str | None = None
    sha256: str | None = None
    retrieved: str | None = None


class DimensionState(_Section):
    """State of one dimension on the territory (a value of ``dimensions``)."""

    label: str = ""
    state: str = "absente"
    in_index: bool = False


class IndexRecord(_Section):
    """What went into the composite index (``index``)."""

    indicators: list[str] = Field(default_factory=list)
    dimensions: list[str] = Field(default_factory=list)
    dropped_from_method: dict[str, str] = Field(default_factory=dict)
    within: str | None = None
    across: str | None = None


class CoverageRow(_Section):
    """Share of a commune's legal population covered by the grid (an item of ``coverage``)."""

    insee_com: str
    nom: str | None = None
    legal_population: float | None = None
    grid_population: float | None = None
    grid_share: float | None = None


class SummaryRecord(_Section):
    """Counts of the run (``summary``)."""

    cells: int | None = None
    qpv: int | None = None
    qpv_ranked: int | None = None
    population_cells: float | None = None
    access_given: bool = False


class UncertaintyRecord(_Section):
    """Monte Carlo uncertainty settings and outcome (``uncertainty``; disabled when absent)."""

    enabled: bool = False
    draws: int | None = None
    evaluated_draws: int | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    choices: dict[str, Any] = Field(default_factory=dict)
    robust_rule: str | None = None
    robust_threshold: float | None = None
    robust_top_quintile: list[str] = Field(default_factory=list)
    ranked_qpv: int | None = None
    few_ranked: bool = False


class SensitivityRecord(_Section):
    """Sobol sensitivity analysis (``sensitivity``; disabled when absent)."""

    enabled: bool = False
    samples: int | None = None
    evaluations: int | None = None
    seed: int | None = None
    method: str | None = None
    output: str | None = None
    groups: dict[str, str] = Field(default_factory=dict)
    indices: list[dict[str, Any]] = Field(default_factory=list)


class HotspotsRecord(_Section):
    """Local Moran's I hotspots (``hotspots``; disabled when absent)."""

    enabled: bool = False
    method: str | None = None
    variable: str | None = None
    permutations: int | None = None
    seed: int | None = None
    fdr: float | None = None
    clusters: int | None = None
    hotspot_cells: int | None = None
    tested_cells: int | None = None


class LikeWithLikeRecord(_Section):
    """The rule for QPV lacking a dimension (``like_with_like``)."""

    missing_dimension: str = "exclude"
    rule: str = ""
    dimensions_present: list[str] = Field(default_factory=list)
    imputed_values: dict[str, float] = Field(default_factory=dict)
    qpv: dict[str, str] = Field(default_factory=dict)


class ReferenceRecord(_Section):
    """The normalisation reference (``reference``; the run's own cells when absent)."""

    kind: str = "run"
    label: str | None = None
    path: str | None = None
    vintage: str | None = None
    sha256: str | None = None


class TerritoryPart(_Section):
    """One territory of a (possibly multi-territory) run (an item of ``territories``)."""

    code: str
    name: str = ""
    kind: str | None = None
    commune_codes: list[str] = Field(default_factory=list)


class RunRecord(BaseModel):
    """The content of ``run.json`` (format ``quartiers-diagnostic/1``), read-only.

    Sections that no reader looks into field by field (``input_notes``, ``coherence``,
    ``hazard``, ``allocation``, ``validation_insee``, ``validation_sante``, the
    ``indicators`` and ``climate`` tables) stay JSON mappings, named here.
    """

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)

    format: Literal["quartiers-diagnostic/1"]
    territory: TerritoryRecord
    horizon: HorizonRecord = Field(default_factory=HorizonRecord)
    method: MethodRecord = Field(default_factory=MethodRecord)
    crs: str = "EPSG:3035"
    code_version: dict[str, str | None] = Field(default_factory=dict)
    sources: list[SourceRecord] = Field(default_factory=list)
    input_notes: dict[str, Any] = Field(default_factory=dict)
    dimensions: dict[str, DimensionState] = Field(default_factory=dict)
    missing_dimensions: list[str] = Field(default_factory=list)
    missing_indicators: dict[str, str] = Field(default_factory=dict)
    index: IndexRecord = Field(default_factory=IndexRecord)
    notes: list[str] = Field(default_factory=list)
    coverage: list[CoverageRow] = Field(default_factory=list)
    summary: SummaryRecord = Field(default_factory=SummaryRecord)
    indicators: list[dict[str, Any]] = Field(default_factory=list)
    climate: list[dict[str, Any]] = Field(default_factory=list)
    uncertainty: UncertaintyRecord = Field(default_factory=UncertaintyRecord)
    sensitivity: SensitivityRecord = Field(default_factory=SensitivityRecord)
    hotspots: HotspotsRecord = Field(default_factory=HotspotsRecord)
    coherence: dict[str, Any] | None = None
    hazard: dict[str, Any] | None = None
    #: Validation sections (docs/validation.md): allocations, INSEE's QPV figures, health.
    allocation: dict[str, Any] | None = None
    validation_insee: dict[str, Any] | None = None
    validation_sante: dict[str, Any] | None = None
    like_with_like: LikeWithLikeRecord | None = None
    reference: ReferenceRecord = Field(default_factory=ReferenceRecord)
    territories: list[TerritoryPart] = Field(default_factory=list)
    #: SHA-256 of the other files of the directory (added on write).
    outputs: dict[str, str] = Field(default_factory=dict)

    @field_validator("horizon", mode="before")
    @classmethod
    def _horizon_id(cls, value: Any) -> Any:
        """Accept the bare horizon id of early v1 files (``"horizon": "2050"``)."""
        if isinstance(value, str):
            return {"id": value, "label": HORIZONS.get(value, value)}
        return value

    @property
    def territory_label(self) -> str:
        """Return « name (code) », or whichever of the two is known."""
        name, code = self.territory.name, self.territory.code
        return f"{name} ({code})" if name and code else (name or code)

    def source_ids(self) -> set[str]:
        """Return the ids of the sources the run read."""
        return {s.source_id for s in self.sources}


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(racine)"


def record_from_mapping(data: Mapping[str, Any], path: Path | str = "run.json") -> RunRecord:
    """Return the :class:`RunRecord` of a parsed ``run.json``.

    Raises
    ------
    InputError
        In French, naming ``path``, the first offending field and what was expected.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"{path} : objet JSON attendu à la racine")
    found = data.get("format")
    if found != FORMAT:
        raise InputError(f"{path} : champ format : {found!r} inconnu (attendu {FORMAT})")
    try:
        return RunRecord.model_validate(dict(data))
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (et {len(errors) - 1} autre(s) erreur(s))" if len(errors) > 1 else ""
        message = "absent (champ obligatoire)" if first["type"] == "missing" else None
        raise InputError(
            f"{path} : champ {_field(first['loc'])} : {message or french_message(first)}{more}"
        ) from None
