"""Monte Carlo and Sobol evaluations of a small run on two processes (issue 14, point 6).

Without an executor, :func:`evaluate_blocks` hands the blocks of draws to the forked
executor when a core and the memory a copy needs (:func:`copy_bytes`) are free: the outcomes
are :func:`evaluate`'s in one process, bit for bit.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import pytest
from _territory import make_territory, problem_of, with_uncertainty

from quartiers import cores, parallel
from quartiers.method.blocks import COPY_BYTES_PER_UNIT, copy_bytes, evaluate_blocks
from quartiers.method.evaluation import batch_size, evaluate
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


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not a child any more: reaped
        return True
    return False


def _free_machine(monkeypatch: pytest.MonkeyPatch, memory: int) -> None:
    """Two cores, no load, ``memory`` bytes available; forked executors count their items."""
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(cores, "own_load", lambda: 0.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(parallel.fork, "available_memory", lambda: memory)
    monkeypatch.setattr(parallel.fork, "ForkExecutor", Counting)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork : Linux seulement")
def test_draws_on_two_processes_give_the_outcomes_of_one(
    monkeypatch: pytest.MonkeyPatch, forked: list[int]
) -> None:
    territory = make_territory(n_qpv=5, seed=2)
    problem = problem_of(territory, with_uncertainty(**FULL))
    space = choice_space(with_uncertainty(**FULL), problem)
    size = batch_size(problem.n_qpv + problem.cell_value.shape[0])
    u = np.random.default_rng(5).random((3 * size + 7, space.size))  # 4 batches, last partial
    alone = evaluate(problem, space, u, seed=3, keep_cells=size + 10)
    need = copy_bytes(problem, len(u), keep_cells=size + 10)
    Counting.items = []
    _free_machine(monkeypatch, memory=3 * need)  # this process's work arrays and the copy's
    progress = Steps()
    split = evaluate_blocks(problem, space, u, seed=3, keep_cells=size + 10, progress=progress)
    assert Counting.items == [2]  # one block of whole batches per process
    # this process reports as it goes (twice its own batches), the rest at the end
    assert len(progress.steps) > 2 and sum(progress.steps) == len(u)
    assert progress.steps[0] == 2 * size
    for name in ("index", "rank", "top", "position", "resident_share", "cells"):
        np.testing.assert_array_equal(getattr(split, name), getattr(alone, name), name)
    assert len(forked) == 1 and all(_reaped(pid) for pid in forked)  # every child reaped
    Counting.items = []
    _free_machine(monkeypatch, memory=2 * need)  # both, but not the margin: one process
    again = evaluate_blocks(problem, space, u, seed=3, keep_cells=size + 10)
    assert Counting.items == [] and len(forked) == 1
    np.testing.assert_array_equal(again.index, alone.index)


def test_memory_of_a_copy_counts_units_and_the_cells_it_keeps() -> None:
    problem = problem_of(make_territory(n_qpv=5, seed=2), with_uncertainty(**FULL))
    n_cells = problem.cell_value.shape[0]
    units = (problem.n_qpv + n_cells) * COPY_BYTES_PER_UNIT
    assert copy_bytes(problem, 200) == units
    # half of the 100 draws whose cells are kept: the copy's array, its bytes, our copy
    assert copy_bytes(problem, 200, keep_cells=100) == units + 3 * 50 * n_cells * 8
    assert copy_bytes(problem, 10, keep_cells=100) == units + 3 * 5 * n_cells * 8
