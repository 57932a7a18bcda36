"""The method file's declared alternatives: what the uncertainty analysis may vary.

Sections ``uncertainty`` and ``hotspots`` of the method file (YAML). A choice the file does not
declare does not vary: with no section at all, every Monte Carlo draw is the method itself and
every rank interval collapses to a point. :func:`check_choices` adds the cross-field rules
(known normalisations and aggregations, the method's own choice among the alternatives,
weight ranges containing the declared weight, no z-score with a geometric mean).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from quartiers.method.spec_parts import AGGREGATIONS, ALLOCATIONS

if TYPE_CHECKING:
    from quartiers.method.spec import Method

__all__ = ["DRAWN_NORMALISATIONS", "Hotspots", "Uncertainty", "check_choices"]

#: Normalisations a draw may use for the indicators that follow the method's default
#: (``bounds`` needs per-indicator bounds, so it is never a global alternative).
DRAWN_NORMALISATIONS = ("percentile", "minmax", "zscore")

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Uncertainty(BaseModel):
    """Monte Carlo over the method's choices, and the run size of the Sobol analysis.

    Attributes
    ----------
    enabled
        Run the analysis (``quartiers diagnose`` may switch it off).
    draws
        Monte Carlo draws (each one a full variant of the method).
    seed
        Seed of every random draw (same seed, same numbers).
    normalisations
        Normalisations drawn for the indicators without their own; None = the method's.
    aggregations
        Aggregations drawn within and across dimensions; None = the method's.
    aggregations_within, aggregations_across
        Aggregations drawn within dimensions / across dimensions only (override
        ``aggregations`` on their side), for a method that defends different alternatives on
        each side (method v2: arithmetic within, geometric or arithmetic across).
    weight_range
        Relative half-width: each weight drawn uniformly in ``w × [1 − r, 1 + r]``, then the
        weights of a dimension (and the dimension weights) renormalised to sum to 1.
    weight_ranges
        Absolute ranges ``[min, max]`` for some indicators or dimensions (override
        ``weight_range``).
    indicator_dropout
        Probability that a draw leaves an indicator out (never a whole dimension).
    imputed_precision
        Relative half-width of the error assumed on the Filosofi values of cells imputed by
        INSEE: each such value multiplied by a factor drawn uniformly in ``[1 − p, 1 + p]``.
    lcz_variable_range
        ``[min, max]`` of the score of an LCZ class whose heat sensitivity is « variable »
        (``lcz_heat_scores``): the method runs with the middle, each Monte Carlo draw takes a
        score drawn uniformly in the range, independently per class.
    allocations
        Rules allocating the cells' counts to the QPV drawn (``area``, ``buildings``; the
        method's ``allocation`` among them); varied only when the territory has residential
        buildings. None = the method's rule only.
    osm_completeness
        ``[min, max]`` of the share of the real tree canopy that OpenStreetMap maps, drawn
        per block of 1 km (:mod:`quartiers.method.osm_coverage`): each draw divides a
        block's mapped canopy by it. Varied only when the canopy comes from mapped features
        (no tree-cover raster). None = the mapped canopy as it is.
    sobol_samples
        Base sample size N of the Sobol analysis (power of two; N × (groups + 2)
        evaluations); 0 = no Sobol analysis.
    """

    model_config = _STRICT

    enabled: bool = True
    draws: int = Field(default=200, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0)
    normalisations: tuple[str, ...] | None = None
    aggregations: tuple[str, ...] | None = None
    aggregations_within: tuple[str, ...] | None = None
    aggregations_across: tuple[str, ...] | None = None
    weight_range: float = Field(default=0.0, ge=0, le=1)
    weight_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    indicator_dropout: float = Field(default=0.0, ge=0, lt=0.5)
    imputed_precision: float = Field(default=0.0, ge=0, lt=1)
    lcz_variable_range: tuple[float, float] = (1.0, 3.0)
    allocations: tuple[str, ...] | None = None
    osm_completeness: tuple[float, float] | None = None
    sobol_samples: int = Field(default=32, ge=0, le=65_536)


class Hotspots(BaseModel):
    """Local Moran's I on the cells' index: permutations and false-discovery rate.

    Attributes
    ----------
    enabled
        Look for hotspots.
    permutations
        Conditional permutations per cell (the smallest p-value is 1 / (permutations + 1)).
    fdr
        False-discovery rate controlled by the Benjamini–Hochberg procedure.
    seed
        Seed of the permutations.
    """

    model_config = _STRICT

    enabled: bool = True
    permutations: int = Field(default=999, ge=99, le=99_999)
    fdr: float = Field(default=0.05, gt=0, lt=1)
    seed: int = Field(default=0, ge=0)


def _listed(values: tuple[str, ...], known: tuple[str, ...], path: str) -> list[tuple[str, str]]:
    errors = [
        (path, f"choix inconnu {v!r} (attendu parmi : {', '.join(known)})")
        for v in values
        if v not in known
    ]
    if not values:
        errors.append((path, "au moins un choix attendu"))
    return errors


def check_choices(method: Method) -> list[tuple[str, str]]:
    """Return ``(field, French message)`` for every rule the ``uncertainty`` section breaks."""
    unc = method.uncertainty
    errors: list[tuple[str, str]] = []
    norms = unc.normalisations
    if norms is not None:
        errors += _listed(norms, DRAWN_NORMALISATIONS, "uncertainty.normalisations")
        if method.normalisation not in norms:
            errors.append(
                (
                    "uncertainty.normalisations",
                    f"la normalisation de la méthode ({method.normalisation}) doit figurer "
                    "parmi les normalisations explorées",
                )
            )
    if unc.aggregations is not None:
        errors += _listed(unc.aggregations, tuple(AGGREGATIONS), "uncertainty.aggregations")
    for side in ("within", "across"):
        own_list = getattr(unc, f"aggregations_{side}")
        path = f"uncertainty.aggregations_{side}"
        if own_list is not None:
            errors += _listed(own_list, tuple(AGGREGATIONS), path)
        else:
            path = "uncertainty.aggregations"
        aggs = own_list if own_list is not None else unc.aggregations
        own = getattr(method.aggregation, side)
        if aggs is not None and own not in aggs:
            errors.append(
                (
                    path,
                    f"l'agrégation de la méthode ({own}) doit figurer parmi les agrégations "
                    "explorées",
                )
            )
    low, high = unc.lcz_variable_range
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
        errors.append(
            ("uncertainty.lcz_variable_range", "bornes [min, max] attendues avec 0 ≤ min ≤ max")
        )
    errors += _check_zscore_geometric(method)
    errors += _check_ranges(method)
    errors += _check_data_factors(method)
    if unc.sobol_samples and unc.sobol_samples & (unc.sobol_samples - 1):
        errors.append(
            (
                "uncertainty.sobol_samples",
                f"{unc.sobol_samples} n'est pas une puissance de 2 (par exemple 16, 32, 64, 128)",
            )
        )
    return errors


def _check_zscore_geometric(method: Method) -> list[tuple[str, str]]:
    unc = method.uncertainty
    aggs = (
        set(unc.aggregations or ())
        | set(unc.aggregations_within or ())
        | set(unc.aggregations_across or ())
        | {method.aggregation.within, method.aggregation.across}
    )
    if "geometric" not in aggs:
        return []
    drawn = set(unc.normalisations or ())
    explicit = {c.normalisation for d in method.dimensions.values() for c in d.choices().values()}
    if "zscore" in drawn or "zscore" in explicit:
        return [
            (
                "uncertainty",
                "le z-score (valeurs négatives) ne peut pas être exploré avec l'agrégation "
                "géométrique : retirez l'un des deux des choix explorés",
            )
        ]
    return []


def _check_data_factors(method: Method) -> list[tuple[str, str]]:
    """Check the allocation rules and the OSM completeness range drawn."""
    unc = method.uncertainty
    errors: list[tuple[str, str]] = []
    if unc.allocations is not None:
        errors += _listed(unc.allocations, tuple(ALLOCATIONS), "uncertainty.allocations")
        if method.allocation not in unc.allocations:
            errors.append(
                (
                    "uncertainty.allocations",
                    f"la règle d'allocation de la méthode ({method.allocation}) doit figurer "
                    "parmi les règles explorées",
                )
            )
    if unc.osm_completeness is not None:
        low, high = unc.osm_completeness
        if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high <= 1):
            errors.append(
                (
                    "uncertainty.osm_completeness",
                    "bornes [min, max] attendues avec 0 < min ≤ max ≤ 1 (part de la canopée "
                    "réelle que cartographie OpenStreetMap)",
                )
            )
    return errors


def _check_ranges(method: Method) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    declared: dict[str, float] = {}
    for dim_id, dim in method.dimensions.items():
        declared[dim_id] = dim.weight
        for ind_id, choice in dim.choices().items():
            declared[ind_id] = choice.weight
    for key, (low, high) in method.uncertainty.weight_ranges.items():
        path = f"uncertainty.weight_ranges.{key}"
        if key not in declared:
            errors.append((path, "ni une dimension ni un indicateur de la méthode"))
            continue
        if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
            errors.append((path, "bornes [min, max] attendues avec 0 ≤ min ≤ max"))
        elif not low <= declared[key] <= high:
            errors.append(
                (
                    path,
                    f"le poids déclaré {declared[key]:g} doit être compris dans "
                    f"[{low:g}, {high:g}]",
                )
            )
    return errors
