"""A synthetic territory as arrays: cells on a 200 m grid, QPV as blocks of cells, indicators.

Built in code for the uncertainty, sensitivity and hotspot tests (no geometry needed: the
overlap matrix of a QPV made of whole cells is a 0/1 matrix).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from quartiers.indicators.base import CellIndicator, from_counts, from_values
from quartiers.method.choices import Uncertainty, check_choices
from quartiers.method.composite import compile_method
from quartiers.method.spec import Method, packaged_method
from quartiers.method.uncertainty import RankingProblem, build_problem

X0, Y0 = 3_500_000, 2_800_000

#: Indicators of the synthetic territory: (id, Filosofi count-based?).
IDS = (
    ("poverty_rate", True),
    ("share_65p", True),
    ("share_single_person", True),
    ("floor_area_per_person", True),
    ("lcz_heat", False),
    ("impervious_share", False),
    ("canopy_share", False),
    ("green_share", False),
)


@dataclass
class Territory:
    """Cells, QPV blocks and indicators."""

    xy: NDArray[np.int64]
    population: NDArray[np.float64]
    imputed: NDArray[np.bool_]
    indicators: dict[str, CellIndicator]
    matrix: sparse.csr_array
    qpv_cells: list[NDArray[np.int64]]


def make_territory(
    *,
    nx: int = 20,
    ny: int = 20,
    n_qpv: int = 6,
    block: int = 3,
    seed: int = 0,
    dominant: int | None = None,
    imputed_share: float = 0.3,
) -> Territory:
    """Return a grid territory with ``n_qpv`` QPV of ``block × block`` cells.

    With ``dominant`` set, that QPV's cells are the most vulnerable of the territory on every
    indicator by a wide margin (and observed, not imputed).
    """
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    xy = np.column_stack([X0 + 200 * gx.ravel(), Y0 + 200 * gy.ravel()]).astype(np.int64)
    n = len(xy)
    pop = rng.uniform(60, 400, n)
    men = pop / rng.uniform(1.8, 2.6, n)
    imputed = rng.uniform(size=n) < imputed_share
    # QPV: non-overlapping blocks on a coarse lattice
    starts = [
        (i, j)
        for i in range(0, nx - block + 1, block + 1)
        for j in range(0, ny - block + 1, block + 1)
    ]
    pick = rng.choice(len(starts), size=n_qpv, replace=False)
    qpv_cells = []
    for k in pick:
        i0, j0 = starts[k]
        cells = [(i0 + a) * ny + (j0 + b) for a in range(block) for b in range(block)]
        qpv_cells.append(np.asarray(cells, dtype=np.int64))
    shares = {
        "poverty_rate": rng.uniform(0.05, 0.35, n),
        "share_65p": rng.uniform(0.05, 0.25, n),
        "share_single_person": rng.uniform(0.1, 0.35, n),
        "floor_area_per_person": rng.uniform(30, 60, n),
        "lcz_heat": rng.uniform(0.5, 2.5, n),
        "impervious_share": rng.uniform(0.1, 0.4, n),
        "canopy_share": rng.uniform(0.1, 0.4, n),
        "green_share": rng.uniform(0.1, 0.4, n),
    }
    if dominant is not None:
        cells = qpv_cells[dominant]
        imputed[cells] = False
        extreme = {
            "poverty_rate": 0.9,
            "share_65p": 0.8,
            "share_single_person": 0.9,
            "floor_area_per_person": 8.0,
            "lcz_heat": 4.0,
            "impervious_share": 0.95,
            "canopy_share": 0.0,
            "green_share": 0.0,
        }
        for key, value in extreme.items():
            shares[key][cells] = value
    indicators: dict[str, CellIndicator] = {}
    for ind_id, filosofi in IDS:
        values = shares[ind_id]
        if filosofi:
            den = pop if ind_id in ("share_65p", "floor_area_per_person") else men
            indicators[ind_id] = from_counts(values * den, den)
        else:
            indicators[ind_id] = from_values(values, pop)
    rows = np.concatenate([np.full(len(c), q) for q, c in enumerate(qpv_cells)])
    cols = np.concatenate(qpv_cells)
    matrix = sparse.csr_array((np.ones(len(cols)), (rows, cols)), shape=(n_qpv, n))
    return Territory(
        xy=xy,
        population=pop,
        imputed=imputed,
        indicators=indicators,
        matrix=matrix,
        qpv_cells=qpv_cells,
    )


def with_uncertainty(method: Method | None = None, **settings: object) -> Method:
    """Return the method with its ``uncertainty`` section replaced (validated)."""
    method = method or packaged_method("v1")  # the synthetic indicators are v1's
    unc = Uncertainty.model_validate(settings)
    out = method.model_copy(update={"uncertainty": unc})
    assert check_choices(out) == []
    return out


def problem_of(territory: Territory, method: Method) -> RankingProblem:
    """Return the ranking problem of a synthetic territory under a method."""
    compiled = compile_method(method, list(territory.indicators))
    return build_problem(
        method,
        compiled,
        territory.indicators,
        cell_population=territory.population,
        imputed=territory.imputed,
        qpv_matrix=territory.matrix,
    )
