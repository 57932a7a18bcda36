"""Monte Carlo over the method's declared choices: how solid is each QPV's rank?

Each draw is a variant of the method: a normalisation among the declared ones, an aggregation
within and across dimensions, weights drawn uniformly within their declared ranges then
renormalised, some indicators left out, and the Filosofi values of the cells INSEE imputed
multiplied by a factor within the declared precision. A draw is a point ``u`` of the unit
hypercube (one coordinate per varying choice, see :class:`ChoiceSpace`), so the same
evaluator serves the Monte Carlo (:func:`explore`, ``u`` uniform) and the Sobol analysis
(:mod:`quartiers.method.sensitivity`, ``u`` from Saltelli's design).

A draw re-aggregates only what changes: the perturbation of imputed cells is spread to the
QPV through the sparse overlap matrix (QPV × cells); normalisation and aggregation reuse
:func:`~quartiers.method.normalise.normalise` and :func:`~quartiers.method.composite.composite`
on the compiled method with its fields replaced (:func:`dataclasses.replace`); normalised
columns that do not change between draws are computed once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import CellIndicator, safe_ratio
from quartiers.indicators.registry import REGISTRY
from quartiers.method.choices import Uncertainty
from quartiers.method.completeness import draw_range, fill_scores
from quartiers.method.composite import CompiledMethod, combine, composite
from quartiers.method.normalise import normalise, normalise_column
from quartiers.method.rank import QUINTILES, classify, rank_descending, weighted_breaks
from quartiers.method.spec import Method
from quartiers.method.variants import GROUPS, ChoiceSpace, choice_space
from quartiers.progress import NullProgress, Progress

__all__ = [
    "GROUPS",
    "ROBUST_THRESHOLD",
    "ChoiceSpace",
    "Outcomes",
    "RankSummary",
    "RankingProblem",
    "build_problem",
    "choice_space",
    "evaluate",
    "explore",
    "summarise",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A QPV is "robustly in the top quintile" when at least this share of draws puts it there.
ROBUST_THRESHOLD = 0.9

#: Class of the quintile of the most vulnerable residents.
TOP_CLASS = len(QUINTILES) + 1


@dataclass(frozen=True)
class RankingProblem:
    """Everything a draw needs, as arrays (indicator columns in ``compiled`` order).

    Attributes
    ----------
    compiled
        The method as run (the draws replace its kinds, weights and aggregations).
    drawn_normalisation
        Per indicator: True when it follows the method's default normalisation (the draws
        change it), False when the method gives it its own.
    cell_value, cell_num, cell_den
        Cells × indicators: value, additive numerator and denominator (also the weight of a
        cell in the reference distribution).
    cell_population
        Residents per cell.
    cell_floor
        Cells with fewer residents get no index (they do not enter the quintile breaks).
    qpv_matrix
        Sparse overlap shares (QPV × cells).
    qpv_num, qpv_den, qpv_population
        The QPV's summed numerators, denominators and residents.
    eligible
        QPV ranked (population at or above the method's floor).
    display_floor
        Per indicator: residents a unit needs for its value to be shown (and scored).
    imputed
        Cells estimated by INSEE.
    perturbable
        Per indicator: computed from Filosofi counts (imputed values can be perturbed).
    bounded
        Per indicator: a share (0–1), so a perturbed numerator never exceeds its denominator.
    missing
        Stacked units (QPV then cells) × dimensions: the unit lacks a dimension the territory
        has (:mod:`quartiers.method.completeness`); None when every unit is complete.
    impute
        Missing dimension scores are drawn (``missing_dimension: impute``); otherwise the
        incomplete cells leave the quintile breaks (incomplete QPV are not ``eligible``).
    """

    compiled: CompiledMethod
    drawn_normalisation: BoolArray
    cell_value: FloatArray
    cell_num: FloatArray
    cell_den: FloatArray
    cell_population: FloatArray
    cell_floor: float
    qpv_matrix: sparse.csr_array
    qpv_num: FloatArray
    qpv_den: FloatArray
    qpv_population: FloatArray
    eligible: BoolArray
    display_floor: FloatArray
    imputed: BoolArray
    perturbable: BoolArray
    bounded: BoolArray
    missing: BoolArray | None = None
    impute: bool = False

    @property
    def n_qpv(self) -> int:
        """Return the number of QPV."""
        return int(self.qpv_num.shape[0])


def build_problem(
    method: Method,
    compiled: CompiledMethod,
    indicators: Mapping[str, CellIndicator],
    *,
    cell_population: FloatArray,
    imputed: BoolArray,
    qpv_matrix: sparse.csr_array,
    qpv_num: FloatArray | None = None,
    qpv_den: FloatArray | None = None,
    qpv_population: FloatArray | None = None,
    missing: BoolArray | None = None,
    impute: bool = False,
) -> RankingProblem:
    """Gather the arrays of a :class:`RankingProblem`.

    Parameters
    ----------
    method
        The validated method (population floors, per-indicator normalisations).
    compiled
        ``compile_method(method, indicators)``.
    indicators
        Indicator id → cell values (at least those of ``compiled``).
    cell_population
        Residents per cell (``ind``).
    imputed
        Cells estimated by INSEE.
    qpv_matrix
        Overlap shares (QPV × cells), see :func:`quartiers.aggregate.overlap_matrix`.
    qpv_num, qpv_den, qpv_population
        QPV totals as the diagnostic computed them (``ZoneTotals`` rows of the QPV, in
        ``compiled`` column order); summed here from ``qpv_matrix`` when None.
    missing
        QPV then cells × dimensions lacking a dimension the territory has, or None.
    impute
        Draw the missing dimension scores; otherwise an incomplete QPV is not ranked.
    """
    ids = compiled.indicator_ids
    n = len(cell_population)

    def stack(attr: str) -> FloatArray:
        if not ids:
            return np.zeros((n, 0))
        return np.column_stack([getattr(indicators[i], attr) for i in ids]).astype("float64")

    pop = np.nan_to_num(np.asarray(cell_population, dtype="float64"))
    num, den = stack("num"), stack("den")
    matrix = sparse.csr_array(qpv_matrix)
    q_pop = np.asarray(matrix @ pop if qpv_population is None else qpv_population, "float64")
    eligible = np.asarray(q_pop >= method.population_floor, dtype=bool)
    if missing is not None and not impute:
        eligible &= ~np.asarray(missing, dtype=bool)[: len(q_pop)].any(axis=1)
    return RankingProblem(
        compiled=compiled,
        drawn_normalisation=np.asarray(
            [_own_normalisation(method, i) is None for i in ids], dtype=bool
        ),
        cell_value=stack("value"),
        cell_num=num,
        cell_den=den,
        cell_population=pop,
        cell_floor=float(method.cell_population_floor),
        qpv_matrix=matrix,
        qpv_num=np.asarray(matrix @ num if qpv_num is None else qpv_num, dtype="float64"),
        qpv_den=np.asarray(matrix @ den if qpv_den is None else qpv_den, dtype="float64"),
        qpv_population=q_pop,
        eligible=eligible,
        display_floor=np.asarray([REGISTRY[i].min_population for i in ids], dtype="float64"),
        imputed=np.asarray(imputed, dtype=bool),
        perturbable=np.asarray(["Filosofi" in REGISTRY[i].source for i in ids], dtype=bool),
        bounded=np.asarray([REGISTRY[i].unit == "part (0–1)" for i in ids], dtype=bool),
        missing=None if missing is None or not np.any(missing) else np.asarray(missing, bool),
        impute=impute,
    )


def _own_normalisation(method: Method, indicator_id: str) -> str | None:
    choice = method.choice(indicator_id)
    return None if choice is None else choice.normalisation


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Outcomes:
    """Per draw and QPV: composite index, rank, top-quintile membership and position.

    ``position`` is the weighted percentile of the QPV's index among the territory's cells
    (share of residents living in less vulnerable cells, 0–1): the score made comparable
    across normalisations, used as the output of the Sobol analysis.
    """

    index: FloatArray
    rank: FloatArray
    top: BoolArray
    position: FloatArray


class _Engine:
    """Normalised columns of the stacked (QPV + cells) matrix, cached when they cannot vary."""

    def __init__(self, problem: RankingProblem, precision: float, seed: int) -> None:
        self.p = problem
        self.precision = precision
        self.seed = seed
        self.cols = np.flatnonzero(problem.perturbable)
        self.rows = np.flatnonzero(problem.imputed)
        self.spread = sparse.csc_array(problem.qpv_matrix)[:, self.rows]
        qpv_values = safe_ratio(problem.qpv_num, problem.qpv_den)
        self.stacked = np.vstack(
            [
                _hide(qpv_values, problem.qpv_population, problem.display_floor),
                _hide(problem.cell_value, problem.cell_population, problem.display_floor),
            ]
        )
        self.cache: dict[tuple[int, str], FloatArray] = {}

    def _column(self, j: int, kind: str) -> FloatArray:
        if (j, kind) not in self.cache:
            self.cache[(j, kind)] = self._normalise(
                self.stacked[:, [j]], self.p.cell_value[:, [j]], [j], (kind,)
            )[:, 0]
        return self.cache[(j, kind)]

    def _normalise(
        self, values: FloatArray, reference: FloatArray, cols: list[int], kinds: tuple[str, ...]
    ) -> FloatArray:
        c = self.p.compiled
        return normalise(
            values,
            reference,
            self.p.cell_den[:, cols],
            kinds=kinds,
            directions=c.directions[cols],
            bounds=[c.bounds[j] for j in cols],
        )

    def normalised(self, kinds: tuple[str, ...], key: int | None) -> FloatArray:
        k = len(kinds)
        out = np.empty((self.stacked.shape[0], k))
        fresh = set(self.cols.tolist()) if key is not None else set()
        for j in range(k):
            if j not in fresh:
                out[:, j] = self._column(j, kinds[j])
        if key is not None and self.cols.size:
            values, reference = self._perturbed(key)
            cols = self.cols.tolist()
            out[:, cols] = self._normalise(values, reference, cols, tuple(kinds[j] for j in cols))
        return out

    def _perturbed(self, key: int) -> tuple[FloatArray, FloatArray]:
        """Return the stacked values and the cell reference of the perturbable columns."""
        p, cols, rows = self.p, self.cols, self.rows
        rng = np.random.default_rng([self.seed, key])
        factor = 1.0 + self.precision * rng.uniform(-1.0, 1.0, (rows.size, cols.size))
        num = p.cell_num[np.ix_(rows, cols)]
        den = p.cell_den[np.ix_(rows, cols)]
        new = num * factor
        new = np.where(p.bounded[cols][None, :], np.minimum(new, den), new)
        qpv_num = p.qpv_num[:, cols] + np.asarray(self.spread @ (new - num))
        qpv_values = safe_ratio(qpv_num, p.qpv_den[:, cols])
        cell_values = p.cell_value[:, cols].copy()
        cell_values[rows] = safe_ratio(new, den)
        floors = p.display_floor[cols]
        stacked = np.vstack(
            [
                _hide(qpv_values, p.qpv_population, floors),
                _hide(cell_values, p.cell_population, floors),
            ]
        )
        return stacked, cell_values


def _hide(values: FloatArray, population: FloatArray, floors: FloatArray) -> FloatArray:
    """Blank the values of units below each indicator's display floor (as the diagnostic)."""
    out = np.array(values, dtype="float64", copy=True)
    out[population[:, None] < floors[None, :]] = np.nan
    return out


def evaluate(
    problem: RankingProblem,
    space: ChoiceSpace,
    u: FloatArray,
    *,
    seed: int,
    progress: Progress | None = None,
) -> Outcomes:
    """Score the QPV under each method variant ``u`` (draws × ``space.size``).

    Parameters
    ----------
    problem
        The territory's arrays.
    space
        The varying choices.
    u
        Points of the unit hypercube, one row per draw.
    seed
        Seed of the imputed-cell perturbations (with each draw's key).
    progress
        Advanced by one per draw.
    """
    progress = progress or NullProgress()
    u = np.asarray(u, dtype="float64")
    u = u.reshape(1, -1) if u.ndim == 1 else u
    draws = space.decode(u)
    m, n_q = u.shape[0], problem.n_qpv
    engine = _Engine(problem, space.precision, seed)
    base = problem.compiled
    drawn = problem.drawn_normalisation
    small = ~(problem.cell_population >= problem.cell_floor)
    out = Outcomes(
        index=np.full((m, n_q), np.nan),
        rank=np.full((m, n_q), np.nan),
        top=np.zeros((m, n_q), dtype=bool),
        position=np.full((m, n_q), np.nan),
    )
    for i in range(m):
        norm = space.normalisations[draws.normalisation[i]]
        kinds = tuple(norm if drawn[j] else kind for j, kind in enumerate(base.kinds))
        compiled = replace(
            base,
            kinds=kinds,
            indicator_weights=draws.indicator_weights[i],
            dimension_weights=draws.dimension_weights[i],
            within=space.aggregations[draws.within[i]],
            across=space.aggregations[draws.across[i]],
        )
        key = None if draws.noise_key is None else int(draws.noise_key[i])
        index, scores = composite(engine.normalised(kinds, key), compiled)
        if problem.missing is not None:
            index = _complete(problem, scores, index, compiled, draws.missing, i, ~small)
        qpv_index, cell_index = index[:n_q], index[n_q:]
        cell_index[small] = np.nan
        breaks = weighted_breaks(cell_index, problem.cell_population)
        out.index[i] = qpv_index
        out.rank[i] = rank_descending(qpv_index, problem.eligible)
        out.top[i] = classify(qpv_index, breaks) == TOP_CLASS
        out.position[i] = normalise_column(
            qpv_index, cell_index, problem.cell_population, kind="percentile", direction=1.0
        )
        progress.advance()
    return out


def _complete(
    problem: RankingProblem,
    scores: FloatArray,
    index: FloatArray,
    compiled: CompiledMethod,
    drawn: FloatArray | None,
    i: int,
    scored: BoolArray,
) -> FloatArray:
    """Apply ``missing_dimension`` to one draw: draw the missing scores or drop the cells.

    With ``impute`` each missing dimension score takes the draw's coordinate on the
    dimension's whole scale (:func:`~quartiers.method.completeness.draw_range`); with
    ``exclude`` the incomplete cells get no index (they leave the quintile breaks).
    """
    missing = problem.missing
    if missing is None:
        return index
    n_q = problem.n_qpv
    if not problem.impute or drawn is None:
        out = index.copy()
        out[n_q:][missing[n_q:].any(axis=1)] = np.nan
        return out
    zscore = [
        any(k == "zscore" for k, d in zip(compiled.kinds, compiled.dimension_of, strict=True)
            if d == dim)
        for dim in range(len(compiled.dimension_ids))
    ]  # fmt: skip
    low, high = draw_range(scores[n_q:], scored, zscore)
    values = low + np.nan_to_num(drawn[i], nan=0.5) * (high - low)
    return combine(fill_scores(scores, missing, values), compiled)


# ---------------------------------------------------------------- Monte Carlo summary


@dataclass(frozen=True)
class RankSummary:
    """Per QPV: rank interval and top-quintile probability (NaN for QPV not ranked).

    Attributes
    ----------
    rank_median, rank_low, rank_high
        Median, 5 % and 95 % quantiles of the rank over the draws (observed ranks:
        ``inverted_cdf`` quantiles, so always whole numbers).
    p_top_quintile
        Share of draws putting the QPV's index in the quintile of the territory's 20 % most
        vulnerable residents (the ``quintile`` 5 of the diagnostic).
    robust_top_quintile
        ``p_top_quintile ≥`` :data:`ROBUST_THRESHOLD`.
    draws
        Number of draws.
    """

    rank_median: FloatArray
    rank_low: FloatArray
    rank_high: FloatArray
    p_top_quintile: FloatArray
    robust_top_quintile: FloatArray
    draws: int


def summarise(outcomes: Outcomes, eligible: BoolArray) -> RankSummary:
    """Return the rank interval and top-quintile probability of each ranked QPV."""
    n_q = outcomes.rank.shape[1]
    qs = np.full((3, n_q), np.nan)
    for q in range(n_q):
        ranks = outcomes.rank[:, q]
        ranks = ranks[np.isfinite(ranks)]
        if eligible[q] and ranks.size:
            qs[:, q] = np.quantile(ranks, (0.05, 0.5, 0.95), method="inverted_cdf")
    p_top = np.where(eligible, outcomes.top.mean(axis=0), np.nan)
    robust = np.where(np.isfinite(p_top), (p_top >= ROBUST_THRESHOLD).astype(float), np.nan)
    return RankSummary(
        rank_median=qs[1],
        rank_low=qs[0],
        rank_high=qs[2],
        p_top_quintile=p_top,
        robust_top_quintile=robust,
        draws=int(outcomes.rank.shape[0]),
    )


def explore(
    method: Method,
    problem: RankingProblem,
    *,
    settings: Uncertainty | None = None,
    progress: Progress | None = None,
) -> tuple[RankSummary, Outcomes, ChoiceSpace]:
    """Run the Monte Carlo of the method's ``uncertainty`` section on a territory.

    Parameters
    ----------
    method
        The validated method.
    problem
        The territory's arrays (:func:`build_problem`).
    settings
        Overrides ``method.uncertainty`` (draw count, seed…).
    progress
        Receives one step per draw.

    Returns
    -------
    tuple
        ``(summary, outcomes, space)``. When no choice varies every draw is the method
        itself: it is evaluated once and its rank is the whole interval.
    """
    unc = settings or method.uncertainty
    progress = progress or NullProgress()
    space = choice_space(method, problem, unc)
    rng = np.random.default_rng(unc.seed)
    u = rng.random((unc.draws if space.size else 1, space.size))
    progress.start("Incertitude : tirages Monte Carlo des choix de méthode", total=len(u))
    try:
        outcomes = evaluate(problem, space, u, seed=unc.seed, progress=progress)
    finally:
        progress.finish()
    summary = summarise(outcomes, problem.eligible)
    if not space.size:
        summary = replace(summary, draws=unc.draws)
    return summary, outcomes, space
