"""Monte Carlo over the method's declared choices: how solid is each QPV's rank?

Each draw is a variant of the method: a normalisation among the declared ones, an aggregation
within and across dimensions, weights drawn uniformly within their declared ranges then
renormalised, some indicators left out, and the Filosofi values of the cells INSEE imputed
multiplied by a factor within the declared precision. A draw is a point ``u`` of the unit
hypercube (one coordinate per varying choice, see :class:`ChoiceSpace`), so the same
evaluator (:func:`quartiers.method.evaluation.evaluate`) serves the Monte Carlo
(:func:`explore`, ``u`` uniform) and the Sobol analysis (:mod:`quartiers.method.sensitivity`,
``u`` from Saltelli's design).

The territory's arrays are a :class:`~quartiers.method.problem.RankingProblem`; this module
summarises the draws per QPV (:func:`summarise`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from quartiers.method.blocks import evaluate_blocks
from quartiers.method.choices import Uncertainty
from quartiers.method.evaluation import BATCH, Outcomes, evaluate
from quartiers.method.hotspot_draws import MAX_DRAWS
from quartiers.method.problem import RankingProblem, build_problem
from quartiers.method.rank import QUINTILES
from quartiers.method.spec import Method
from quartiers.method.variants import GROUPS, ChoiceSpace, choice_space
from quartiers.parallel import SERIAL, Executor
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

#: A QPV is "robustly in the top quintile" when at least this share of draws puts it there.
ROBUST_THRESHOLD = 0.9

#: Class of the quintile of the most vulnerable residents.
TOP_CLASS = len(QUINTILES) + 1


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
    executor: Executor = SERIAL,
    keep_cells: int = MAX_DRAWS,
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
    executor
        Computes the blocks of draws (this process by default, or a Dask cluster: the
        draws are drawn here, each with its own seed, so the numbers are the same).
    keep_cells
        Keep the cells' index of the first draws (``outcomes.cells``, for the hotspots
        across draws); 0 when no hotspots are looked for (draws × cells floats: 3.7 GB
        for 200 draws of the 2.3 million cells of France).

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
        outcomes = evaluate_blocks(
            problem,
            space,
            u,
            seed=unc.seed,
            progress=progress,
            keep_cells=keep_cells,
            executor=executor,
        )
    finally:
        progress.finish()
    summary = summarise(outcomes, problem.eligible)
    if not space.size:
        summary = replace(summary, draws=unc.draws)
    return summary, outcomes, space
