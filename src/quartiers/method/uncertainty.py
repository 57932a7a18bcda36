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
from quartiers.method._batch import (
    batch_breaks,
    batch_normalise,
    batch_positions,
    batch_ranks,
    batch_weighted_mean,
)
from quartiers.method.choices import Uncertainty
from quartiers.method.completeness import draw_range, fill_scores
from quartiers.method.composite import CompiledMethod, combine
from quartiers.method.hotspot_draws import MAX_DRAWS
from quartiers.method.normalise import Reference, normalise, subset
from quartiers.method.rank import QUINTILES
from quartiers.method.spec import Method
from quartiers.method.variants import GROUPS, ChoiceSpace, Draws, choice_space
from quartiers.progress import NullProgress, Progress

__all__ = [
    "BATCH",
    "GROUPS",
    "ROBUST_THRESHOLD",
    "Z_ROBUST",
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
IntArray = NDArray[np.int64]

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
    reference
        A fixed reference (method ``reference: FILE``, columns in ``compiled`` order) used
        by every draw; None: each draw normalises against the run's (perturbed) cells.
    cell_group, qpv_group
        Territory index of each cell and QPV (method ``reference: territory``; -1: none):
        a unit is normalised against the cells of its territory (all cells for -1).
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
    reference: Reference | None = None
    cell_group: IntArray | None = None
    qpv_group: IntArray | None = None

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
    reference: Reference | None = None,
    cell_group: IntArray | None = None,
    qpv_group: IntArray | None = None,
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
        Overlap shares (QPV × cells), see :func:`quartiers.spatial.overlaps.overlap_matrix`.
    qpv_num, qpv_den, qpv_population
        QPV totals as the diagnostic computed them (``ZoneTotals`` rows of the QPV, in
        ``compiled`` column order); summed here from ``qpv_matrix`` when None.
    missing
        QPV then cells × dimensions lacking a dimension the territory has, or None.
    impute
        Draw the missing dimension scores; otherwise an incomplete QPV is not ranked.
    reference
        A fixed reference of the ``compiled`` indicators, or None (the run's cells).
    cell_group, qpv_group
        Territory of each cell and QPV when each is normalised within its territory.
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
        reference=reference,
        cell_group=cell_group,
        qpv_group=qpv_group,
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
    across normalisations, used as the output of the Sobol analysis. ``resident_share`` is
    the share of the QPV's residents living in cells of the top quintile of the draw;
    ``cells`` the cells' index of the first draws (draws × cells) when asked for.
    """

    index: FloatArray
    rank: FloatArray
    top: BoolArray
    position: FloatArray
    resident_share: FloatArray
    cells: FloatArray | None = None


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
        self.small = ~(problem.cell_population >= problem.cell_floor)
        self.groups = _groups(problem)

    def column(self, j: int, kind: str) -> FloatArray:
        """Return normalised column ``j`` of the stacked matrix (cached per normalisation)."""
        if (j, kind) not in self.cache and self.p.reference is not None:
            self.cache[(j, kind)] = self.fixed(self.stacked[:, [j]], [j], (kind,))[:, 0]
        if (j, kind) not in self.cache and self.groups is not None:
            out = np.full(self.stacked.shape[0], np.nan)
            for rows, cells in self.groups:
                out[rows] = self.normalise(
                    self.stacked[rows][:, [j]],
                    self.p.cell_value[cells][:, [j]],
                    [j],
                    (kind,),
                    cells,
                )[:, 0]
            self.cache[(j, kind)] = out
        if (j, kind) not in self.cache:
            self.cache[(j, kind)] = self.normalise(
                self.stacked[:, [j]], self.p.cell_value[:, [j]], [j], (kind,)
            )[:, 0]
        return self.cache[(j, kind)]

    def normalise(
        self,
        values: FloatArray,
        reference: FloatArray,
        cols: list[int],
        kinds: tuple[str, ...],
        cells: IntArray | None = None,
    ) -> FloatArray:
        """Normalise ``values`` (columns ``cols``) against a cell reference (rows ``cells``)."""
        c = self.p.compiled
        den = self.p.cell_den[:, cols] if cells is None else self.p.cell_den[cells][:, cols]
        return normalise(
            values,
            reference,
            den,
            kinds=kinds,
            directions=c.directions[cols],
            bounds=[c.bounds[j] for j in cols],
        )

    def fixed(self, values: FloatArray, cols: list[int], kinds: tuple[str, ...]) -> FloatArray:
        """Normalise ``values`` (columns ``cols``) against the problem's fixed reference."""
        if self.p.reference is None:
            raise ValueError("no fixed reference")
        c = self.p.compiled
        return normalise(
            values,
            subset(self.p.reference, cols),
            kinds=kinds,
            directions=c.directions[cols],
            bounds=[c.bounds[j] for j in cols],
        )

    def perturbed(self, key: int) -> tuple[FloatArray, FloatArray]:
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

    def perturbed_batch(self, keys: IntArray) -> tuple[FloatArray, FloatArray]:
        """Return :meth:`perturbed` for several draws at once (draws × units × columns).

        Each draw's factors come from its own generator ``(seed, key)``, as one by one;
        the QPV sums of all draws are one sparse product.
        """
        p, cols, rows = self.p, self.cols, self.rows
        b, r, c = keys.size, rows.size, cols.size
        factor = np.stack(
            [
                1.0
                + self.precision
                * np.random.default_rng([self.seed, int(k)]).uniform(-1.0, 1.0, (r, c))
                for k in keys
            ]
        )
        num = p.cell_num[np.ix_(rows, cols)]
        den = p.cell_den[np.ix_(rows, cols)]
        new = num[None] * factor
        new = np.where(p.bounded[cols][None, None, :], np.minimum(new, den[None]), new)
        delta = (new - num[None]).transpose(1, 0, 2).reshape(r, b * c)
        spread = np.asarray(self.spread @ delta).reshape(-1, b, c).transpose(1, 0, 2)
        qpv_values = safe_ratio(p.qpv_num[:, cols][None] + spread, p.qpv_den[:, cols][None])
        cell_values = np.repeat(p.cell_value[:, cols][None], b, axis=0)
        cell_values[:, rows, :] = safe_ratio(new, den[None])
        floors = p.display_floor[cols]
        qpv_small = p.qpv_population[:, None] < floors[None, :]
        cell_small = p.cell_population[:, None] < floors[None, :]
        stacked = np.concatenate(
            [
                np.where(qpv_small[None], np.nan, qpv_values),
                np.where(cell_small[None], np.nan, cell_values),
            ],
            axis=1,
        )
        return stacked, cell_values


def _groups(problem: RankingProblem) -> list[tuple[IntArray, IntArray]] | None:
    """Return ``(stacked rows, reference cells)`` per territory, or None (one reference)."""
    if problem.cell_group is None or problem.qpv_group is None:
        return None
    stacked = np.concatenate([problem.qpv_group, problem.cell_group])
    every = np.arange(problem.cell_group.size)
    return [
        (np.flatnonzero(stacked == g), np.flatnonzero(problem.cell_group == g) if g >= 0 else every)
        for g in np.unique(stacked)
    ]


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
    keep_cells: int = 0,
) -> Outcomes:
    """Score the QPV under each method variant ``u`` (draws × ``space.size``).

    Draws are evaluated in batches of :data:`BATCH` as matrices draws × units (see
    :mod:`quartiers.method._batch`); only the columns that a draw perturbs (imputed cells)
    are normalised draw by draw.

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
    keep_cells
        Keep the cells' index of the first ``keep_cells`` draws (``Outcomes.cells``).
    """
    progress = progress or NullProgress()
    u = np.asarray(u, dtype="float64")
    u = u.reshape(1, -1) if u.ndim == 1 else u
    draws = space.decode(u)
    m, n_q = u.shape[0], problem.n_qpv
    engine = _Engine(problem, space.precision, seed)
    out = Outcomes(
        index=np.full((m, n_q), np.nan),
        rank=np.full((m, n_q), np.nan),
        top=np.zeros((m, n_q), dtype=bool),
        position=np.full((m, n_q), np.nan),
        resident_share=np.full((m, n_q), np.nan),
        cells=(
            np.full((min(m, keep_cells), problem.cell_value.shape[0]), np.nan)
            if keep_cells
            else None
        ),
    )
    for start in range(0, m, BATCH):
        rows = np.arange(start, min(m, start + BATCH))
        _evaluate_batch(engine, space, draws, rows, out)
        progress.advance(float(rows.size))
    return out


#: Draws evaluated together (memory: BATCH × units × indicators floats).
BATCH = 128


def _normalised_batch(
    engine: _Engine, space: ChoiceSpace, draws: Draws, rows: IntArray
) -> FloatArray:
    """Return the normalised tensor (draws × stacked units × indicators) of a batch."""
    p = engine.p
    base = p.compiled
    k = len(base.kinds)
    norm = draws.normalisation[rows]
    x = np.empty((rows.size, engine.stacked.shape[0], k))
    for j in range(k):
        if not p.drawn_normalisation[j]:
            x[:, :, j] = engine.column(j, base.kinds[j])[None, :]
            continue
        for a in np.unique(norm):
            x[norm == a, :, j] = engine.column(j, space.normalisations[int(a)])[None, :]
    if draws.noise_key is not None and engine.cols.size:
        values, reference = engine.perturbed_batch(draws.noise_key[rows])
        for c, j in enumerate(engine.cols.tolist()):
            kinds = (
                [space.normalisations[int(a)] for a in norm]
                if p.drawn_normalisation[j]
                else [base.kinds[j]] * rows.size
            )
            for kind in dict.fromkeys(kinds):
                sel = np.asarray([k == kind for k in kinds], dtype=bool)
                if p.reference is not None:
                    flat = values[sel, :, c].reshape(-1, 1)
                    x[sel, :, j] = engine.fixed(flat, [j], (kind,)).reshape(-1, x.shape[1])
                    continue
                if engine.groups is not None:
                    _grouped_batch(engine, x, values, reference, sel, (c, j), kind)
                    continue
                x[sel, :, j] = batch_normalise(
                    values[sel, :, c],
                    reference[sel, :, c],
                    p.cell_den[:, j],
                    kind=kind,
                    direction=float(base.directions[j]),
                    bounds=base.bounds[j],
                )
    return x


def _grouped_batch(
    engine: _Engine,
    x: FloatArray,
    values: FloatArray,
    reference: FloatArray,
    sel: BoolArray,
    column: tuple[int, int],
    kind: str,
) -> None:
    """Normalise perturbed column ``c`` (index column ``j``) territory by territory, in place."""
    c, j = column
    base = engine.p.compiled
    draws = np.flatnonzero(sel)
    at_c, at_j = np.asarray([c]), np.asarray([j])
    for rows, cells in engine.groups or []:
        x[np.ix_(draws, rows, at_j)] = batch_normalise(
            values[np.ix_(draws, rows, at_c)][..., 0],
            reference[np.ix_(draws, cells, at_c)][..., 0],
            engine.p.cell_den[cells, j],
            kind=kind,
            direction=float(base.directions[j]),
            bounds=base.bounds[j],
        )[..., None]


def _evaluate_batch(
    engine: _Engine, space: ChoiceSpace, draws: Draws, rows: IntArray, out: Outcomes
) -> None:
    """Evaluate the draws ``rows`` and store their outcomes in ``out`` (in place)."""
    p = engine.p
    base = p.compiled
    n_q = p.n_qpv
    x = _normalised_batch(engine, space, draws, rows)
    k, d = len(base.indicator_ids), len(base.dimension_ids)
    if k == 0:
        return
    one_hot = np.zeros((k, d))
    one_hot[np.arange(k), base.dimension_of] = 1.0
    weights = draws.indicator_weights[rows]
    scores = np.empty((rows.size, x.shape[1], d))
    within = draws.within[rows]
    for a in np.unique(within):
        sel = within == a
        how = space.within_options[int(a)]
        scores[sel] = batch_weighted_mean(x[sel], weights[sel], one_hot, how)
    dims = draws.dimension_weights[rows]
    index = np.empty((rows.size, x.shape[1]))
    across = draws.across[rows]
    for a in np.unique(across):
        sel = across == a
        how = space.across_options[int(a)]
        index[sel] = batch_weighted_mean(scores[sel], dims[sel], np.ones((d, 1)), how)[..., 0]
    if p.missing is not None:
        for b, i in enumerate(rows.tolist()):
            chosen = space.normalisations[int(draws.normalisation[i])]
            compiled = replace(
                base,
                kinds=tuple(
                    chosen if d else kind
                    for d, kind in zip(p.drawn_normalisation, base.kinds, strict=True)
                ),
                dimension_weights=draws.dimension_weights[i],
                across=space.across_options[int(draws.across[i])],
            )
            index[b] = _complete(p, scores[b], index[b], compiled, draws.missing, i, ~engine.small)
    qpv_index, cell_index = index[:, :n_q], index[:, n_q:]
    cell_index[:, engine.small] = np.nan
    breaks = batch_breaks(cell_index, p.cell_population)
    top_cut = breaks[:, -1:]
    has_breaks = np.asarray(np.isfinite(breaks).all(axis=1), dtype=bool).reshape(-1, 1)
    out.index[rows] = qpv_index
    out.rank[rows] = batch_ranks(qpv_index, p.eligible)
    out.top[rows] = has_breaks & np.isfinite(qpv_index) & (qpv_index > top_cut)
    out.position[rows] = batch_positions(qpv_index, cell_index, p.cell_population)
    top_cells = has_breaks & np.isfinite(cell_index) & (cell_index > top_cut)
    residents = np.asarray(p.qpv_matrix @ (top_cells * p.cell_population[None, :]).T).T
    out.resident_share[rows] = safe_ratio(residents, p.qpv_population[None, :])
    if out.cells is not None:
        kept = rows < out.cells.shape[0]
        out.cells[rows[kept]] = cell_index[kept]


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
    p_top_quintile_se
        Monte Carlo standard error of ``p_top_quintile``: ``sqrt(p (1 − p) / draws)``.
    robust_top_quintile
        ``p_top_quintile − Z_ROBUST × p_top_quintile_se ≥`` :data:`ROBUST_THRESHOLD`: the
        probability is above the threshold even allowing for the Monte Carlo error.
    share_low, share_high
        5 % and 95 % quantiles over the draws of the share of the QPV's residents living in
        top-quintile cells.
    draws
        Number of draws.
    """

    rank_median: FloatArray
    rank_low: FloatArray
    rank_high: FloatArray
    p_top_quintile: FloatArray
    p_top_quintile_se: FloatArray
    robust_top_quintile: FloatArray
    share_low: FloatArray
    share_high: FloatArray
    draws: int


#: One-sided 95 % normal quantile: how many standard errors ``p_top_quintile`` must clear.
Z_ROBUST = 1.645


def summarise(outcomes: Outcomes, eligible: BoolArray) -> RankSummary:
    """Return the rank interval and top-quintile probability of each ranked QPV."""
    m, n_q = outcomes.rank.shape
    qs = np.full((3, n_q), np.nan)
    shares = np.full((2, n_q), np.nan)
    for q in range(n_q):
        ranks = outcomes.rank[:, q]
        ranks = ranks[np.isfinite(ranks)]
        if eligible[q] and ranks.size:
            qs[:, q] = np.quantile(ranks, (0.05, 0.5, 0.95), method="inverted_cdf")
        share = outcomes.resident_share[:, q]
        share = share[np.isfinite(share)]
        if share.size:
            shares[:, q] = np.quantile(share, (0.05, 0.95), method="inverted_cdf")
    p_top = np.where(eligible, outcomes.top.mean(axis=0), np.nan)
    se = np.sqrt(p_top * (1.0 - p_top) / m)
    lower = p_top - Z_ROBUST * se
    robust = np.where(np.isfinite(p_top), (lower >= ROBUST_THRESHOLD - 1e-12).astype(float), np.nan)
    return RankSummary(
        rank_median=qs[1],
        rank_low=qs[0],
        rank_high=qs[2],
        p_top_quintile=p_top,
        p_top_quintile_se=se,
        robust_top_quintile=robust,
        share_low=shares[0],
        share_high=shares[1],
        draws=int(m),
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
        outcomes = evaluate(
            problem, space, u, seed=unc.seed, progress=progress, keep_cells=MAX_DRAWS
        )
    finally:
        progress.finish()
    summary = summarise(outcomes, problem.eligible)
    if not space.size:
        summary = replace(summary, draws=unc.draws)
    return summary, outcomes, space
