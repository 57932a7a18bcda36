"""Housing, indoor heat and energy of one QPV, as shown on its web page and its sheet.

One table of the DPE indicators (F or G « passoires », poor summer comfort, energy-poverty
proxy, heating by fuel oil or electricity) against the rest of the commune, and the
coverage of the DPE sample, always shown: the DPE covers only dwellings sold or let since
July 2021, so a share read on few certificates is fragile. Without a DPE file the section
says why (« non renseigné : <raison> »), never 0 %. Everything is read from the QPV's row of
``qpv.csv`` and the run's missing indicators; nothing is recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.formatting import MISSING, format_number, format_value
from quartiers.outputs.hazard_summary import HazardRow, epci_row, has_epci

__all__ = ["FEW_DPE", "HOUSING_ROWS", "HousingSummary", "housing_summary"]

#: Indicator → short French label of its row (the order of the table).
HOUSING_ROWS: dict[str, str] = {
    "share_dpe_fg": "Logements classés F ou G (« passoires »)",
    "share_summer_comfort_poor": "Logements au confort d'été insuffisant",
    "energy_poverty_proxy": "Ménages pauvres en passoire (approche de la précarité énergétique)",
    "share_heating_fuel_oil": "Logements chauffés au fioul",
    "share_heating_electric": "Logements chauffés à l'électricité",
}
#: Below this many certificated dwellings in the QPV, the shares are flagged as fragile.
FEW_DPE = 30
_COVERAGE = "dpe_coverage"
_NOT_GIVEN = "non renseigné"


@dataclass(frozen=True)
class HousingSummary:
    """The housing section of a QPV.

    Attributes
    ----------
    available
        Whether any DPE indicator has a value for the QPV.
    note
        Why the section is empty (« non renseigné : <raison> »), or ``''``.
    rows
        One per indicator of :data:`HOUSING_ROWS` (a missing one reads « non renseigné »).
    dwellings, coverage
        Certificated dwellings counted in the QPV and their number per household.
    fragile
        Fewer than :data:`FEW_DPE` certificated dwellings: the shares are indicative.
    """

    available: bool
    note: str
    rows: tuple[HazardRow, ...]
    dwellings: str
    coverage: str
    fragile: bool
    #: Whether ``qpv.csv`` compares the QPV with the rest of its EPCI (else « EPCI non
    #: disponible »).
    epci: bool = False

    @property
    def coverage_text(self) -> str:
        """Return the coverage of the DPE sample, in one French sentence."""
        text = (
            f"{self.dwellings} logements diagnostiqués depuis juillet 2021, soit "
            f"{self.coverage} des ménages du QPV"
        )
        if self.fragile:
            text += f" — moins de {FEW_DPE} : parts indicatives"
        return text


def _float(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def _row(ind: str, label: str, row: pd.Series, missing: Mapping[str, str]) -> HazardRow:
    unit = REGISTRY[ind].unit
    own = _float(row.get(ind))
    if not math.isfinite(own):
        reason = missing.get(ind, "")
        text = f"{_NOT_GIVEN} ({reason})" if reason else MISSING
        return HazardRow(label=label, qpv=text, rest=MISSING, gap=MISSING)
    return epci_row(ind, label, row, unit)


def housing_summary(row: pd.Series, missing: Mapping[str, str]) -> HousingSummary | None:
    """Return the housing section of a QPV, or None for a diagnostic without DPE columns.

    Parameters
    ----------
    row
        The QPV's row of the diagnostic's ``qpv`` table.
    missing
        The run's missing indicators (indicator id → French reason), ``run.json``.
    """
    if _COVERAGE not in row.index:
        return None
    coverage = _float(row.get(_COVERAGE))
    households = _float(row.get("households"))
    dwellings = coverage * households
    available = math.isfinite(coverage) and coverage > 0
    note = ""
    if not available:
        reason = missing.get(_COVERAGE, "")
        note = f"{_NOT_GIVEN} : {reason}" if reason else _NOT_GIVEN
    return HousingSummary(
        available=available,
        note=note,
        rows=tuple(_row(i, label, row, missing) for i, label in HOUSING_ROWS.items()),
        dwellings=format_number(dwellings, 0) if math.isfinite(dwellings) else MISSING,
        coverage=format_value(coverage, "part (0–1)") if available else MISSING,
        fragile=bool(math.isfinite(dwellings) and dwellings < FEW_DPE),
        epci=has_epci(row, list(HOUSING_ROWS)),
    )
