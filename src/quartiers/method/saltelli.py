"""Saltelli's design and Sobol estimators in numpy: SALib's numbers without SALib.

SALib (``SALib.sample.sobol``, ``SALib.analyze.sobol``) draws its design with
``scipy.stats.qmc.Sobol`` and scales its intervals with ``scipy.stats.norm``: importing them
costs about a second of CPU at every run (``scipy.stats`` formats hundreds of docstrings at
import). This module computes the same numbers with numpy alone, operation for operation:

- :func:`sobol_points` — the scrambled Sobol' sequence of ``scipy.stats.qmc.Sobol`` (Joe and
  Kuo's direction numbers, read from scipy's own file; left linear matrix scramble and digital
  shift drawn from ``numpy.random.default_rng(seed)``; points in Gray-code order);
- :func:`saltelli_design` — ``SALib.sample.sobol.sample(..., calc_second_order=False)`` on the
  unit hypercube, with groups;
- :func:`sobol_estimates` — ``SALib.analyze.sobol.analyze(..., calc_second_order=False)``:
  first-order (Saltelli 2010) and total (Jansen) estimators with bootstrap intervals.

``tests/method/test_saltelli.py`` checks that the arrays are equal bit for bit to SALib's and
scipy's when they are installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

__all__ = ["BITS", "saltelli_design", "sobol_estimates", "sobol_points"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Bits of the integer Sobol' points (``scipy.stats.qmc.Sobol``'s default).
BITS = 30


@cache
def _direction_file() -> tuple[IntArray, IntArray]:
    """Return scipy's Joe–Kuo primitive polynomials and initial direction numbers."""
    spec = importlib.util.find_spec("scipy")
    if spec is None or spec.origin is None:  # pragma: no cover - scipy is a dependency
        raise ImportError("scipy est introuvable")
    path = Path(spec.origin).parent / "stats" / "_sobol_direction_numbers.npz"
    with np.load(path) as data:
        return data["poly"].astype(np.int64), data["vinit"].astype(np.int64)


def _directions(d: int) -> IntArray:
    """Return the direction numbers (d × :data:`BITS`), scaled to their bit position."""
    poly, vinit = _direction_file()
    v = np.zeros((d, BITS), dtype=np.int64)
    v[0, :] = 1
    for k in range(1, d):
        p = int(poly[k])
        m = p.bit_length() - 1
        v[k, :m] = vinit[k, :m]
        for j in range(m, BITS):
            new = int(v[k, j - m])
            for i in range(m):
                if (p >> (m - 1 - i)) & 1:
                    new ^= int(v[k, j - i - 1]) << (i + 1)
            v[k, j] = new
    return np.asarray(v << (BITS - 1 - np.arange(BITS))[None, :], dtype=np.int64)


def _scrambled(v: IntArray, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Return the digital shift and the direction numbers after a left linear matrix scramble.

    Bit ``BITS − 1 − p`` of a scrambled number is the parity of row ``p`` of a random lower
    triangular matrix (unit diagonal) applied to the number's bits (most significant first).
    """
    d = v.shape[0]
    powers = np.left_shift(1, np.arange(BITS, dtype=np.int64))
    shift = rng.integers(2, size=(d, BITS), dtype=np.uint32).astype(np.int64) @ powers
    ltm = np.tril(rng.integers(2, size=(d, BITS, BITS), dtype=np.uint32)).astype(np.int64)
    ltm[:, np.arange(BITS), np.arange(BITS)] = 1
    bits = (v[:, :, None] >> np.arange(BITS)[None, None, :]) & 1  # dims × numbers × bit
    parity = np.einsum("dpk,djk->djp", ltm[:, :, ::-1], bits) % 2
    scrambled = (parity << (BITS - 1 - np.arange(BITS))[None, None, :]).sum(axis=2)
    return shift, np.asarray(scrambled, dtype=np.int64)


def sobol_points(d: int, n: int, seed: int) -> FloatArray:
    """Return the first ``n`` points of the scrambled Sobol' sequence in ``d`` dimensions.

    The same array as ``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed).random(n)``.

    Parameters
    ----------
    d
        Dimensions (at most the 21,201 of the direction numbers).
    n
        Points (a power of two keeps the sequence's balance).
    seed
        Seed of the scramble.
    """
    shift, sv = _scrambled(_directions(d), np.random.default_rng(seed))
    # Point i+1 flips, from point i, the direction of the lowest zero bit of i (Gray code).
    i = np.arange(max(n - 1, 0), dtype=np.int64)
    low_zero = np.zeros(i.size, dtype=np.int64)
    rest = i.copy()
    while (odd := (rest & 1) == 1).any():
        low_zero += odd
        rest = np.where(odd, rest >> 1, 0)
    steps = sv[:, low_zero].T  # (n − 1) × d
    quasi = np.bitwise_xor.accumulate(np.vstack([shift[None, :], steps]), axis=0)
    return np.asarray(quasi[:n] * (1.0 / 2**BITS), dtype=np.float64)


def saltelli_design(groups: Sequence[str], n: int, seed: int) -> FloatArray:
    """Return Saltelli's design on the unit hypercube, first and total orders only.

    The same array as ``SALib.sample.sobol.sample(problem, n, calc_second_order=False,
    seed=seed)`` for ``problem`` with ``bounds`` [0, 1] and these ``groups``: per base
    point, the row A, one row per group (A with that group's coordinates taken from B),
    then B — ``n × (groups + 2)`` rows.

    Parameters
    ----------
    groups
        Group of each coordinate (groups in order of first appearance).
    n
        Base sample size N.
    seed
        Seed of the Sobol' scramble.
    """
    dims = len(groups)
    base = sobol_points(2 * dims, n, seed)
    a, b = base[:, :dims], base[:, dims:]
    names = list(dict.fromkeys(groups))
    member = np.asarray([[g == name for g in groups] for name in names], dtype=bool)
    blocks = [a[:, None, :], np.where(member[None, :, :], b[:, None, :], a[:, None, :])]
    design = np.concatenate([*blocks, b[:, None, :]], axis=1)
    return np.ascontiguousarray(design.reshape(-1, dims))


def sobol_estimates(
    y: FloatArray,
    n_groups: int,
    *,
    resamples: int,
    seed: int,
    conf_level: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return the first-order and total indices of each group and their interval half-widths.

    The same numbers as ``SALib.analyze.sobol.analyze(problem, y, calc_second_order=False,
    num_resamples=resamples, conf_level=conf_level, seed=seed)`` (``seed`` not 0):
    ``(S1, S1_conf, ST, ST_conf)``.

    Parameters
    ----------
    y
        Model output on :func:`saltelli_design`'s rows.
    n_groups
        Groups of the design.
    resamples
        Bootstrap resamples of the intervals.
    seed
        Seed of the bootstrap (a positive integer).
    conf_level
        Confidence level of the intervals.
    """
    step = n_groups + 2
    n = y.size // step
    y = (y - y.mean()) / y.std()
    a, b = y[0 : y.size : step], y[step - 1 : y.size : step]
    ab = np.zeros((n, n_groups))
    for j in range(n_groups):
        ab[:, j] = y[j + 1 : y.size : step]
    r = np.random.default_rng(seed).integers(n, size=(n, resamples))
    z = ndtri(0.5 + conf_level / 2)
    out = tuple(np.zeros(n_groups) for _ in range(4))
    first, first_conf, total, total_conf = out
    for j in range(n_groups):
        first[j] = _first_order(a, ab[:, j], b)
        spread = np.ptp(np.r_[a[r], b[r]])
        total[j] = _total_order(a, ab[:, j], b)
        if spread != 0.0:
            first_conf[j] = z * _first_order(a[r], ab[r, j], b[r]).std(ddof=1)
            total_conf[j] = z * _total_order(a[r], ab[r, j], b[r]).std(ddof=1)
    return first, first_conf, total, total_conf


def _first_order(a: FloatArray, ab: FloatArray, b: FloatArray) -> FloatArray:
    """Saltelli (2010)'s first-order estimator (SALib's ``first_order``)."""
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:
        return np.zeros(y.shape[1:], dtype=np.float64)
    var = np.var(y, axis=0)
    eps = np.finfo(float).eps
    out: FloatArray = np.divide(
        np.mean(b * (ab - a), axis=0),
        var,
        out=np.zeros_like(var, dtype=np.float64),
        where=var > eps,
    )
    return out


def _total_order(a: FloatArray, ab: FloatArray, b: FloatArray) -> FloatArray:
    """Jansen's total-order estimator (SALib's ``total_order``)."""
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:
        return np.zeros(y.shape[1:], dtype=np.float64)
    var = np.var(y, axis=0)
    eps = np.finfo(float).eps
    out: FloatArray = np.divide(
        0.5 * np.mean((a - ab) ** 2, axis=0),
        var,
        out=np.zeros_like(var, dtype=np.float64),
        where=var > eps,
    )
    return out
