"""What the sheet charts draw: indicators compared by zone, QPV ranked."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Compared", "RankedUnit"]


@dataclass(frozen=True)
class Compared:
    """One indicator to draw: label, unit, a value per zone (None when missing), direction.

    ``direction`` is +1 when a higher value means more vulnerable, -1 when less.
    """

    label: str
    unit: str
    values: dict[str, float | None]
    direction: int = 1


@dataclass(frozen=True)
class RankedUnit:
    """A QPV in the rank chart: index, rank and optional rank interval."""

    code: str
    name: str
    index: float | None
    rank: float | None
    low: float | None = None
    high: float | None = None
    median: float | None = None
