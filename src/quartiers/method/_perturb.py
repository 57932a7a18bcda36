"""The perturbed Filosofi columns of a batch of draws, with few large temporaries.

Each draw multiplies the numerators of the cells INSEE imputed by factors drawn from its own
generator ``(seed, key)``, caps the bounded columns at their denominator, spreads the change
to the QPV through the overlap matrix and blanks the units below the display floors. At
national size (2.3 million cells, 1.8 million imputed, one draw per batch) each array of the
stacked matrix is 130 MB: the fixed arrays a draw reads are gathered once per engine
(:class:`Imputed`), the factors are turned into the new numerators in place, and the outputs
are written once, elementwise by the same operations as draw after draw (same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import safe_ratio
from quartiers.method.problem import RankingProblem

__all__ = ["Imputed", "perturbed_batch"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def _columns(a: FloatArray, cols: IntArray) -> FloatArray:
    """Return ``a[:, cols]``, ``a`` itself when ``cols`` are all its columns in order."""
    if cols.size == a.shape[1] and np.array_equal(cols, np.arange(a.shape[1])):
        return a
    return a[:, cols]


@dataclass(frozen=True)
class Imputed:
    """What every perturbation reads: the imputed cells' numerators, denominators and the rest.

    Attributes
    ----------
    num, den
        Numerators and denominators of the perturbable columns of the imputed cells.
    bad
        Imputed cells whose denominator is not positive (their value is NaN).
    bounded
        Perturbable columns capped at their denominator.
    cell_values
        Every cell's value of the perturbable columns.
    cell_small, qpv_small
        Units below each perturbable column's display floor (blanked).
    """

    num: FloatArray
    den: FloatArray
    bad: BoolArray
    bounded: BoolArray
    cell_values: FloatArray
    cell_small: BoolArray
    qpv_small: BoolArray

    @classmethod
    def of(cls, p: RankingProblem, rows: IntArray, cols: IntArray) -> Imputed:
        """Gather the fixed arrays of the imputed cells ``rows`` and columns ``cols``."""
        den = p.cell_den[np.ix_(rows, cols)]
        floors = p.display_floor[cols]
        return cls(
            num=p.cell_num[np.ix_(rows, cols)],
            den=den,
            bad=~(den > 0),
            bounded=p.bounded[cols],
            cell_values=_columns(p.cell_value, cols),
            cell_small=p.cell_population[:, None] < floors[None, :],
            qpv_small=p.qpv_population[:, None] < floors[None, :],
        )


def _new_numerators(fixed: Imputed, seed: int, precision: float, keys: IntArray) -> FloatArray:
    """Return each draw's numerators of the imputed cells (draws × rows × columns).

    ``num × (1 + precision × u)`` with ``u`` uniform in [-1, 1) from the draw's generator,
    capped at the denominator in the bounded columns: the same operations as on one stacked
    array of factors, done in place.
    """
    r, c = fixed.num.shape
    new = np.empty((keys.size, r, c))
    for i, key in enumerate(keys.tolist()):
        f = np.random.default_rng([seed, int(key)]).uniform(-1.0, 1.0, (r, c))
        np.multiply(precision, f, out=f)
        np.add(1.0, f, out=f)
        np.multiply(fixed.num, f, out=new[i])
    if fixed.bounded.any():
        np.minimum(new, fixed.den[None], out=new, where=fixed.bounded[None, None, :])
    return new


def perturbed_batch(
    p: RankingProblem,
    fixed: Imputed,
    spread: sparse.csc_array,
    rows: IntArray,
    cols: IntArray,
    draw: tuple[int, float, IntArray],
) -> tuple[FloatArray, FloatArray]:
    """Return the stacked values (draws × units × columns) and the cell reference of draws.

    ``draw`` is ``(seed, precision, keys)``; ``spread`` the overlap matrix restricted to the
    imputed cells. The QPV sums of all draws are one sparse product.
    """
    seed, precision, keys = draw
    b, r, c = keys.size, rows.size, cols.size
    new = _new_numerators(fixed, seed, precision, keys)
    delta = (new - fixed.num[None]).transpose(1, 0, 2).reshape(r, b * c)
    moved = np.asarray(spread @ delta).reshape(-1, b, c).transpose(1, 0, 2)
    del delta
    qpv_values = safe_ratio(p.qpv_num[:, cols][None] + moved, p.qpv_den[:, cols][None])
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(new, fixed.den[None], out=new)  # safe_ratio in place
    if fixed.bad.any():
        new[np.broadcast_to(fixed.bad, new.shape)] = np.nan
    n_q = qpv_values.shape[1]
    cell_values = np.empty((b, fixed.cell_values.shape[0], c))
    cell_values[:] = fixed.cell_values[None]
    cell_values[:, rows, :] = new
    del new
    stacked = np.empty((b, n_q + cell_values.shape[1], c))
    stacked[:, :n_q] = np.where(fixed.qpv_small[None], np.nan, qpv_values)
    stacked[:, n_q:] = cell_values
    np.copyto(stacked[:, n_q:], np.nan, where=fixed.cell_small[None])
    return stacked, cell_values
