"""The method file (YAML): its schema, its validation and its loading.

Structure and types are checked by pydantic; cross-field rules (known indicators in the
right dimension, weights positive and summing as declared, known normalisations and
aggregations, existing horizon) by :func:`~quartiers.method.spec_checks.check_method`; the
vocabularies and section models are in :mod:`quartiers.method.spec_parts`. Every problem
becomes a :class:`~quartiers.errors.MethodError` in French naming the file and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator

from quartiers.errors import MethodError
from quartiers.indicators.exposure import LCZ_HEAT_SCORES, LCZ_VARIABLE
from quartiers.indicators.registry import REGISTRY
from quartiers.method.choices import Hotspots, Uncertainty
from quartiers.method.hazard import Hazard
from quartiers.method.spec_checks import check_method
from quartiers.method.spec_parts import (
    AGGREGATIONS,
    NORMALISATIONS,
    PYDANTIC_FR,
    STRICT,
    Aggregation,
    Dimension,
    IndicatorChoice,
    loc,
)
from quartiers.os_errors import reason, yaml_reason
from quartiers.validation_fr import french_message

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


def _default_lcz_scores() -> dict[str, float | str]:
    return dict(LCZ_HEAT_SCORES)


class Method(BaseModel):
    """A validated method: normalisation, weights, aggregation and thresholds."""

    model_config = STRICT

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
    allocation: str = "area"
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
            template = PYDANTIC_FR.get(err["type"])
            msg = template.format_map(err.get("ctx") or {}) if template else french_message(err)
            parts.append(f"champ « {loc(err['loc'])} » : {msg}")
        raise MethodError(f"{source} : " + " ; ".join(parts)) from None
    problems = check_method(method)
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
