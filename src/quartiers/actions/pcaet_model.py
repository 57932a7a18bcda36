"""The rows of the PCAET chapter on the priority neighbourhoods (``quartiers export --pcaet``).

Plain data, built by :func:`quartiers.actions.pcaet.build_pcaet` and written by
:mod:`quartiers.actions.pcaet_docx` (DOCX) and :mod:`quartiers.actions.pcaet_csv` (CSV for
French Excel). The hazards follow the vulnerability analysis of a PCAET (code de
l'environnement, art. R229-51; ADEME method: exposure to a hazard × sensitivity of who is
exposed): for each hazard, the indicators of exposure and of sensitivity the diagnostic
publishes, read by their registry id in ``qpv.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "HAZARDS",
    "EpciExposure",
    "EpciSummary",
    "Hazard",
    "Measure",
    "PcaetAction",
    "PcaetChapter",
    "UnitChapter",
]


@dataclass(frozen=True)
class Hazard:
    """A climate hazard of the chapter and the indicators that describe it.

    Attributes
    ----------
    id, label
        Identifier and French name.
    exposure, sensitivity
        Registry ids of the exposure and sensitivity indicators, in reading order.
    residents
        Registry id of the share of residents living in the hazard zone (None when the
        hazard has no zone, as for heat): used to count the residents exposed.
    """

    id: str
    label: str
    exposure: tuple[str, ...]
    sensitivity: tuple[str, ...]
    residents: str | None = None

    @property
    def indicators(self) -> tuple[str, ...]:
        """Return every indicator of the hazard (exposure first)."""
        return self.exposure + self.sensitivity


def _zone_hazard(group: str, label: str) -> Hazard:
    return Hazard(
        id=group,
        label=label,
        exposure=(f"{group}_residents",),
        sensitivity=(f"{group}_poor", f"{group}_0_3", f"{group}_65p"),
        residents=f"{group}_residents",
    )


#: The hazards of the chapter, in the order of the document.
HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        id="heat",
        label="Vagues de chaleur et îlot de chaleur urbain",
        exposure=(
            "heat_wave_days",
            "warm_nights",
            "very_hot_days",
            "lcz_heat",
            "night_heat",
            "impervious_share",
        ),
        sensitivity=(
            "poverty_rate",
            "share_65p",
            "share_80p",
            "share_80p_alone",
            "share_0_3",
            "share_single_person",
        ),
    ),
    Hazard(
        id="indoor_heat",
        label="Chaleur dans les logements (DPE)",
        exposure=("share_summer_comfort_poor",),
        sensitivity=("share_dpe_fg", "energy_poverty_proxy"),
    ),
    _zone_hazard("flood", "Inondation par les cours d'eau"),
    _zone_hazard("sea", "Submersion marine"),
    _zone_hazard("clay", "Retrait-gonflement des argiles"),
    _zone_hazard("multi_hazard", "Cumul d'au moins deux aléas (inondation, submersion, argiles)"),
)


@dataclass(frozen=True)
class Measure:
    """One indicator of one hazard for one unit (a QPV, a zone or the rest of the EPCI).

    Numbers are the diagnostic's own (``qpv.csv`` and ``zones.parquet``), never recomputed:
    ``rest_commune = value − gap_commune`` as the web page and the sheet show it.
    """

    hazard: str
    hazard_label: str
    component: str
    indicator: str
    label: str
    unit: str
    value: float
    rest_commune: float
    gap_commune: float
    rest_epci: float
    gap_epci: float
    note: str = ""


@dataclass(frozen=True)
class PcaetAction:
    """An adaptation action retained for a unit, as the PCAET's action programme lists it.

    The fields follow what art. R229-51 asks of the main actions: the means (cost), the
    public concerned, the partnerships and the expected results (with the indicator to
    monitor and its baseline from the diagnostic).
    """

    rank: int
    id: str
    title: str
    hazards: tuple[str, ...]
    answers: str
    need: float
    public: str
    residents: float
    pilot: str
    partners: tuple[str, ...]
    invest_low: float
    invest_high: float
    running_low: float
    running_high: float
    quantity: str
    lead_time: str
    expected: str
    monitoring: str
    monitoring_indicator: str | None
    baseline: float
    baseline_text: str
    co_benefits: tuple[str, ...]
    funding: tuple[str, ...]
    sources: tuple[str, ...]
    cost_basis: str


@dataclass(frozen=True)
class UnitChapter:
    """The part of the chapter on one unit (QPV or zone of a ``--zones`` diagnostic)."""

    code: str
    name: str
    commune: str
    siren_epci: str
    population: float
    index_text: str
    rank_text: str
    measures: tuple[Measure, ...]
    actions: tuple[PcaetAction, ...]
    horizon_labels: tuple[str, ...] = ()
    horizon_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class EpciExposure:
    """Residents of one hazard zone inside and outside the units of one EPCI."""

    hazard: str
    label: str
    units_residents: float
    units_share: float
    rest_residents: float
    rest_share: float

    @property
    def units_part(self) -> float:
        """Return the share of the EPCI's exposed residents who live in the units."""
        total = self.units_residents + self.rest_residents
        return self.units_residents / total if total > 0 else float("nan")


@dataclass(frozen=True)
class EpciSummary:
    """The EPCI part: its units, its rest (outside the units) and the residents exposed."""

    siren: str
    name: str
    units_population: float
    rest_population: float
    rest: tuple[Measure, ...]
    exposures: tuple[EpciExposure, ...]
    shared_actions: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass
class PcaetChapter:
    """Everything the DOCX and the CSV of the PCAET chapter print."""

    territory: str
    unit_word: str
    unit_plural: str
    zones_file: str
    generated: str
    method_label: str
    horizon_label: str
    code_version: str
    units: list[UnitChapter]
    epcis: list[EpciSummary]
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Return the document title."""
        return f"Chapitre « quartiers » du PCAET — {self.territory}"
