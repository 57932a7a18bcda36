"""The parts of a catalogue action: effects, costs, lever, lead time, monitoring.

Validated pydantic records shared by :mod:`quartiers.actions.catalogue` (which re-exports
them); every validation message is French and names the faulty value.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from quartiers.actions.vocabulary import COST_UNITS
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY

__all__ = [
    "EXPERT",
    "ID_PATTERN",
    "Cost",
    "Effect",
    "LeadTime",
    "Lever",
    "Model",
    "Monitoring",
    "check_label",
    "resolve_indicator",
]

#: How an expert estimate is labelled wherever a figure is shown.
EXPERT = "estimation d'expert"

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def resolve_indicator(name: str) -> str:
    """Return the registry id of an indicator named in the catalogue.

    Access distances may be written with or without the ``_m`` suffix (``dist_care`` or
    ``dist_care_m``) so the catalogue survives a renaming of those columns.

    Raises
    ------
    ValueError
        Unknown indicator (French message, turned into a validation error).
    """
    if name in REGISTRY:
        return name
    for candidate in (f"{name}_m", name.removesuffix("_m")):
        if candidate in REGISTRY:
            return candidate
    raise ValueError(f"indicateur inconnu « {name} » (voir le registre des indicateurs)")


def check_label(table: dict[str, Any], value: str, what: str) -> str:
    if value not in table:
        raise ValueError(f"{what} inconnu « {value} » (attendu : {', '.join(table)})")
    return value


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(Model):
    """Expected change of one indicator, as a range in the indicator's unit.

    ``low`` and ``high`` are signed changes (e.g. ``-300`` m of walking distance). ``scope``
    says where the change applies (the treated cells, the cells around a new place…).
    """

    indicator: str
    low: float
    high: float
    scope: str = Field(min_length=1)
    source: str = Field(min_length=1)
    expert: bool = False

    @field_validator("indicator")
    @classmethod
    def _known(cls, value: str) -> str:
        return resolve_indicator(value)

    @model_validator(mode="after")
    def _ordered(self) -> Effect:
        if self.low > self.high:
            raise ValueError(f"fourchette inversée ({self.low} > {self.high})")
        return self

    @property
    def basis(self) -> str:
        """Return the French provenance of the figure."""
        return f"{EXPERT} — {self.source}" if self.expert else self.source


class Cost(Model):
    """A cost range in euros (excluding tax), per unit."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)
    per: str
    source: str = Field(min_length=1)
    expert: bool = False

    @field_validator("per")
    @classmethod
    def _unit(cls, value: str) -> str:
        return check_label(COST_UNITS, value, "unité de coût")

    @model_validator(mode="after")
    def _ordered(self) -> Cost:
        if self.low > self.high:
            raise ValueError(f"fourchette de coût inversée ({self.low} > {self.high})")
        return self

    @property
    def basis(self) -> str:
        """Return the French provenance of the figure."""
        return f"{EXPERT} — {self.source}" if self.expert else self.source


class Lever(Model):
    """How the what-if represents the action.

    Attributes
    ----------
    kind
        ``canopy``, ``green``, ``deseal`` (an ``amount`` share on chosen cells), ``place``
        (a place of ``category`` opened at a point) or ``none``.
    amount
        Default share: of each treated cell's area (canopy, green) or of its roadway
        surface (deseal).
    max_amount
        Largest share accepted in the workshop.
    cells
        Default number of cells treated in the QPV (the worst served first).
    category
        Access category of the opened place (``place``).
    place_kind
        Kind of the opened place (``salle_rafraichie``, ``fontaine``…), kept in the
        places table so that a declared room is never merged into a nearby library.
    m2_per_unit
        Area (m²) one cost unit covers (a tree's crown at maturity…), to turn a planted
        area into a quantity for the budget.
    """

    kind: Literal["canopy", "green", "deseal", "place", "none"]
    amount: float | None = Field(default=None, gt=0, le=1)
    max_amount: float | None = Field(default=None, gt=0, le=1)
    cells: int = Field(default=2, ge=1, le=50)
    category: str | None = None
    place_kind: str | None = None
    m2_per_unit: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> Lever:
        if self.kind in ("canopy", "green", "deseal") and self.amount is None:
            raise ValueError(f"levier {self.kind} : part par défaut « amount » manquante")
        if self.kind == "deseal" and (self.max_amount or self.amount or 0) > 0.9:
            raise ValueError("levier deseal : au plus 0,9 de la voirie (une voie reste)")
        if self.kind == "place":
            if self.category not in ACCESS_CATEGORIES:
                raise ValueError(
                    f"levier place : catégorie « {self.category} » inconnue "
                    f"(attendu : {', '.join(ACCESS_CATEGORIES)})"
                )
        elif self.category is not None:
            raise ValueError("seul un levier place a une catégorie")
        if (
            self.max_amount is not None
            and self.amount is not None
            and self.amount > self.max_amount
        ):
            raise ValueError("part par défaut supérieure à la part maximale")
        return self

    @property
    def limit(self) -> float:
        """Return the largest share accepted for this lever."""
        if self.max_amount is not None:
            return self.max_amount
        return 0.9 if self.kind == "deseal" else 1.0


class LeadTime(Model):
    """Time from decision to delivery, in months."""

    months_low: int = Field(ge=0)
    months_high: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> LeadTime:
        if self.months_low > self.months_high:
            raise ValueError("délai minimal supérieur au délai maximal")
        return self


class Monitoring(Model):
    """The indicator used to follow the action (a registry id when it is one)."""

    label: str = Field(min_length=1)
    indicator: str | None = None

    @field_validator("indicator")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else resolve_indicator(value)
