"""The space of method variants: the choices that vary, one coordinate of the unit cube each.

:func:`choice_space` reads the method's ``uncertainty`` section and lists the coordinates;
:meth:`ChoiceSpace.decode` turns points of the unit hypercube into method variants (which
normalisation, which aggregations, which weights, which indicators kept, which perturbation of
the imputed cells). Weights are drawn uniformly within their range, then renormalised to sum
to 1 within each dimension (and across dimensions); an indicator is left out when its
coordinate falls below the dropout probability, but never a whole dimension.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from quartiers.method.choices import Uncertainty
from quartiers.method.composite import CompiledMethod
from quartiers.method.spec import Method

if TYPE_CHECKING:
    from quartiers.method.problem import RankingProblem

__all__ = ["GROUPS", "ChoiceSpace", "Draws", "choice_space", "describe_space"]

FloatArray = NDArray[np.float64]

#: Groups of choices (id → French label), the factors of the Sobol analysis.
GROUPS: dict[str, str] = {
    "normalisation": "normalisation",
    "aggregation": "agrégation",
    "weights": "poids des indicateurs",
    "dimension_weights": "poids des dimensions",
    "indicators": "indicateurs retenus",
    "imputed": "carreaux estimés par l'INSEE",
    "missing": "dimension absente imputée",
    "lcz_scores": "table des scores LCZ",
    "allocation": "règle d'allocation",
    "osm_coverage": "couverture OSM",
}

# A draw's imputed-cell noise is generated from (seed, key), key = floor(u × KEYS).
KEYS = 2**32


@dataclass(frozen=True)
class Draws:
    """Decoded draws (one row per draw).

    Attributes
    ----------
    normalisation, within, across
        Index in :attr:`ChoiceSpace.normalisations` / :attr:`ChoiceSpace.within_options` /
        :attr:`ChoiceSpace.across_options`.
    indicator_weights, dimension_weights
        Weights (draws × indicators, draws × dimensions), summing to 1 per dimension and
        across dimensions; 0 for an indicator left out.
    noise_key
        Key of the imputed-cell perturbation of each draw, None when it does not vary.
    missing
        Position (0–1) of each missing dimension score on its scale (draws × dimensions,
        NaN for a dimension nobody lacks), None when no dimension is imputed.
    lcz_scores
        Score of each « variable » LCZ class (draws × ``problem.lcz_classes``), None when
        the LCZ score table does not vary.
    allocation
        0: the run's allocation rule, 1: the alternative one (``problem.allocation_rules``);
        None when the allocation does not vary.
    osm_key
        Key of the OSM-completeness draw of each draw (with the seed, see
        :mod:`quartiers.method.osm_coverage`), None when it does not vary.
    """

    normalisation: NDArray[np.int64]
    within: NDArray[np.int64]
    across: NDArray[np.int64]
    indicator_weights: FloatArray
    dimension_weights: FloatArray
    noise_key: NDArray[np.int64] | None
    missing: FloatArray | None = None
    lcz_scores: FloatArray | None = None
    allocation: NDArray[np.int64] | None = None
    osm_key: NDArray[np.int64] | None = None


@dataclass(frozen=True)
class ChoiceSpace:
    """The choices that vary, one coordinate of the unit hypercube each.

    Attributes
    ----------
    names, groups
        Name and group (a key of :data:`GROUPS`) of each coordinate.
    normalisations, within_options, across_options
        Alternatives drawn (the method's own when nothing varies).
    weight_bounds, dimension_bounds
        ``(low, high)`` of each indicator and dimension weight, in the compiled scale.
    dropout
        Probability of leaving an indicator out of a draw.
    precision
        Relative half-width of the perturbation of imputed Filosofi values.
    lcz_range
        Range of the score of a « variable » LCZ class.
    """

    names: tuple[str, ...]
    groups: tuple[str, ...]
    normalisations: tuple[str, ...]
    within_options: tuple[str, ...]
    across_options: tuple[str, ...]
    weight_bounds: FloatArray
    dimension_bounds: FloatArray
    dropout: float
    precision: float
    _columns: Mapping[str, int]
    _dimension_of: NDArray[np.int64]
    _base_weights: FloatArray
    _base_dimensions: FloatArray
    _base_within: int
    _base_across: int
    lcz_range: tuple[float, float] = (0.0, 0.0)

    @property
    def size(self) -> int:
        """Return the number of coordinates (0 when nothing varies)."""
        return len(self.names)

    def decode(self, u: FloatArray) -> Draws:
        """Turn points of the unit hypercube (draws × :attr:`size`) into method variants."""
        u = np.atleast_2d(np.asarray(u, dtype="float64"))
        m = u.shape[0]
        col = self._columns

        def pick(name: str, options: int, default: int) -> NDArray[np.int64]:
            if name not in col:
                return np.full(m, default, dtype=np.int64)
            return np.minimum((u[:, col[name]] * options).astype(np.int64), options - 1)

        def scaled(prefix: str, base: FloatArray, bounds: FloatArray) -> tuple[FloatArray, bool]:
            out = np.repeat(base[None, :], m, axis=0)
            varied = False
            for j in range(bounds.shape[0]):
                key = f"{prefix}{j}"
                if key in col:
                    low, high = bounds[j]
                    out[:, j] = low + u[:, col[key]] * (high - low)
                    varied = True
            return out, varied

        weights, varied = scaled("weight:", self._base_weights, self.weight_bounds)
        keep = np.ones_like(weights, dtype=bool)
        for j in range(weights.shape[1]):
            if f"drop:{j}" in col:
                keep[:, j] = u[:, col[f"drop:{j}"]] >= self.dropout
                varied = True
        if varied:  # untouched weights stay bit-identical to the method's
            weights = _renormalise(np.where(keep, weights, 0.0), weights, self._dimension_of)
        dims, varied = scaled("dimension:", self._base_dimensions, self.dimension_bounds)
        if varied:
            dims = dims / dims.sum(axis=1, keepdims=True)
        key = None
        if "imputed" in col:
            key = np.minimum((u[:, col["imputed"]] * KEYS).astype(np.int64), KEYS - 1)
        missing = None
        if any(name.startswith("missing:") for name in col):
            missing = np.full((m, len(self._base_dimensions)), np.nan)
            for d in range(missing.shape[1]):
                if f"missing:{d}" in col:
                    missing[:, d] = u[:, col[f"missing:{d}"]]
        osm_key = None
        if "osm" in col:
            osm_key = np.minimum((u[:, col["osm"]] * KEYS).astype(np.int64), KEYS - 1)
        lcz = [name for name in col if name.startswith("lcz:")]
        lcz_scores = None
        if lcz:
            low, high = self.lcz_range
            lcz_scores = np.column_stack([low + u[:, col[n]] * (high - low) for n in lcz])
        return Draws(
            normalisation=pick("normalisation", len(self.normalisations), 0),
            within=pick("within", len(self.within_options), self._base_within),
            across=pick("across", len(self.across_options), self._base_across),
            indicator_weights=weights,
            dimension_weights=dims,
            noise_key=key,
            missing=missing,
            lcz_scores=lcz_scores,
            allocation=pick("allocation", 2, 0) if "allocation" in col else None,
            osm_key=osm_key,
        )


def _renormalise(kept: FloatArray, full: FloatArray, dimension_of: NDArray[np.int64]) -> FloatArray:
    """Renormalise weights to sum to 1 per dimension; a dimension left empty keeps them all."""
    out = kept.copy()
    for dim in np.unique(dimension_of):
        cols = dimension_of == dim
        total = out[:, cols].sum(axis=1)
        empty = ~(total > 0)
        out[np.ix_(empty, cols)] = full[np.ix_(empty, cols)]
        out[:, cols] /= out[:, cols].sum(axis=1, keepdims=True)
    return out


def choice_space(
    method: Method, problem: RankingProblem, settings: Uncertainty | None = None
) -> ChoiceSpace:
    """Return the coordinates that vary under the method's ``uncertainty`` section.

    Parameters
    ----------
    method
        The validated method (its weights and declared alternatives).
    problem
        The territory's arrays (which indicators are in the index, which cells imputed).
    settings
        Overrides ``method.uncertainty`` (e.g. another draw count from the command line).
    """
    unc = settings or method.uncertainty
    compiled = problem.compiled
    names: list[str] = []
    groups: list[str] = []

    def add(name: str, group: str) -> None:
        names.append(name)
        groups.append(group)

    base_norm = method.normalisation
    norms = tuple(unc.normalisations or (base_norm,))
    norms = (base_norm, *[x for x in norms if x != base_norm])
    if len(norms) > 1 and problem.drawn_normalisation.any():
        add("normalisation", "normalisation")
    within = tuple(unc.aggregations_within or unc.aggregations or (compiled.within,))
    across = tuple(unc.aggregations_across or unc.aggregations or (compiled.across,))
    if len(within) > 1:
        add("within", "aggregation")
    if len(across) > 1:
        add("across", "aggregation")

    w_bounds, d_bounds = _weight_coordinates(method, compiled, unc, add)
    # imputed cells move the reference distribution even when no QPV overlaps them
    if unc.imputed_precision > 0 and problem.imputed.any() and problem.perturbable.any():
        add("imputed", "imputed")
    # missing dimension scores: one coordinate per imputed dimension (the unknown value)
    if problem.impute and problem.missing is not None:
        for d in np.flatnonzero(problem.missing.any(axis=0)):
            add(f"missing:{d}", "missing")
    # « variable » LCZ classes: one coordinate per class present (its score in the range)
    for k in range(len(problem.lcz_classes)):
        add(f"lcz:{k}", "lcz_scores")
    # allocation rule (area / buildings): only when the territory has residential buildings
    if problem.alternative_matrix is not None:
        add("allocation", "allocation")
    # OSM mapping completeness of the canopy, drawn per block of 1 km
    if problem.osm_column >= 0:
        add("osm", "osm_coverage")
    return ChoiceSpace(
        names=tuple(names),
        groups=tuple(groups),
        normalisations=norms,
        within_options=within,
        across_options=across,
        weight_bounds=w_bounds,
        dimension_bounds=d_bounds,
        dropout=unc.indicator_dropout,
        precision=unc.imputed_precision,
        _columns={name: k for k, name in enumerate(names)},
        _dimension_of=compiled.dimension_of,
        _base_weights=compiled.indicator_weights,
        _base_dimensions=compiled.dimension_weights,
        _base_within=within.index(compiled.within),
        _base_across=across.index(compiled.across),
        lcz_range=problem.lcz_range,
    )


def _weight_coordinates(
    method: Method,
    compiled: CompiledMethod,
    unc: Uncertainty,
    add: Callable[[str, str], None],
) -> tuple[FloatArray, FloatArray]:
    """Add the weight and dropout coordinates; return the indicator and dimension bounds."""
    w_bounds = _bounds(
        compiled.indicator_weights,
        [_raw_indicator_weight(method, i) for i in compiled.indicator_ids],
        [unc.weight_ranges.get(i) for i in compiled.indicator_ids],
        unc.weight_range,
    )
    d_bounds = _bounds(
        compiled.dimension_weights,
        [method.dimensions[d].weight for d in compiled.dimension_ids],
        [unc.weight_ranges.get(d) for d in compiled.dimension_ids],
        unc.weight_range,
    )
    sizes = np.bincount(compiled.dimension_of, minlength=len(compiled.dimension_ids))
    for j in range(len(compiled.indicator_ids)):
        if sizes[compiled.dimension_of[j]] > 1 and w_bounds[j, 1] > w_bounds[j, 0]:
            add(f"weight:{j}", "weights")
    if len(compiled.dimension_ids) > 1:
        for j in range(len(compiled.dimension_ids)):
            if d_bounds[j, 1] > d_bounds[j, 0]:
                add(f"dimension:{j}", "dimension_weights")
    if unc.indicator_dropout > 0:
        for j in range(len(compiled.indicator_ids)):
            if sizes[compiled.dimension_of[j]] > 1:
                add(f"drop:{j}", "indicators")
    return w_bounds, d_bounds


def _raw_indicator_weight(method: Method, indicator_id: str) -> float:
    choice = method.choice(indicator_id)
    return 0.0 if choice is None else choice.weight


def _bounds(
    compiled: FloatArray,
    raw: list[float],
    ranges: list[tuple[float, float] | None],
    relative: float,
) -> FloatArray:
    """Return ``(low, high)`` per weight in the compiled scale (compiled = raw × factor)."""
    out = np.empty((len(compiled), 2))
    for j, (w, r, rng) in enumerate(zip(compiled, raw, ranges, strict=True)):
        if rng is not None and r > 0:
            out[j] = (rng[0] * w / r, rng[1] * w / r)
        else:
            out[j] = (w * (1 - relative), w * (1 + relative))
    return out


def describe_space(space: ChoiceSpace, compiled: CompiledMethod) -> dict[str, object]:
    """Return the varying choices in plain terms (for ``run.json``)."""
    ids = compiled.indicator_ids
    dims = compiled.dimension_ids
    return {
        "factors": len(space.names),
        "groups": {g: GROUPS[g] for g in dict.fromkeys(space.groups)},
        "normalisations": list(space.normalisations),
        "aggregations": list(dict.fromkeys([*space.within_options, *space.across_options])),
        "aggregations_within": list(space.within_options),
        "aggregations_across": list(space.across_options),
        "weight_bounds": {
            i: [_round(lo), _round(hi)]
            for i, (lo, hi) in zip(ids, space.weight_bounds, strict=True)
        },
        "dimension_weight_bounds": {
            d: [_round(lo), _round(hi)]
            for d, (lo, hi) in zip(dims, space.dimension_bounds, strict=True)
        },
        "indicator_dropout": space.dropout,
        "imputed_precision": space.precision if "imputed" in space.groups else 0.0,
        "lcz_variable_range": list(space.lcz_range) if "lcz_scores" in space.groups else None,
        "allocation_varied": "allocation" in space.groups,
        "osm_coverage_varied": "osm_coverage" in space.groups,
    }


def _round(x: float) -> float:
    return float(round(x, 6)) if math.isfinite(x) else x
