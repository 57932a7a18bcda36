"""Global sensitivity: which group of method choices drives each QPV's place (Sobol indices).

The factors are the groups of :data:`~quartiers.method.variants.GROUPS` (normalisation,
aggregation, weights, indicators kept, imputed cells); each group gathers the coordinates of
the :class:`~quartiers.method.variants.ChoiceSpace`. Saltelli's design (scrambled Sobol
sequence, ``N × (groups + 2)`` evaluations, no second-order terms) feeds the same evaluator as
the Monte Carlo, all of it evaluated in batches (:func:`~quartiers.method.evaluation.evaluate`);
the design and the estimators are SALib's, computed with numpy (:mod:`quartiers.method.saltelli`).
The output is the QPV's *position*: the share of the territory's residents living in cells
less vulnerable than the QPV (0–1), the index made comparable across normalisations. The
first-order index of a group is the share of the position's variance it explains alone; the
total index adds its interactions with the other groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from quartiers.method.blocks import evaluate_blocks
from quartiers.method.problem import RankingProblem
from quartiers.method.saltelli import saltelli_design, sobol_estimates
from quartiers.method.variants import GROUPS, ChoiceSpace
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import NullProgress, Progress

__all__ = ["SobolResult", "sobol_indices"]

FloatArray = NDArray[np.float64]

#: Resamples of the bootstrap confidence intervals.
RESAMPLES = 100


@dataclass(frozen=True)
class SobolResult:
    """First-order and total Sobol indices per QPV (rows) and group (columns).

    Attributes
    ----------
    groups
        Group ids (keys of :data:`GROUPS`), column order.
    first, first_conf, total, total_conf
        Indices and the half-widths of their 95 % bootstrap intervals; NaN rows for QPV not
        ranked or whose position never moves.
    samples
        Base sample size N.
    evaluations
        Method variants evaluated (``N × (groups + 2)``).
    seed
        Seed of the design and of the bootstrap.
    """

    groups: tuple[str, ...]
    first: FloatArray
    first_conf: FloatArray
    total: FloatArray
    total_conf: FloatArray
    samples: int
    evaluations: int
    seed: int

    def main_driver(self) -> list[str | None]:
        """Return, per QPV, the group with the largest total index (None when undefined)."""
        out: list[str | None] = []
        for row in self.total:
            out.append(self.groups[int(np.nanargmax(row))] if np.isfinite(row).any() else None)
        return out

    def runner_up(self) -> list[str | None]:
        """Return, per QPV, the second group when its 95 % interval overlaps the first's.

        None when the first group's total index is clearly above every other (its lower
        bound above their upper bounds) or when undefined: then :meth:`main_driver` can be
        named without reserve.
        """
        out: list[str | None] = []
        for row, conf in zip(self.total, self.total_conf, strict=True):
            ok = np.flatnonzero(np.isfinite(row))
            if ok.size < 2:
                out.append(None)
                continue
            order = ok[np.argsort(-row[ok], kind="stable")]
            first, second = order[0], order[1]
            half = np.nan_to_num(conf, nan=0.0)
            overlap = row[first] - half[first] <= row[second] + half[second]
            out.append(self.groups[second] if overlap else None)
        return out

    def records(self, codes: list[str]) -> list[dict[str, object]]:
        """Return one JSON-ready row per QPV and group (for ``run.json``)."""
        rows: list[dict[str, object]] = []
        for q, code in enumerate(codes):
            for g, group in enumerate(self.groups):
                rows.append(
                    {
                        "code_qp": code,
                        "group": group,
                        "label": GROUPS[group],
                        "first_order": _num(self.first[q, g]),
                        "first_order_conf": _num(self.first_conf[q, g]),
                        "total": _num(self.total[q, g]),
                        "total_conf": _num(self.total_conf[q, g]),
                    }
                )
        return rows


def _num(x: float) -> float | None:
    return round(float(x), 6) if np.isfinite(x) else None


def sobol_indices(
    problem: RankingProblem,
    space: ChoiceSpace,
    *,
    samples: int,
    seed: int,
    progress: Progress | None = None,
    executor: Executor = SERIAL,
) -> SobolResult | None:
    """Estimate the Sobol indices of each group of choices on each ranked QPV's position.

    Parameters
    ----------
    problem
        The territory's arrays.
    space
        The varying choices (None is returned when nothing varies).
    samples
        Base sample size N (a power of two).
    seed
        Seed of the design, of the imputed-cell perturbations and of the bootstrap.
    progress
        Receives one step per evaluation.
    executor
        Computes the blocks of evaluations (:func:`~quartiers.method.blocks.evaluate_blocks`:
        the same numbers in this process or on a Dask cluster).
    """
    if not space.size or samples <= 0:
        return None
    progress = progress or NullProgress()
    groups = tuple(dict.fromkeys(space.groups))
    design = saltelli_design(space.groups, samples, seed)
    progress.start("Sensibilité : indices de Sobol des choix de méthode", total=len(design))
    try:
        outcomes = evaluate_blocks(
            problem, space, design, seed=seed, progress=progress, executor=executor
        )
    finally:
        progress.finish()
    shape = (problem.n_qpv, len(groups))
    first, first_conf, total, total_conf = (np.full(shape, np.nan) for _ in range(4))
    for q in range(problem.n_qpv):
        y = outcomes.position[:, q]
        if not problem.eligible[q] or not np.isfinite(y).all() or np.ptp(y) == 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            # SALib seeded its bootstrap only when the seed is truthy: shifted off zero.
            first[q], first_conf[q], total[q], total_conf[q] = sobol_estimates(
                y, len(groups), resamples=RESAMPLES, seed=seed + 1
            )
    return SobolResult(
        groups=groups,
        first=first,
        first_conf=first_conf,
        total=total,
        total_conf=total_conf,
        samples=samples,
        evaluations=len(design),
        seed=seed,
    )
