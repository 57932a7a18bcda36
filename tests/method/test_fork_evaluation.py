"""Monte Carlo and Sobol evaluations of a small run on two processes (issue 14, point 6).

Without an executor, :func:`evaluate_blocks` hands the blocks of draws of a run of at most
``FORK_MAX_UNITS`` units to the forked executor: the outcomes are :func:`evaluate`'s in one
process, bit for bit.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from _territory import make_territory, problem_of, with_uncertainty

from quartiers import parallel
from quartiers.method import evaluation
from quartiers.method.evaluation import batch_size, evaluate, evaluate_blocks
from quartiers.method.variants import choice_space

FULL = {
    "draws": 16,
    "seed": 3,
    "normalisations": ["percentile", "minmax"],
    "aggregations_across": ["geometric", "arithmetic"],
    "weight_range": 0.5,
}


class Counting(parallel.ForkExecutor):
    """The forked executor, counting the items it was given."""

    items: list[int] = []  # noqa: RUF012 - one list per test (reset below)

    def map(self, fn: Any, items: Any, **shared: Any) -> list[Any]:
        Counting.items.append(len(items))
        return super().map(fn, items, **shared)


class Steps:
    """Progress recording the steps this process reports."""

    def __init__(self) -> None:
        self.steps: list[float] = []

    def start(self, label: str, total: float | None = None) -> None:
        pass

    def advance(self, amount: float = 1.0) -> None:
        self.steps.append(amount)

    def finish(self) -> None:
        pass


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork absent")
def test_small_run_on_two_processes_gives_the_outcomes_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    territory = make_territory(n_qpv=5, seed=2)
    problem = problem_of(territory, with_uncertainty(**FULL))
    space = choice_space(with_uncertainty(**FULL), problem)
    size = batch_size(problem.n_qpv + problem.cell_value.shape[0])
    u = np.random.default_rng(5).random((3 * size + 7, space.size))  # 4 batches, last partial
    alone = evaluate(problem, space, u, seed=3, keep_cells=size + 10)
    Counting.items = []
    monkeypatch.setattr(evaluation, "local_executor", lambda: Counting(2))
    progress = Steps()
    forked = evaluate_blocks(problem, space, u, seed=3, keep_cells=size + 10, progress=progress)
    assert Counting.items == [4]
    # this process reports as it goes (twice its own batches), the rest at the end
    assert len(progress.steps) > 2 and sum(progress.steps) == len(u)
    assert progress.steps[0] == 2 * size
    for name in ("index", "rank", "top", "position", "resident_share", "cells"):
        np.testing.assert_array_equal(getattr(forked, name), getattr(alone, name), name)
    Counting.items = []
    monkeypatch.setattr(evaluation, "FORK_MAX_UNITS", problem.cell_value.shape[0])
    evaluate_blocks(problem, space, u, seed=3)
    assert Counting.items == []  # above the size: one process
