"""Evaluate method variants on a territory: composite index, ranks and quintiles per draw.

A draw is a point ``u`` of the unit hypercube decoded by :class:`ChoiceSpace`; the Monte
Carlo (:mod:`quartiers.method.uncertainty`) and the Sobol analysis
(:mod:`quartiers.method.sensitivity`) share :func:`evaluate`, through
:func:`quartiers.method.blocks.evaluate_blocks` (blocks of draws on several processes).

Draws are evaluated in batches (:func:`batch_size`). The dimension scores are weighted sums, so
the columns no draw perturbs enter as one matrix product per (normalisation, aggregation)
pair present in the batch: their normalised terms are computed once per run and only the
weights change from draw to draw. The perturbed Filosofi columns (imputed cells) are
normalised per draw and added. The across-dimension mean, quintile breaks, ranks and
positions are batched (:mod:`quartiers.method._batch`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from quartiers.heap import reused_heap
from quartiers.indicators.base import safe_ratio
from quartiers.method._batch import (
    batch_breaks,
    batch_positions,
    batch_ranks,
    batch_weighted_mean,
    sorted_reference,
)
from quartiers.method._engine import Engine, mean_terms, moving_columns
from quartiers.method.completeness import draw_range, fill_scores
from quartiers.method.composite import CompiledMethod, combine
from quartiers.method.problem import RankingProblem
from quartiers.method.variants import ChoiceSpace, Draws
from quartiers.progress import NullProgress, Progress

__all__ = [
    "BATCH",
    "MAX_BATCH_UNITS",
    "Outcomes",
    "batch_size",
    "evaluate",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: Draws evaluated together on a territory of 5,000 cells: batches hold about
#: BATCH × 5,000 units (memory: units × perturbed indicators floats per draw), so a small
#: territory evaluates more draws at once (:func:`batch_size`).
BATCH = 64
#: Most draws × units a batch holds: its work arrays take a few hundred bytes per draw and
#: unit (every indicator's weighted terms, the perturbed columns, the dimension scores), so
#: above 50,000 units the batches shrink (to one draw for the 2.3 million cells of France)
#: instead of needing tens of GB. The outcomes do not depend on the batch size.
MAX_BATCH_UNITS = BATCH * 50_000
#: Whether the draws' temporaries reuse the heap instead of new mappings
#: (:func:`quartiers.heap.reused_heap`; turned off only to measure it, ``bench_draws.py``).
KEEP_HEAP = True


def batch_size(n_units: int) -> int:
    """Return the draws per batch for ``n_units`` stacked units (a power of 2, 1 to 1,024).

    64 to 1,024 draws up to 50,000 units, fewer above (:data:`MAX_BATCH_UNITS`).
    """
    target = BATCH * 5_000 / max(1, n_units)
    size = int(min(1024, max(BATCH, 2 ** int(np.floor(np.log2(max(target, 1.0)))))))
    while size > 1 and size * n_units > MAX_BATCH_UNITS:
        size //= 2
    return size


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

    Draws are evaluated in batches (:func:`batch_size`) as matrices draws × units (see
    :mod:`quartiers.method._batch`); only the columns that a draw perturbs (imputed cells)
    are normalised draw by draw, the others enter through cached terms (module docstring).

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
    engine = Engine(problem, space.precision, seed)
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
    # the alternative allocation rule changes the QPV rows only: its own engine (and caches)
    engines = [engine]
    if draws.allocation is not None:
        engines.append(Engine(problem.under_alternative(), space.precision, seed))
    rule = np.zeros(m, dtype=np.int64) if draws.allocation is None else draws.allocation
    size = batch_size(engine.stacked.shape[0])
    # the draws' temporaries reuse the heap instead of new mappings
    with reused_heap(KEEP_HEAP):
        for start in range(0, m, size):
            rows = np.arange(start, min(m, start + size))
            for a in np.unique(rule[rows]):
                _evaluate_batch(engines[int(a)], space, draws, rows[rule[rows] == a], out)
            progress.advance(float(rows.size))
    return out


def _dimension_scores(
    engine: Engine, space: ChoiceSpace, draws: Draws, rows: IntArray
) -> FloatArray:
    """Return the dimension scores of the draws ``rows`` (draws × stacked units × dimensions).

    Bit for bit the weighted means of :func:`~quartiers.method._batch.batch_weighted_mean`
    on the whole normalised tensor (same products, same sums), but the terms of the columns
    no draw perturbs come from the engine's cache instead of being rebuilt per draw.
    """
    p = engine.p
    base = p.compiled
    k, d, n_units = len(base.indicator_ids), len(base.dimension_ids), engine.stacked.shape[0]
    one_hot = np.zeros((k, d))
    one_hot[np.arange(k), base.dimension_of] = 1.0
    cols, x, inverse = moving_columns(engine, space, draws, rows)
    moving: dict[str, tuple[FloatArray, FloatArray]] = {}  # mean terms of the distinct rows
    every = tuple(range(k))
    weights = draws.indicator_weights[rows]
    norm, within = draws.normalisation[rows], draws.within[rows]
    scores = np.full((rows.size, n_units, d), np.nan)
    for a in np.unique(norm):
        chosen = space.normalisations[int(a)]
        kinds = tuple(chosen if p.drawn_normalisation[j] else base.kinds[j] for j in every)
        for w in np.unique(within[norm == a]):
            sel = (norm == a) & (within == w)
            how = space.within_options[int(w)]
            terms, known = engine.terms(every, kinds, how)
            w_sel = weights[sel]
            same = True
            if x is None:
                wt = w_sel[:, None, :] * terms[None]
            else:
                if how not in moving:
                    moving[how] = mean_terms(x, how)
                t, kn = _picked(moving[how], inverse[sel])  # each draw's own row
                wt = _weighted_terms(w_sel, terms, cols, (w_sel[:, None, cols] * kn) * t)
                same = bool((kn == known[None, :, cols]).all())
            num = wt @ one_hot
            if same:  # known is 0/1: Σ known·w needs no per-draw tensor (same products)
                wg = (w_sel[:, :, None] * one_hot[None]).transpose(1, 0, 2).reshape(k, -1)
                # einsum, not BLAS: a small product, and BLAS threads only spin here
                den = np.einsum("uk,kc->uc", known, wg).reshape(n_units, -1, d).transpose(1, 0, 2)
            else:
                wk = w_sel[:, None, :] * known[None]
                wk[:, :, cols] = w_sel[:, None, cols] * kn
                den = wk @ one_hot
            part = np.full(num.shape, np.nan)
            np.divide(num, den, out=part, where=den > 0)
            scores[sel] = np.exp(part) if how == "geometric" else part
    return scores


def _picked(pair: tuple[FloatArray, FloatArray], pick: IntArray) -> tuple[FloatArray, FloatArray]:
    """Return the rows ``pick`` of both arrays (themselves when ``pick`` is every row in order)."""
    t, kn = pair
    if pick.size == t.shape[0] and np.array_equal(pick, np.arange(pick.size)):
        return t, kn
    return t[pick], kn[pick]


def _weighted_terms(
    w: FloatArray, terms: FloatArray, cols: IntArray, moved: FloatArray
) -> FloatArray:
    """Return ``w × terms`` (draws × units × indicators) with ``moved`` in columns ``cols``.

    When every column moves, ``moved`` itself: the same numbers, without the products that
    it would replace.
    """
    k = terms.shape[1]
    if cols.size == k and np.array_equal(cols, np.arange(k)):
        return moved
    wt = w[:, None, :] * terms[None]
    wt[:, :, cols] = moved
    return wt


def _evaluate_batch(
    engine: Engine, space: ChoiceSpace, draws: Draws, rows: IntArray, out: Outcomes
) -> None:
    """Evaluate the draws ``rows`` and store their outcomes in ``out`` (in place)."""
    p = engine.p
    base = p.compiled
    n_q = p.n_qpv
    d = len(base.dimension_ids)
    if not base.indicator_ids:
        return
    scores = _dimension_scores(engine, space, draws, rows)
    dims = draws.dimension_weights[rows]
    index = np.empty(scores.shape[:2])
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
    reference = sorted_reference(cell_index, p.cell_population)  # shared: one sort per draw
    breaks = batch_breaks(cell_index, p.cell_population, reference=reference)
    top_cut = breaks[:, -1:]
    has_breaks = np.asarray(np.isfinite(breaks).all(axis=1), dtype=bool).reshape(-1, 1)
    out.index[rows] = qpv_index
    out.rank[rows] = batch_ranks(qpv_index, p.eligible)
    out.top[rows] = has_breaks & np.isfinite(qpv_index) & (qpv_index > top_cut)
    out.position[rows] = batch_positions(
        qpv_index, cell_index, p.cell_population, reference=reference
    )
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
