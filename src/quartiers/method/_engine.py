"""Normalised columns of a :class:`~quartiers.method.problem.RankingProblem`, draw after draw.

The stacked matrix holds the QPV then the cells (units × indicators). Columns that no draw
perturbs are normalised once per normalisation and kept, with their aggregation terms
(:meth:`Engine.terms`); the Filosofi columns of the cells INSEE imputed are perturbed and
normalised per draw (:meth:`Engine.perturbed_batch`, :func:`moving_columns`), and so is
``lcz_heat`` when the scores of « variable » LCZ classes are drawn (:meth:`Engine.lcz_batch`),
and ``canopy_share`` when its OpenStreetMap completeness is drawn
(:func:`~quartiers.method.osm_coverage.osm_batch`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import safe_ratio
from quartiers.method._batch import GEOMETRIC_FLOOR, batch_normalise
from quartiers.method._perturb import Imputed, perturbed_batch
from quartiers.method.normalise import normalise, subset
from quartiers.method.osm_coverage import osm_batch
from quartiers.method.problem import RankingProblem
from quartiers.method.variants import ChoiceSpace, Draws

__all__ = ["Engine", "mean_terms", "moving_columns"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def mean_terms(x: FloatArray, how: str) -> tuple[FloatArray, FloatArray]:
    """Return ``(terms, known)`` of a weighted mean: values (or logs) with 0 where unknown.

    The same terms as :func:`quartiers.method._batch.batch_weighted_mean`: the weighted mean
    is ``Σ w·terms / Σ w·known`` (then ``exp`` for ``geometric``).
    """
    known = np.isfinite(x)
    if how == "geometric":
        terms = np.where(known, np.log(np.maximum(np.where(known, x, 1.0), GEOMETRIC_FLOOR)), 0.0)
    else:
        terms = np.where(known, x, 0.0)
    return terms, known.astype("float64")


class Engine:
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
        self.term_cache: dict[tuple[tuple[int, ...], str, str], tuple[FloatArray, FloatArray]] = {}
        self.small = ~(problem.cell_population >= problem.cell_floor)
        self.groups = _groups(problem)
        self.imputed: Imputed | None = None  # gathered at the first perturbation

    def column(self, j: int, kind: str) -> FloatArray:
        """Return normalised column ``j`` of the stacked matrix (cached per normalisation).

        Against the fixed reference of a reference file, else territory by territory
        (``reference: territory``), else against all the cells of the run.
        """
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

    def noisy(self, draws: Draws) -> bool:
        """Return True when the draws perturb some columns (imputed cells, Filosofi)."""
        return draws.noise_key is not None and self.cols.size > 0

    def terms(
        self, cols: tuple[int, ...], kinds: tuple[str, ...], how: str
    ) -> tuple[FloatArray, FloatArray]:
        """Return :func:`mean_terms` of columns ``cols`` normalised by ``kinds`` (cached)."""
        key = (cols, "|".join(kinds), how)
        if key not in self.term_cache:
            x = np.empty((self.stacked.shape[0], len(cols)))
            for c, (j, kind) in enumerate(zip(cols, kinds, strict=True)):
                x[:, c] = self.column(j, kind)
            self.term_cache[key] = mean_terms(x, how)
        return self.term_cache[key]

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

    def lcz_batch(self, scores: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return ``lcz_heat`` (draws × stacked units) and its cell reference (draws × cells)
        with the « variable » LCZ classes scored ``scores`` (draws × classes).

        ``lcz_heat`` is linear in the class scores: the method's value plus each class's
        share times the change of its score (cells), the same through the overlap matrix
        for the QPV numerators.
        """
        p = self.p
        j = p.lcz_column
        assert p.lcz_shares is not None and p.lcz_qpv is not None
        low, high = p.lcz_range
        delta = scores - (low + high) / 2
        cells = p.cell_value[None, :, j] + delta @ p.lcz_shares.T
        qpv_num = p.qpv_num[None, :, j] + delta @ p.lcz_qpv.T
        qpv = safe_ratio(qpv_num, np.broadcast_to(p.qpv_den[None, :, j], qpv_num.shape))
        floor = p.display_floor[j]
        stacked = np.concatenate(
            [
                np.where(p.qpv_population[None, :] < floor, np.nan, qpv),
                np.where(p.cell_population[None, :] < floor, np.nan, cells),
            ],
            axis=1,
        )
        return stacked, cells

    def perturbed_batch(self, keys: IntArray) -> tuple[FloatArray, FloatArray]:
        """Return :meth:`perturbed` for several draws at once (draws × units × columns).

        Each draw's factors come from its own generator ``(seed, key)``, as one by one;
        the QPV sums of all draws are one sparse product
        (:func:`quartiers.method._perturb.perturbed_batch`).
        """
        if self.imputed is None:
            self.imputed = Imputed.of(self.p, self.rows, self.cols)
        draw = (self.seed, self.precision, keys)
        return perturbed_batch(self.p, self.imputed, self.spread, self.rows, self.cols, draw)


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


def moving_columns(
    engine: Engine, space: ChoiceSpace, draws: Draws, rows: IntArray
) -> tuple[IntArray, FloatArray | None, IntArray]:
    """Return the columns the draws ``rows`` change, their normalised values and who has which.

    The Filosofi columns of imputed cells (perturbation) and ``lcz_heat`` (scores of the
    « variable » LCZ classes); values are draws × units × columns, each draw normalised
    against its own reference with the normalisation it drew (or the indicator's own).

    The moving columns depend only on a draw's perturbation key, normalisation and LCZ
    scores, and the Sobol design repeats them (the rows of a Saltelli block differ from
    their base row in one group of choices): each distinct combination is normalised once.
    The values have one row per distinct combination and ``inverse[k]`` is the row of draw
    ``rows[k]`` (``values[inverse]`` are the draws' own values, the same numbers).
    """
    signature = [draws.normalisation[rows][:, None].astype("float64")]
    if engine.noisy(draws):
        assert draws.noise_key is not None
        signature.append(draws.noise_key[rows][:, None].astype("float64"))
    if draws.lcz_scores is not None and engine.p.lcz_column >= 0:
        signature.append(draws.lcz_scores[rows])
    if draws.osm_key is not None and engine.p.osm_column >= 0:
        signature.append(draws.osm_key[rows][:, None].astype("float64"))
    _, first, inverse = np.unique(
        np.hstack(signature), axis=0, return_index=True, return_inverse=True
    )
    if first.size == rows.size:
        cols, x = _moving_columns(engine, space, draws, rows)
        return cols, x, np.arange(rows.size, dtype=np.int64)
    cols, x = _moving_columns(engine, space, draws, rows[first])
    return cols, x, np.asarray(inverse.reshape(-1), dtype=np.int64)


def _moving_columns(
    engine: Engine, space: ChoiceSpace, draws: Draws, rows: IntArray
) -> tuple[IntArray, FloatArray | None]:
    """Return :func:`moving_columns` of the draws ``rows``, each computed on its own."""
    p = engine.p
    base = p.compiled
    cols: list[int] = []
    values: list[FloatArray] = []
    references: list[FloatArray] = []
    if engine.noisy(draws):
        assert draws.noise_key is not None
        v, r = engine.perturbed_batch(draws.noise_key[rows])
        cols += engine.cols.tolist()
        values.append(v)
        references.append(r)
    if draws.lcz_scores is not None and p.lcz_column >= 0:
        v, r = engine.lcz_batch(draws.lcz_scores[rows])
        cols.append(p.lcz_column)
        values.append(v[:, :, None])
        references.append(r[:, :, None])
    if draws.osm_key is not None and p.osm_column >= 0:
        v, r = osm_batch(p, engine.seed, draws.osm_key[rows])
        cols.append(p.osm_column)
        values.append(v[:, :, None])
        references.append(r[:, :, None])
    if not cols:
        return np.zeros(0, dtype=np.int64), None
    if len(values) == 1:  # no copy of the (large) single source
        value, reference = values[0], references[0]
    else:
        value, reference = np.concatenate(values, axis=2), np.concatenate(references, axis=2)
    norm = draws.normalisation[rows]
    x = np.empty(value.shape)
    for c, j in enumerate(cols):
        kinds = (
            [space.normalisations[int(a)] for a in norm]
            if p.drawn_normalisation[j]
            else [base.kinds[j]] * rows.size
        )
        for kind in dict.fromkeys(kinds):
            sel = np.asarray([k == kind for k in kinds], dtype=bool)
            if p.reference is not None:
                flat = value[sel, :, c].reshape(-1, 1)
                x[sel, :, c] = engine.fixed(flat, [j], (kind,)).reshape(-1, engine.stacked.shape[0])
            elif engine.groups is not None:
                _grouped(engine, x, (value, reference), sel, (c, j), kind)
            else:
                x[sel, :, c] = batch_normalise(
                    value[sel, :, c],
                    reference[sel, :, c],
                    p.cell_den[:, j],
                    kind=kind,
                    direction=float(base.directions[j]),
                    bounds=base.bounds[j],
                )
    return np.asarray(cols, dtype=np.int64), x


def _grouped(
    engine: Engine,
    x: FloatArray,
    moving: tuple[FloatArray, FloatArray],
    sel: BoolArray,
    column: tuple[int, int],
    kind: str,
) -> None:
    """Normalise moving column ``c`` (index column ``j``) territory by territory, in place."""
    value, reference = moving
    c, j = column
    base = engine.p.compiled
    draws = np.flatnonzero(sel)
    at_c = np.asarray([c])
    for rows, cells in engine.groups or []:
        x[np.ix_(draws, rows, at_c)] = batch_normalise(
            value[np.ix_(draws, rows, at_c)][..., 0],
            reference[np.ix_(draws, cells, at_c)][..., 0],
            engine.p.cell_den[cells, j],
            kind=kind,
            direction=float(base.directions[j]),
            bounds=base.bounds[j],
        )[..., None]
