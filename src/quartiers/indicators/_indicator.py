"""The metadata record of one indicator (the registry holds them all)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Indicator"]


@dataclass(frozen=True)
class Indicator:
    """Metadata of one indicator.

    Attributes
    ----------
    id
        Stable identifier (column name in every output).
    label
        French label shown to users.
    unit
        Unit of the value (French).
    dimension
        One of :data:`DIMENSIONS`.
    direction
        ``+1`` when a higher value means more vulnerable, ``-1`` when less.
    formula
        How the cell value is computed (French, Filosofi column names).
    source
        Publisher and dataset.
    min_population
        Residents a cell or zone must have for its value to be shown (below: empty value).
    weighting
        How cells combine into a zone (French): the denominator summed over cells.
    """

    id: str
    label: str
    unit: str
    dimension: str
    direction: int
    formula: str
    source: str
    min_population: float
    weighting: str

    @property
    def direction_label(self) -> str:
        """Return the French reading of the direction."""
        if self.direction > 0:
            return "plus élevé = plus vulnérable"
        return "plus élevé = moins vulnérable"
