"""Parts of the method file: its vocabularies and the models of its sections.

:mod:`quartiers.method.spec` assembles them into :class:`~quartiers.method.spec.Method`;
:mod:`quartiers.method.spec_checks` checks the rules across fields.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AGGREGATIONS",
    "ALLOCATIONS",
    "NORMALISATIONS",
    "PYDANTIC_FR",
    "STRICT",
    "UNREACHABLE",
    "WEIGHT_TOLERANCE",
    "Aggregation",
    "Dimension",
    "IndicatorChoice",
    "known",
    "loc",
]

#: Normalisations (id → French label).
NORMALISATIONS: dict[str, str] = {
    "percentile": "rang centile pondéré dans la distribution des carreaux du territoire",
    "minmax": "min–max sur les carreaux du territoire",
    "zscore": "z-score (écart à la moyenne des carreaux, en écarts-types)",
    "bounds": "min–max entre deux bornes fixes données par la méthode",
}

#: Aggregations (id → French label).
AGGREGATIONS: dict[str, str] = {
    "arithmetic": "moyenne arithmétique pondérée",
    "geometric": "moyenne géométrique pondérée",
}

#: Rules for cells from which no place of a category is reachable on foot (id → French).
#: Allocation of cell counts to zones (method option ``allocation``; see
#: :mod:`quartiers.spatial.dasymetric`).
ALLOCATIONS: dict[str, str] = {
    "area": "au prorata de la surface des carreaux dans la zone",
    "buildings": "au prorata de la surface de plancher résidentielle des bâtiments",
}

UNREACHABLE: dict[str, str] = {
    "drop": "carreau sans lieu atteignable laissé vide (méthode v1)",
    "worst": "carreau sans lieu atteignable : plus grande distance du territoire",
}

#: Tolerance on declared weight sums.
WEIGHT_TOLERANCE = 1e-6

#: Pydantic settings of every section: unknown fields refused, values frozen.
STRICT = ConfigDict(extra="forbid", frozen=True)


class IndicatorChoice(BaseModel):
    """Weight and optional normalisation of one indicator inside its dimension."""

    model_config = STRICT

    weight: float
    normalisation: str | None = None
    bounds: tuple[float, float] | None = None


class Dimension(BaseModel):
    """Weight of a dimension and the indicators it aggregates."""

    model_config = STRICT

    weight: float
    indicators: dict[str, float | IndicatorChoice]

    def choices(self) -> dict[str, IndicatorChoice]:
        """Return every indicator as an :class:`IndicatorChoice`."""
        return {
            k: v if isinstance(v, IndicatorChoice) else IndicatorChoice(weight=v)
            for k, v in self.indicators.items()
        }


class Aggregation(BaseModel):
    """Aggregation within each dimension and across dimensions."""

    model_config = STRICT

    within: str = "arithmetic"
    across: str = "arithmetic"


#: pydantic error types → French messages (the method file).
PYDANTIC_FR = {
    "extra_forbidden": "champ inconnu",
    "missing": "champ obligatoire manquant",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "finite_number": "nombre fini attendu",
    "string_type": "texte attendu",
    "dict_type": "table « clé : valeur » attendue",
    "model_type": "table « clé : valeur » attendue",
    "model_attributes_type": "table « clé : valeur » attendue",
    "tuple_type": "liste de deux nombres attendue",
    "too_short": "liste de deux nombres attendue",
    "too_long": "liste de deux nombres attendue",
    "greater_than_equal": "valeur supérieure ou égale à {ge} attendue",
    "greater_than": "valeur strictement supérieure à {gt} attendue",
    "less_than": "valeur inférieure à {lt} attendue",
    "less_than_equal": "valeur au plus égale à {le} attendue",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "bool_type": "oui/non (true/false) attendu",
    "bool_parsing": "oui/non (true/false) attendu",
    "list_type": "liste attendue",
}


def loc(parts: tuple[int | str, ...]) -> str:
    """Return a pydantic error location as the dotted path of the method file's field."""
    # pydantic adds the union branch name (e.g. "float", "IndicatorChoice") to the location.
    keep = [str(p) for p in parts if p not in ("float", "IndicatorChoice")]
    return ".".join(keep) or "(racine)"


def known(table: dict[str, str]) -> str:
    """Return « attendu : a, b, c » for the keys of ``table``."""
    return "attendu : " + ", ".join(table)
