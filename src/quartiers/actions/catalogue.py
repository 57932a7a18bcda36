"""The catalogue of adaptation actions: validated data read from ``catalogue.yaml``.

Each action says what it is (French title and description, type, contrat-de-ville
pillars), which indicators it addresses (``targets``, registry ids) and by how much
(``effects``, ranges with their source or an honestly labelled expert estimate), what it
costs, how long it takes, who leads it and with whom, how it is monitored, and how the
what-if represents it (``lever``). Validation errors are French and name the action and
the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from quartiers._validation_fr import french_message
from quartiers.actions.vocabulary import (
    ACTION_TYPES,
    BENEFICIARIES,
    COST_UNITS,
    PARTNERS,
    PILLARS,
)
from quartiers.errors import InputError
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY
from quartiers.os_errors import reason, yaml_reason

__all__ = [
    "EXPERT",
    "Action",
    "Catalogue",
    "Cost",
    "Effect",
    "Lever",
    "default_catalogue",
    "load_catalogue",
    "parse_catalogue",
    "resolve_indicator",
]

#: How an expert estimate is labelled wherever a figure is shown.
EXPERT = "estimation d'expert"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

_PYDANTIC_FR = {
    "extra_forbidden": "champ inconnu",
    "missing": "champ obligatoire manquant",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "finite_number": "nombre fini attendu",
    "string_type": "texte attendu",
    "string_too_short": "texte non vide attendu",
    "bool_parsing": "oui/non (true/false) attendu",
    "bool_type": "oui/non (true/false) attendu",
    "list_type": "liste attendue",
    "too_short": "liste non vide attendue",
    "dict_type": "table « clé : valeur » attendue",
    "model_type": "table « clé : valeur » attendue",
    "model_attributes_type": "table « clé : valeur » attendue",
    "literal_error": "valeur non reconnue",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "greater_than": "valeur trop petite",
    "less_than": "valeur trop grande",
}


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


def _label(table: dict[str, Any], value: str, what: str) -> str:
    if value not in table:
        raise ValueError(f"{what} inconnu « {value} » (attendu : {', '.join(table)})")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Effect(_Model):
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


class Cost(_Model):
    """A cost range in euros (excluding tax), per unit."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)
    per: str
    source: str = Field(min_length=1)
    expert: bool = False

    @field_validator("per")
    @classmethod
    def _unit(cls, value: str) -> str:
        return _label(COST_UNITS, value, "unité de coût")

    @model_validator(mode="after")
    def _ordered(self) -> Cost:
        if self.low > self.high:
            raise ValueError(f"fourchette de coût inversée ({self.low} > {self.high})")
        return self

    @property
    def basis(self) -> str:
        """Return the French provenance of the figure."""
        return f"{EXPERT} — {self.source}" if self.expert else self.source


class Lever(_Model):
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


class LeadTime(_Model):
    """Time from decision to delivery, in months."""

    months_low: int = Field(ge=0)
    months_high: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> LeadTime:
        if self.months_low > self.months_high:
            raise ValueError("délai minimal supérieur au délai maximal")
        return self


class Monitoring(_Model):
    """The indicator used to follow the action (a registry id when it is one)."""

    label: str = Field(min_length=1)
    indicator: str | None = None

    @field_validator("indicator")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return None if value is None else resolve_indicator(value)


class Action(_Model):
    """One adaptation action (see the module docstring)."""

    id: str
    title: str = Field(min_length=3)
    description: str = Field(min_length=10)
    type: str
    pillars: list[str] = Field(min_length=1)
    targets: list[str] = Field(min_length=1)
    beneficiaries: str = "all"
    effects: list[Effect] = Field(default_factory=list)
    impact: int = Field(ge=1, le=3)
    impact_basis: str = Field(min_length=1)
    lever: Lever
    cost: Cost
    running_cost: Cost | None = None
    default_quantity: float = Field(default=1.0, gt=0)
    lead_time: LeadTime
    pilot: str
    partners: list[str] = Field(default_factory=list)
    funding: list[str] = Field(default_factory=list)
    monitoring: Monitoring
    sources: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                f"identifiant « {value} » invalide (minuscules, chiffres et _ attendus)"
            )
        return value

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _label(ACTION_TYPES, value, "type")

    @field_validator("pillars")
    @classmethod
    def _pillars(cls, value: list[str]) -> list[str]:
        return [_label(PILLARS, v, "pilier") for v in value]

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        return [resolve_indicator(v) for v in value]

    @field_validator("beneficiaries")
    @classmethod
    def _beneficiaries(cls, value: str) -> str:
        return _label(BENEFICIARIES, value, "public")

    @field_validator("pilot")
    @classmethod
    def _pilot(cls, value: str) -> str:
        return _label(PARTNERS, value, "pilote")

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: list[str]) -> list[str]:
        return [_label(PARTNERS, v, "partenaire") for v in value]

    @model_validator(mode="after")
    def _consistent(self) -> Action:
        if self.running_cost is not None and self.running_cost.per != "year":
            raise ValueError("le coût de fonctionnement s'exprime « par an » (per: year)")
        if self.lever.kind == "none" and self.effects:
            raise ValueError(
                "une action sans levier (kind: none) ne chiffre pas d'effet sur les "
                "indicateurs : décrire l'effet attendu dans la description"
            )
        if self.lever.kind != "none" and not self.effects:
            raise ValueError("un levier simulé doit annoncer ses effets (effects)")
        return self

    @property
    def type_label(self) -> str:
        """Return the French label of the type."""
        return ACTION_TYPES[self.type]

    @property
    def pillar_labels(self) -> list[str]:
        """Return the French labels of the pillars."""
        return [PILLARS[p] for p in self.pillars]

    @property
    def pilot_label(self) -> str:
        """Return the French label of the pilot."""
        return PARTNERS[self.pilot]

    @property
    def partner_labels(self) -> list[str]:
        """Return the French labels of the partners."""
        return [PARTNERS[p] for p in self.partners]


class Catalogue(_Model):
    """The validated catalogue."""

    version: str
    title: str
    actions: list[Action] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for action in self.actions:
            if action.id in seen:
                raise ValueError(f"identifiant d'action « {action.id} » en double")
            seen.add(action.id)
        return self

    @property
    def ids(self) -> list[str]:
        """Return the action ids in catalogue order."""
        return [a.id for a in self.actions]

    def get(self, action_id: str) -> Action:
        """Return one action or raise a French :class:`InputError`."""
        for action in self.actions:
            if action.id == action_id:
                return action
        raise InputError(
            f"action inconnue « {action_id} » (actions du catalogue : {', '.join(self.ids)})"
        )


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """Return a French location: the action id when known, then the field path."""
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "actions" and isinstance(loc[1], int):
        actions = data.get("actions") if isinstance(data, dict) else None
        name = f"n° {loc[1] + 1}"
        if isinstance(actions, list) and loc[1] < len(actions):
            item = actions[loc[1]]
            if isinstance(item, dict) and item.get("id"):
                name = f"« {item['id']} »"
        parts.append(f"action {name}")
        loc = loc[2:]
    path = ".".join(str(p) for p in loc if not str(p).startswith(("function-", "literal[")))
    if path:
        parts.append(f"champ « {path} »")
    return ", ".join(parts) or "racine"


def _message(err: Any) -> str:
    return _PYDANTIC_FR.get(err["type"]) or french_message(err)


def parse_catalogue(text: str, *, source: str) -> Catalogue:
    """Validate a catalogue given as YAML text.

    Raises
    ------
    InputError
        French message naming ``source``, the action and the faulty field.
    """
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{source} : YAML illisible {yaml_reason(exc)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source} : une table YAML « clé : valeur » est attendue à la racine")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        parts = [f"{_where(data, tuple(e['loc']))} : {_message(e)}" for e in exc.errors()]
        shown = parts[:5]
        more = f" (et {len(parts) - 5} autre(s))" if len(parts) > 5 else ""
        raise InputError(f"{source} : " + " ; ".join(shown) + more) from None


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate a catalogue file (YAML, UTF-8)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} : catalogue d'actions illisible ({reason(exc)})") from None
    return parse_catalogue(text, source=str(path))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """Return the packaged catalogue (``quartiers/actions/catalogue.yaml``)."""
    text = resources.files("quartiers.actions").joinpath("catalogue.yaml").read_text("utf-8")
    return parse_catalogue(text, source="catalogue.yaml")
