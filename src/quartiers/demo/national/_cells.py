"""Inhabited 200 m cells of one fictitious département, as rows of the Filosofi 2021 CSV.

The cells of a tile are drawn by weight (exactly ``cells_per_departement`` of them): a
small rural floor plus each town's density, decaying with distance; cells on a QPV always
weigh more. Counts follow the urbanity of the cell and whether it lies in a QPV (poorer,
younger, larger households, social housing); they respect Filosofi's relations (parts of
the households at most ``men``, age bands and ``men`` at most ``ind``). Cells of fewer than
11 households are « imputed » as INSEE does (``i_est_200 = 1``, fractional counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.random import Generator
from numpy.typing import NDArray

from quartiers.demo._filosofi import FILOSOFI_2021_COLUMNS
from quartiers.demo.national._layout import Departement, Town

__all__ = ["cell_table"]

FloatArray = NDArray[np.float64]

# Shares of dwellings by period (av45, 45_70, 70_90, ap90, inc): rural, urban, QPV.
_PERIODS = np.array(
    [[0.30, 0.12, 0.22, 0.34, 0.02], [0.22, 0.25, 0.23, 0.28, 0.02], [0.03, 0.62, 0.25, 0.09, 0.01]]
)
# Shares of people by age band (0_3 … 80p) and unknown age: rural, urban, QPV.
_AGES = np.array(
    [
        [0.035, 0.022, 0.065, 0.095, 0.055, 0.140, 0.210, 0.140, 0.170, 0.065, 0.003],
        [0.040, 0.020, 0.055, 0.075, 0.110, 0.205, 0.170, 0.115, 0.135, 0.072, 0.003],
        [0.065, 0.035, 0.085, 0.115, 0.100, 0.200, 0.170, 0.100, 0.095, 0.032, 0.003],
    ]
)


def _mix(table: NDArray[np.float64], urban: FloatArray, qpv: NDArray[np.bool_]) -> FloatArray:
    """Return per-cell shares: rural→urban by urbanity, the QPV row on QPV cells."""
    shares = (1 - urban)[:, None] * table[0] + urban[:, None] * table[1]
    shares[qpv] = table[2]
    out: FloatArray = shares / shares.sum(axis=1, keepdims=True)
    return out


def _pick(
    dep: Departement, towns: Sequence[Town], qpv: shapely.Geometry, rng: Generator
) -> tuple[NDArray[np.int64], FloatArray, NDArray[np.bool_]]:
    """Return the south-west corners of the drawn cells, their urbanity and QPV flag."""
    n = dep.scale.tile_m // 200
    ii, jj = np.meshgrid(np.arange(n), np.arange(n))
    x = dep.x0 + 200 * ii.ravel().astype(np.int64)
    y = dep.y0 + 200 * jj.ravel().astype(np.int64)
    cx, cy = x + 100.0, y + 100.0
    urban = np.zeros(len(x))
    for t in towns:
        urban += t.amplitude * np.exp(-np.hypot(cx - t.x, cy - t.y) / dep.scale.town_scale_m)
    urban = np.clip(urban, 0.0, 1.0)
    near = shapely.contains_xy(shapely.buffer(qpv, 100.0), cx, cy)
    weight = 0.03 + urban + 5.0 * near
    key = np.log(weight) + rng.gumbel(size=len(x))
    k = dep.scale.cells_per_departement
    chosen = np.sort(np.argpartition(-key, k - 1)[:k])
    inside = shapely.contains_xy(qpv, cx[chosen], cy[chosen])
    return np.column_stack([x[chosen], y[chosen]]), urban[chosen], inside


def _counts(urban: FloatArray, qpv: NDArray[np.bool_], rng: Generator) -> dict[str, FloatArray]:
    """Return the integer counts of every Filosofi column (before imputation)."""
    q = qpv.astype(float)
    mean = 6.0 + 650.0 * urban**1.3
    mean = np.where(qpv, np.maximum(mean * 1.8, 250.0), mean)
    ind = np.clip(np.round(rng.lognormal(np.log(mean), 0.55)), 1, 6_000)
    size = 2.35 - 0.45 * urban + 0.35 * q
    men = np.clip(np.floor(ind / size), 1, ind)
    c: dict[str, FloatArray] = {"ind": ind, "men": men}
    men_i = men.astype(np.int64)

    def part(share: FloatArray | float, of: NDArray[np.int64] = men_i) -> FloatArray:
        p = np.clip(np.broadcast_to(share, of.shape), 0.0, 1.0)
        return rng.binomial(of, p).astype(float)

    c["men_pauv"] = part(0.06 + 0.10 * urban + 0.30 * q)
    c["men_1ind"] = part(0.22 + 0.25 * urban)
    c["men_5ind"] = part(0.04 + 0.08 * q, men_i - c["men_1ind"].astype(np.int64))
    c["men_prop"] = part(np.maximum(0.75 - 0.35 * urban - 0.35 * q, 0.03))
    c["men_fmp"] = part(0.07 + 0.10 * q, men_i - c["men_1ind"].astype(np.int64))
    living = 23_500.0 * (1.0 - 0.38 * q + 0.10 * urban) * rng.lognormal(0.0, 0.15, len(ind))
    c["ind_snv"] = np.round(ind * living, 1)
    c["men_surf"] = np.round(
        men * (98.0 - 35.0 * urban - 20.0 * q) * rng.lognormal(0, 0.1, len(ind))
    )
    c["men_coll"] = part(np.minimum(0.08 + 0.85 * urban + 0.4 * q, 0.98))
    c["men_mais"] = men - c["men_coll"]
    periods = rng.multinomial(men_i, _mix(_PERIODS, urban, qpv)).astype(float)
    for k, name in enumerate(("log_av45", "log_45_70", "log_70_90", "log_ap90", "log_inc")):
        c[name] = periods[:, k]
    c["log_soc"] = part(np.minimum(0.02 + 0.15 * urban + 0.65 * q, 0.95))
    ages = rng.multinomial(ind.astype(np.int64), _mix(_AGES, urban, qpv)).astype(float)
    for k, name in enumerate(FILOSOFI_2021_COLUMNS[-11:]):
        c[name] = ages[:, k]
    return c


def _text(values: FloatArray) -> pa.Array:
    """Return numbers as the CSV writes them: ``12``, ``3.5`` (one decimal at most)."""
    return pc.cast(pa.array(np.round(values, 1)), pa.string())


def cell_table(
    dep: Departement, towns: Sequence[Town], qpv: shapely.Geometry, rng: Generator
) -> tuple[pa.Table, dict[str, NDArray[Any]]]:
    """Return the département's cells in the Filosofi 2021 layout (every value as text).

    The second item holds, per cell, ``commune`` (number in the tile), ``ind`` and the
    centre ``x``, ``y`` (EPSG:3035), for the commune populations.

    Parameters
    ----------
    dep
        The département tile.
    towns
        Its towns (density centres).
    qpv
        Union of its QPV (EPSG:3035).
    rng
        Random generator of this département.
    """
    xy, urban, inside = _pick(dep, towns, qpv, rng)
    counts = _counts(urban, inside, rng)
    imputed = counts["men"] < 11
    factor = rng.uniform(0.85, 1.15, len(xy))
    for name, values in counts.items():
        scaled = np.floor(values * factor * 10.0) / 10.0
        counts[name] = np.where(imputed, scaled, values)
    km = xy // 1000 * 1000
    km_key = km[:, 0] * 10_000_000 + km[:, 1]
    inverse = np.unique(km_key, return_inverse=True)[1]
    km_imputed = np.bincount(inverse, weights=counts["men"])[inverse] < 11
    ids = [f"CRS3035RES200mN{y}E{x}" for x, y in xy]
    kms = [f"CRS3035RES1000mN{y}E{x}" for x, y in km]
    codes = dep.commune_codes()
    index = dep.commune_index(xy[:, 0] + 100.0, xy[:, 1] + 100.0)
    columns: dict[str, pa.Array] = {
        "idcar_200m": pa.array(ids),
        "idcar_1km": pa.array(kms),
        "idcar_nat": pa.array(np.where(imputed, kms, ids).tolist()),
        "i_est_200": pa.array(np.where(imputed, "1", "0").tolist()),
        "i_est_1km": pa.array(np.where(km_imputed, "1", "0").tolist()),
        "lcog_geo": pa.array([codes[k] for k in index]),
    }
    for name in FILOSOFI_2021_COLUMNS[6:]:
        columns[name] = _text(counts[name])
    stats = {"commune": index, "ind": counts["ind"], "x": xy[:, 0] + 100.0, "y": xy[:, 1] + 100.0}
    return pa.table(columns), stats
