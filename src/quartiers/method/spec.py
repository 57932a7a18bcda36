"""The method file (YAML): its schema, its validation and its loading.

Structure and types are checked by pydantic; cross-field rules (known indicators in the
right dimension, weights positive and summing as declared, known normalisations and
aggregations, existing horizon) by :func:`_check`. Every problem becomes a
:class:`~quartiers.errors.MethodError` in French naming the file and the field.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from quartiers._validation_fr import french_message
from quartiers.errors import MethodError
from quartiers.indicators.exposure import LCZ_HEAT_SCORES, LCZ_VARIABLE
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.method.choices import Hotspots, Uncertainty, check_choices
from quartiers.method.completeness import MISSING_DIMENSION
from quartiers.method.hazard import Hazard
from quartiers.method.reference import check_reference
from quartiers.os_errors import reason, yaml_reason
from quartiers.schemas import HORIZONS

__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "Aggregation",
    "Dimension",
    "IndicatorChoice",
    "Method",
    "default_method",
    "load_method",
    "packaged_method",
    "packaged_methods",
    "parse_method",
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
UNREACHABLE: dict[str, str] = {
    "drop": "carreau sans lieu atteignable laissé vide (méthode v1)",
    "worst": "carreau sans lieu atteignable : plus grande distance du territoire",
}

#: Tolerance on declared weight sums.
WEIGHT_TOLERANCE = 1e-6

_STRICT = ConfigDict(extra="forbid", frozen=True)


class IndicatorChoice(BaseModel):
    """Weight and optional normalisation of one indicator inside its dimension."""

    model_config = _STRICT

    weight: float
    normalisation: str | None = None
    bounds: tuple[float, float] | None = None


class Dimension(BaseModel):
    """Weight of a dimension and the indicators it aggregates."""

    model_config = _STRICT

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

    model_config = _STRICT

    within: str = "arithmetic"
    across: str = "arithmetic"


def _default_lcz_scores() -> dict[str, float | str]:
    return dict(LCZ_HEAT_SCORES)


class Method(BaseModel):
    """A validated method: normalisation, weights, aggregation and thresholds."""

    model_config = _STRICT

    name: str
    version: str
    description: str = ""
    horizon: str = "ref"
    population_floor: float = Field(default=500.0, ge=0)
    cell_population_floor: float = Field(default=50.0, ge=0)
    weights_sum: float = Field(default=1.0, gt=0)
    normalisation: str = "percentile"
    missing_dimension: str = "exclude"
    reference: str = "run"
    aggregation: Aggregation = Aggregation()
    dimensions: dict[str, Dimension]
    lcz_heat_scores: dict[str, float | str] = Field(default_factory=_default_lcz_scores)
    default_crown_m: float = Field(default=6.0, gt=0)
    unreachable: str = "drop"
    uncertainty: Uncertainty = Uncertainty()
    hotspots: Hotspots = Hotspots()
    hazard: Hazard | None = None

    _text: str = PrivateAttr(default="")

    @field_validator("horizon", "version", "name", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        # YAML reads ``horizon: 2030`` or ``version: 1.0`` as numbers.
        return str(value) if isinstance(value, int | float) else value

    _source: str = PrivateAttr(default="")

    @property
    def text(self) -> str:
        """Return the YAML text the method was read from."""
        return self._text

    @property
    def source(self) -> str:
        """Return the file the method was read from (or the packaged default's name)."""
        return self._source

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the method file text."""
        return hashlib.sha256(self._text.encode("utf-8")).hexdigest()

    @classmethod
    def load(cls, source: str | Path | None = None) -> Method:
        """Return a validated method: a YAML file, a packaged name (``"v1"``) or the default.

        Parameters
        ----------
        source
            Path of a method file (YAML, UTF-8), the name of a packaged method
            (:func:`packaged_methods`), or None for the documented default method.

        Raises
        ------
        MethodError
            Unreadable or invalid file, unknown packaged name (French message).
        """
        if source is None:
            return default_method()
        path = Path(source)
        if not path.exists() and str(source) in packaged_methods():
            return packaged_method(str(source))
        return load_method(path)

    def reweighted(self, dimensions: Mapping[str, float]) -> Method:
        """Return this method with other dimension weights, validated like a method file.

        Parameters
        ----------
        dimensions
            New weight per dimension id (``{"sensitivity": 0.5, "exposure": 0.3,
            "resources": 0.2}``); dimensions not named keep theirs. The weights must still
            sum to ``weights_sum``.

        Raises
        ------
        MethodError
            Unknown dimension, or weights that no longer sum to ``weights_sum``.
        """
        unknown = sorted(set(dimensions) - set(self.dimensions))
        if unknown:
            raise MethodError(
                f"{self.source} : dimension(s) inconnue(s) {', '.join(unknown)} "
                f"(attendu : {', '.join(self.dimensions)})"
            )
        data = self.model_dump(mode="json", exclude_defaults=True)
        for dim, weight in dimensions.items():
            data["dimensions"][dim]["weight"] = float(weight)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return parse_method(text, source=f"{self.source} (poids des dimensions modifiés)")

    def lcz_scores(self) -> dict[str, float]:
        """Return the LCZ score table as run: a « variable » class takes the middle of
        ``uncertainty.lcz_variable_range`` (the Monte Carlo draws it within the range)."""
        low, high = self.uncertainty.lcz_variable_range
        return {
            str(cls): (low + high) / 2 if score == LCZ_VARIABLE else float(score)
            for cls, score in self.lcz_heat_scores.items()
        }

    def lcz_variable_classes(self) -> tuple[str, ...]:
        """Return the LCZ classes whose score is « variable » (drawn in the Monte Carlo)."""
        return tuple(str(c) for c, s in self.lcz_heat_scores.items() if s == LCZ_VARIABLE)

    def choice(self, indicator_id: str) -> IndicatorChoice | None:
        """Return the choice made for an indicator, or None when the method omits it."""
        ind = REGISTRY[indicator_id]
        dim = self.dimensions.get(ind.dimension)
        if dim is None:
            return None
        return dim.choices().get(indicator_id)

    def normalisation_of(self, indicator_id: str) -> str:
        """Return the normalisation used for an indicator."""
        choice = self.choice(indicator_id)
        if choice is not None and choice.normalisation:
            return choice.normalisation
        return self.normalisation


_PYDANTIC_FR = {
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


def _loc(parts: tuple[int | str, ...]) -> str:
    # pydantic adds the union branch name (e.g. "float", "IndicatorChoice") to the location.
    keep = [str(p) for p in parts if p not in ("float", "IndicatorChoice")]
    return ".".join(keep) or "(racine)"


def _check(method: Method) -> list[tuple[str, str]]:
    """Return ``(field, French message)`` for every cross-field rule the method breaks."""
    errors: list[tuple[str, str]] = []
    if method.horizon not in HORIZONS:
        errors.append(
            ("horizon", f"horizon inconnu {method.horizon!r} (attendu : {', '.join(HORIZONS)})")
        )
    for field, value in (("normalisation", method.normalisation),):
        if value not in NORMALISATIONS:
            errors.append((field, f"normalisation inconnue {value!r} ({_known(NORMALISATIONS)})"))
    if method.missing_dimension not in MISSING_DIMENSION:
        errors.append(
            (
                "missing_dimension",
                f"valeur inconnue {method.missing_dimension!r} ({_known(MISSING_DIMENSION)})",
            )
        )
    errors.extend(check_reference(method.reference))
    for key in ("within", "across"):
        value = getattr(method.aggregation, key)
        if value not in AGGREGATIONS:
            errors.append(
                (f"aggregation.{key}", f"agrégation inconnue {value!r} ({_known(AGGREGATIONS)})")
            )
    if not method.dimensions:
        errors.append(("dimensions", "au moins une dimension attendue"))
    dim_total = 0.0
    for dim_id, dim in method.dimensions.items():
        path = f"dimensions.{dim_id}"
        if dim_id not in DIMENSIONS:
            errors.append((path, f"dimension inconnue ({_known(DIMENSIONS)})"))
            continue
        errors.extend(_check_weight(f"{path}.weight", dim.weight))
        dim_total += dim.weight
        ind_total = 0.0
        for ind_id, choice in dim.choices().items():
            ipath = f"{path}.indicators.{ind_id}"
            errors.extend(_check_weight(f"{ipath}.weight", choice.weight))
            ind_total += choice.weight
            ind = REGISTRY.get(ind_id)
            if ind is None:
                errors.append((ipath, f"indicateur inconnu (connus : {', '.join(REGISTRY)})"))
                continue
            if ind.dimension != dim_id:
                errors.append(
                    (ipath, f"cet indicateur appartient à la dimension « {ind.dimension} »")
                )
            errors.extend(_check_normalisation(method, ipath, ind_id, choice))
        if not dim.indicators:
            errors.append((f"{path}.indicators", "au moins un indicateur attendu"))
        elif not math.isclose(ind_total, method.weights_sum, abs_tol=WEIGHT_TOLERANCE):
            errors.append(
                (
                    f"{path}.indicators",
                    f"les poids des indicateurs totalisent {ind_total:g}, "
                    f"alors que weights_sum déclare {method.weights_sum:g}",
                )
            )
    if method.dimensions and not math.isclose(
        dim_total, method.weights_sum, abs_tol=WEIGHT_TOLERANCE
    ):
        errors.append(
            (
                "dimensions",
                f"les poids des dimensions totalisent {dim_total:g}, "
                f"alors que weights_sum déclare {method.weights_sum:g}",
            )
        )
    if method.unreachable not in UNREACHABLE:
        errors.append(
            ("unreachable", f"règle inconnue {method.unreachable!r} ({_known(UNREACHABLE)})")
        )
    for cls, score in method.lcz_heat_scores.items():
        if str(cls) not in LCZ_HEAT_SCORES:
            errors.append(
                (f"lcz_heat_scores.{cls}", f"classe LCZ inconnue ({', '.join(LCZ_HEAT_SCORES)})")
            )
        elif isinstance(score, str):
            if score != LCZ_VARIABLE:
                expected = f"score positif ou nul ou « {LCZ_VARIABLE} » attendu"
                errors.append((f"lcz_heat_scores.{cls}", expected))
        elif not math.isfinite(score) or score < 0:
            errors.append((f"lcz_heat_scores.{cls}", "score positif ou nul attendu"))
    errors.extend(check_choices(method))
    errors.extend(_check_hazard(method))
    return errors


def _check_hazard(method: Method) -> list[tuple[str, str]]:
    """Climate indicators of the hazard level: known, bounded, and kept out of the index."""
    from quartiers.indicators.exposure import CLIMATE_IDS

    if method.hazard is None:
        return []
    errors: list[tuple[str, str]] = []
    if not method.hazard.indicators:
        errors.append(("hazard.indicators", "au moins un indicateur climatique attendu"))
    in_index = {i for d in method.dimensions.values() for i in d.indicators}
    for ind_id, (low, high) in method.hazard.indicators.items():
        path = f"hazard.indicators.{ind_id}"
        if ind_id not in CLIMATE_IDS:
            errors.append((path, f"indicateur climatique attendu ({', '.join(CLIMATE_IDS)})"))
        elif ind_id in in_index:
            errors.append(
                (
                    path,
                    "un indicateur du niveau d'aléa ne peut pas aussi entrer dans l'indice "
                    "(valeur communale : terme constant dans un rang centile)",
                )
            )
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            errors.append((path, "bornes [min, max] avec min < max attendues"))
    return errors


def _known(table: dict[str, str]) -> str:
    return "attendu : " + ", ".join(table)


def _check_weight(path: str, weight: float) -> list[tuple[str, str]]:
    if not math.isfinite(weight):
        return [(path, "poids fini attendu")]
    if weight < 0:
        return [(path, f"poids négatif {weight:g} (attendu ≥ 0)")]
    return []


def _check_normalisation(
    method: Method, path: str, ind_id: str, choice: IndicatorChoice
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    norm = choice.normalisation or method.normalisation
    if choice.normalisation is not None and choice.normalisation not in NORMALISATIONS:
        errors.append(
            (
                f"{path}.normalisation",
                f"normalisation inconnue {choice.normalisation!r} ({_known(NORMALISATIONS)})",
            )
        )
    if norm == "bounds":
        if choice.bounds is None:
            errors.append((f"{path}.bounds", "bornes [min, max] obligatoires avec « bounds »"))
        elif not choice.bounds[0] < choice.bounds[1]:
            errors.append((f"{path}.bounds", "bornes [min, max] avec min < max attendues"))
    elif choice.bounds is not None:
        errors.append((f"{path}.bounds", "bornes permises seulement avec « bounds »"))
    if norm == "zscore" and "geometric" in (method.aggregation.within, method.aggregation.across):
        errors.append(
            (
                f"{path}.normalisation",
                "le z-score (valeurs négatives) est incompatible avec l'agrégation géométrique",
            )
        )
    return errors


def parse_method(text: str, *, source: str) -> Method:
    """Validate a method given as YAML text.

    Parameters
    ----------
    text
        YAML content.
    source
        File name used in error messages and recorded in ``run.json``.

    Raises
    ------
    MethodError
        French message naming ``source`` and the faulty field.
    """
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MethodError(f"{source} : YAML illisible {yaml_reason(exc)}") from None
    if not isinstance(data, dict):
        raise MethodError(f"{source} : une table YAML « clé : valeur » est attendue à la racine")
    try:
        method = Method.model_validate(data)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            template = _PYDANTIC_FR.get(err["type"])
            msg = template.format_map(err.get("ctx") or {}) if template else french_message(err)
            parts.append(f"champ « {_loc(err['loc'])} » : {msg}")
        raise MethodError(f"{source} : " + " ; ".join(parts)) from None
    problems = _check(method)
    if problems:
        detail = " ; ".join(f"champ « {field} » : {msg}" for field, msg in problems)
        raise MethodError(f"{source} : {detail}")
    method._text = text
    method._source = source
    return method


def load_method(path: Path) -> Method:
    """Read and validate a method file (YAML, UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MethodError(f"{path} : fichier de méthode illisible ({reason(exc)})") from None
    return parse_method(text, source=str(path))


def default_method() -> Method:
    """Return the packaged default method (``quartiers/method/default.yaml``)."""
    text = resources.files("quartiers.method").joinpath("default.yaml").read_text("utf-8")
    return parse_method(text, source="default.yaml (méthode par défaut)")


def packaged_methods() -> list[str]:
    """Return the names of the method files shipped in ``quartiers/method/methods/``."""
    folder = resources.files("quartiers.method").joinpath("methods")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def packaged_method(name: str) -> Method:
    """Return a packaged method by name (``v1`` reads ``quartiers/method/methods/v1.yaml``).

    Raises
    ------
    MethodError
        French message listing the packaged methods when ``name`` is not one of them.
    """
    known = packaged_methods()
    if name not in known:
        raise MethodError(
            f"méthode {name!r} inconnue (méthodes fournies : {', '.join(known)} ; "
            "ou un chemin de fichier YAML)"
        )
    path = resources.files("quartiers.method").joinpath("methods", f"{name}.yaml")
    return parse_method(path.read_text("utf-8"), source=f"methods/{name}.yaml (méthode fournie)")
