"""Statistical secrecy applied to the demo cells, in the manner of INSEE Filosofi.

INSEE publishes a 200 m cell as observed only when it holds at least 11 fiscal households.
Smaller cells are imputed (``i_est_200 = 1``): here, following INSEE's principle in a
simplified form, the small cells of a quadtree square ("natural level", 400 m, 800 m…,
named in ``idcar_nat``) are pooled until the pool holds at least 11 households (a remainder
too small to stand alone joins a pool of its parent square), and the pooled totals are
spread back over them, half in proportion to their households and half evenly. Imputed values
are fractional (one decimal), totals are kept, and in every cell the age bands still add up
to ``ind`` and the dwelling periods (and flats + houses) to ``men``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from quartiers.demo._buildings import PERIODS
from quartiers.demo._population import AGES, COUNTS

__all__ = ["SECRECY_HOUSEHOLDS", "impute"]

#: Fewest fiscal households INSEE shows for an observed cell.
SECRECY_HOUSEHOLDS = 11
_MAX_LEVEL = 20  # 200 m × 2**20 ≈ 210,000 km: one square holds any EPSG:3035 extent

# Columns that are parts of a whole: (whole, parts).
_PARTS: list[tuple[str, list[str]]] = [
    ("ind", [*AGES, "ind_inc"]),
    ("men", PERIODS),
    ("men", ["men_coll", "men_mais"]),
]
# Subsets of households that may never exceed ``men``.
_SUBSETS = ["men_pauv", "men_1ind", "men_5ind", "men_prop", "men_fmp", "log_soc"]


def impute(raw: pd.DataFrame) -> pd.DataFrame:
    """Return the published cells: observed ones as integers, small ones imputed.

    Parameters
    ----------
    raw
        Integer counts per cell with ``x, y`` (south-west corner, EPSG:3035 m).

    Returns
    -------
    pandas.DataFrame
        ``raw`` with the counts of small cells replaced, plus ``imputed`` (bool),
        ``nat_size`` and ``nat_x``, ``nat_y`` (the natural-level square, m).
    """
    out = raw.copy().reset_index(drop=True)
    x = out["x"].to_numpy()
    y = out["y"].to_numpy()
    men = out["men"].to_numpy()
    small = men < SECRECY_HOUSEHOLDS
    group = np.full(len(out), -1, dtype=np.int64)
    nat_size = np.full(len(out), 200, dtype=np.int64)
    nat_x = x.copy()
    nat_y = y.copy()
    pending = small.copy()
    next_group = 0
    for level in range(1, _MAX_LEVEL + 1):
        if not pending.any():
            break
        size = 200 * 2**level
        px = (x // size) * size
        py = (y // size) * size
        key = px * 100_000_000 + py
        idx = np.flatnonzero(pending)
        square_keys, inverse = np.unique(key[idx], return_inverse=True)
        pooled = np.bincount(inverse, weights=men[idx])
        for s, square in enumerate(square_keys):
            members = idx[inverse == s]
            if pooled[s] < SECRECY_HOUSEHOLDS:
                # A remainder too small to stand alone joins the smallest pool already
                # formed inside the same square, which then takes this square as its level.
                inside = np.flatnonzero((key == square) & (group >= 0))
                if inside.size == 0 and level < _MAX_LEVEL:
                    continue
                if inside.size:
                    sizes = {int(g): men[group == g].sum() for g in np.unique(group[inside])}
                    target = min(sizes, key=lambda g: (sizes[g], g))
                    members = np.concatenate([members, np.flatnonzero(group == target)])
                    group[members] = target
                else:
                    group[members] = next_group
                    next_group += 1
            else:
                group[members] = next_group
                next_group += 1
            nat_size[members] = size
            nat_x[members] = px[members]
            nat_y[members] = py[members]
            pending[members] = False
    values = out[COUNTS].to_numpy(dtype="float64", copy=True)
    for k in range(next_group):
        members = np.flatnonzero(group == k)
        values[members] = _spread(values[members])
    out[COUNTS] = values
    out["imputed"] = small
    out["nat_size"] = nat_size
    out["nat_x"] = nat_x
    out["nat_y"] = nat_y
    return out


def _spread(block: NDArray[np.float64]) -> NDArray[np.float64]:
    """Spread the pooled counts of small cells back over them, in tenths, coherently."""
    col = {c: k for k, c in enumerate(COUNTS)}
    total = block.sum(axis=0)
    # Weights halfway between each cell's households and an even split, so that imputed
    # values (households included) reveal no single cell's count.
    men = block[:, col["men"]]
    even = np.full(len(block), 1.0 / len(block))
    weight = 0.5 * men / men.sum() + 0.5 * even if men.sum() > 0 else even
    out: NDArray[np.float64] = np.round(np.outer(weight, total), 1).astype(np.float64)
    for whole, parts in _PARTS:
        share = total[[col[p] for p in parts]]
        for r in range(len(block)):
            out[r, [col[p] for p in parts]] = _tenths(out[r, col[whole]], share)
    for c in _SUBSETS:
        out[:, col[c]] = np.minimum(out[:, col[c]], out[:, col["men"]])
    return out


def _tenths(amount: float, share: NDArray[np.float64]) -> NDArray[np.float64]:
    """Split ``amount`` (one decimal) in proportion to ``share``, in tenths adding up exactly."""
    units = round(amount * 10)
    if share.sum() <= 0 or units <= 0:
        return np.zeros(share.size)
    exact = units * share / share.sum()
    base = np.floor(exact).astype(np.int64)
    rest = units - int(base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    result: NDArray[np.float64] = base.astype(np.float64) / 10.0
    return result
