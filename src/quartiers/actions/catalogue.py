"""The catalogue of adaptation actions: validated data read from the packaged YAML files.

Each action says what it is (French title and description, type, contrat-de-ville
pillars), which indicators it addresses (``targets``, registry ids) and by how much
(``effects``, ranges with their source or an honestly labelled expert estimate), what it
costs, how long it takes, who leads it and with whom, how it is monitored, and how the
what-if represents it (``lever``). Validation errors are French and name the action and
the field. ``catalogue.yaml`` holds the heat actions, ``catalogue_hazards.yaml`` the flood
and indoor-heat ones; the parts of an action are in :mod:`quartiers.actions._catalogue_fields`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from quartiers.actions._catalogue_fields import (
    EXPERT,
    ID_PATTERN,
    Cost,
    Effect,
    LeadTime,
    Lever,
    Model,
    Monitoring,
    check_label,
    resolve_indicator,
)
from quartiers.actions.vocabulary import (
    ACTION_TYPES,
    BENEFICIARIES,
    CO_BENEFITS,
    PARTNERS,
    PILLARS,
)
from quartiers.errors import InputError
from quartiers.os_errors import reason, yaml_reason
from quartiers.validation_fr import french_message

__all__ = [
    "EXPERT",
    "PACKAGED_FILES",
    "Action",
    "Catalogue",
    "Cost",
    "Effect",
    "LeadTime",
    "Lever",
    "Monitoring",
    "default_catalogue",
    "load_catalogue",
    "parse_catalogue",
    "resolve_indicator",
]

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


class Action(Model):
    """One adaptation action (see the module docstring)."""

    id: str
    title: str = Field(min_length=3)
    description: str = Field(min_length=10)
    type: str
    pillars: list[str] = Field(min_length=1)
    co_benefits: list[str] = Field(min_length=1)
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
        if not ID_PATTERN.match(value):
            raise ValueError(
                f"identifiant « {value} » invalide (minuscules, chiffres et _ attendus)"
            )
        return value

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return check_label(ACTION_TYPES, value, "type")

    @field_validator("pillars")
    @classmethod
    def _pillars(cls, value: list[str]) -> list[str]:
        return [check_label(PILLARS, v, "pilier") for v in value]

    @field_validator("co_benefits")
    @classmethod
    def _co_benefits(cls, value: list[str]) -> list[str]:
        return [check_label(CO_BENEFITS, v, "co-bénéfice") for v in value]

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        return [resolve_indicator(v) for v in value]

    @field_validator("beneficiaries")
    @classmethod
    def _beneficiaries(cls, value: str) -> str:
        return check_label(BENEFICIARIES, value, "public")

    @field_validator("pilot")
    @classmethod
    def _pilot(cls, value: str) -> str:
        return check_label(PARTNERS, value, "pilote")

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: list[str]) -> list[str]:
        return [check_label(PARTNERS, v, "partenaire") for v in value]

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
    def co_benefit_labels(self) -> list[str]:
        """Return the French labels of the co-benefits."""
        return [CO_BENEFITS[c] for c in self.co_benefits]

    @property
    def pilot_label(self) -> str:
        """Return the French label of the pilot."""
        return PARTNERS[self.pilot]

    @property
    def partner_labels(self) -> list[str]:
        """Return the French labels of the partners."""
        return [PARTNERS[p] for p in self.partners]


class Catalogue(Model):
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


#: The packaged catalogue files, merged in this order by :func:`default_catalogue`: heat
#: actions, then flood and indoor-heat actions.
PACKAGED_FILES = ("catalogue.yaml", "catalogue_hazards.yaml")


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """Return the packaged catalogue: the actions of every file of :data:`PACKAGED_FILES`.

    Each file is validated on its own (messages name it); the merged catalogue takes the
    first file's version and title and refuses an action id given twice.
    """
    parts = [
        parse_catalogue(
            resources.files("quartiers.actions").joinpath(name).read_text("utf-8"), source=name
        )
        for name in PACKAGED_FILES
    ]
    try:
        return Catalogue(
            version=parts[0].version,
            title=parts[0].title,
            actions=[a for part in parts for a in part.actions],
        )
    except ValidationError as exc:
        reasons = " ; ".join(_message(e) for e in exc.errors())
        raise InputError(f"{', '.join(PACKAGED_FILES)} : {reasons}") from None
