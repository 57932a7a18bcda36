"""Rules across the fields of a method file (the schema itself is pydantic's).

Known indicators in the right dimension, weights positive and summing as declared, known
normalisations and aggregations, an existing horizon, LCZ scores, the ``uncertainty`` and
``hazard`` sections: :func:`check_method` returns every broken rule as ``(field, French
message)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from quartiers.indicators.exposure import CLIMATE_IDS, LCZ_HEAT_SCORES, LCZ_VARIABLE
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.method.choices import check_choices
from quartiers.method.completeness import MISSING_DIMENSION
from quartiers.method.reference import check_reference
from quartiers.method.spec_parts import (
    AGGREGATIONS,
    ALLOCATIONS,
    NORMALISATIONS,
    UNREACHABLE,
    WEIGHT_TOLERANCE,
    IndicatorChoice,
    known,
)
from quartiers.schemas import HORIZONS

if TYPE_CHECKING:
    from quartiers.method.spec import Method

__all__ = ["check_method"]


def check_method(method: Method) -> list[tuple[str, str]]:
    """Return ``(field, French message)`` for every cross-field rule the method breaks."""
    errors: list[tuple[str, str]] = []
    if method.horizon not in HORIZONS:
        errors.append(
            ("horizon", f"horizon inconnu {method.horizon!r} (attendu : {', '.join(HORIZONS)})")
        )
    for field, value in (("normalisation", method.normalisation),):
        if value not in NORMALISATIONS:
            errors.append((field, f"normalisation inconnue {value!r} ({known(NORMALISATIONS)})"))
    if method.missing_dimension not in MISSING_DIMENSION:
        errors.append(
            (
                "missing_dimension",
                f"valeur inconnue {method.missing_dimension!r} ({known(MISSING_DIMENSION)})",
            )
        )
    errors.extend(check_reference(method.reference))
    for key in ("within", "across"):
        value = getattr(method.aggregation, key)
        if value not in AGGREGATIONS:
            errors.append(
                (f"aggregation.{key}", f"agrégation inconnue {value!r} ({known(AGGREGATIONS)})")
            )
    errors.extend(_check_dimensions(method))
    if method.unreachable not in UNREACHABLE:
        errors.append(
            ("unreachable", f"règle inconnue {method.unreachable!r} ({known(UNREACHABLE)})")
        )
    if method.allocation not in ALLOCATIONS:
        errors.append(
            ("allocation", f"allocation inconnue {method.allocation!r} ({known(ALLOCATIONS)})")
        )
    errors.extend(_check_lcz_scores(method))
    errors.extend(check_choices(method))
    errors.extend(_check_hazard(method))
    return errors


def _check_dimensions(method: Method) -> list[tuple[str, str]]:
    """Dimensions and indicators: known, in the right dimension, weights summing as declared."""
    errors: list[tuple[str, str]] = []
    if not method.dimensions:
        errors.append(("dimensions", "au moins une dimension attendue"))
    dim_total = 0.0
    for dim_id, dim in method.dimensions.items():
        path = f"dimensions.{dim_id}"
        if dim_id not in DIMENSIONS:
            errors.append((path, f"dimension inconnue ({known(DIMENSIONS)})"))
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
    return errors


def _check_lcz_scores(method: Method) -> list[tuple[str, str]]:
    """LCZ heat scores: known classes, scores ≥ 0 or « variable »."""
    errors: list[tuple[str, str]] = []
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
    return errors


def _check_hazard(method: Method) -> list[tuple[str, str]]:
    """Climate indicators of the hazard level: known, bounded, and kept out of the index."""
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
                f"normalisation inconnue {choice.normalisation!r} ({known(NORMALISATIONS)})",
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
