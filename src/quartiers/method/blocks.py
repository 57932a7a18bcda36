"""Blocks of draws evaluated on several processes: this one and a forked copy, or Dask.

:func:`evaluate_blocks` cuts the draws in blocks of whole batches
(:func:`~quartiers.method.evaluation.batch_size`) and hands them to an executor
(:mod:`quartiers.parallel`). Every draw carries its own seed, so the outcomes are
:func:`~quartiers.method.evaluation.evaluate`'s bit for bit whoever computes each block.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from quartiers.method.evaluation import Outcomes, batch_size, evaluate
from quartiers.method.problem import RankingProblem
from quartiers.method.variants import ChoiceSpace
from quartiers.parallel import SERIAL, Executor, ForkExecutor, ProgressHere, local_executor
from quartiers.progress import NullProgress, Progress

__all__ = ["COPY_BYTES_PER_UNIT", "copy_bytes", "evaluate_blocks"]

FloatArray = NDArray[np.float64]

#: Memory a forked copy evaluating draws needs of its own per stacked unit (cells and QPV),
#: in bytes: its engine's cached columns and terms and one batch's work arrays. Measured on
#: the fictitious France with OpenStreetMap (2.3 million cells): the 200 draws in one process
#: raised its resident memory by 4.1 GiB, 1.9 kB per unit. ``local_executor`` forks only
#: when the system can give this much with its margin.
COPY_BYTES_PER_UNIT = 2_000


def evaluate_blocks(
    problem: RankingProblem,
    space: ChoiceSpace,
    u: FloatArray,
    *,
    seed: int,
    executor: Executor = SERIAL,
    progress: Progress | None = None,
    keep_cells: int = 0,
) -> Outcomes:
    """Return :func:`evaluate` of the draws ``u``, blocks of draws computed by ``executor``.

    A block is a run of whole batches (:func:`batch_size`) and every draw carries its own
    seed (its row of ``u`` and its perturbation key with ``seed``), so each batch holds the
    same draws and gives the same numbers whichever worker evaluates it and however many
    workers there are: the outcomes equal :func:`evaluate`'s bit for bit. Given
    :data:`quartiers.parallel.SERIAL`, the draws go to
    :func:`~quartiers.parallel.local_executor` (this process and a forked copy of it on two
    cores, one block each) when a core and the copy's memory (:func:`copy_bytes`) are free;
    otherwise it is :func:`evaluate` itself.
    """
    progress = progress or NullProgress()
    u = np.asarray(u, dtype="float64")
    u = u.reshape(1, -1) if u.ndim == 1 else u
    m, n_units = u.shape[0], problem.n_qpv + problem.cell_value.shape[0]
    size = batch_size(n_units)
    batches = -(-m // size)
    if executor is SERIAL:
        # after the fork both build their work arrays: this process's and the copy's
        executor = local_executor(2 * copy_bytes(problem, m, keep_cells))
    if executor.workers <= 1 or batches <= 1:
        return evaluate(problem, space, u, seed=seed, progress=progress, keep_cells=keep_cells)
    # of whole batches, as even as can be: one per forked process (each block builds its own
    # engine), two per Dask worker (a worker that finishes early takes the next)
    per_worker = 1 if isinstance(executor, ForkExecutor) else 2
    n_blocks = min(batches, per_worker * executor.workers)
    starts = [b * batches // n_blocks * size for b in range(n_blocks)]
    blocks = [(a, u[a:b], keep_cells) for a, b in zip(starts, [*starts[1:], m], strict=True)]
    # forked copies: this process reports for all; a cluster's blocks report when all are done
    here = (
        ProgressHere(progress, executor.workers, m) if isinstance(executor, ForkExecutor) else None
    )
    shared = {"progress": here} if here else {}
    parts = executor.map(_evaluate_block, blocks, problem=problem, space=space, seed=seed, **shared)
    progress.advance(float(m) - (here.advanced if here else 0.0))
    cells = [p.cells for p in parts if p.cells is not None and p.cells.shape[0]]
    return Outcomes(
        index=np.vstack([p.index for p in parts]),
        rank=np.vstack([p.rank for p in parts]),
        top=np.vstack([p.top for p in parts]),
        position=np.vstack([p.position for p in parts]),
        resident_share=np.vstack([p.resident_share for p in parts]),
        cells=np.vstack(cells) if cells else None,
    )


def copy_bytes(problem: RankingProblem, draws: int, keep_cells: int = 0) -> int:
    """Return the memory a forked copy evaluating half of ``draws`` needs of its own (bytes).

    :data:`COPY_BYTES_PER_UNIT` per stacked unit, and for the cells' index kept of its draws
    (``keep_cells``) three copies of them: its array, the bytes it sends, this process's copy.
    """
    n_cells = int(problem.cell_value.shape[0])
    kept = min(keep_cells, draws) // 2 * n_cells * 8
    return (int(problem.n_qpv) + n_cells) * COPY_BYTES_PER_UNIT + 3 * kept


def _evaluate_block(
    block: tuple[int, FloatArray, int],
    *,
    problem: RankingProblem,
    space: ChoiceSpace,
    seed: int,
    progress: Progress | None = None,
) -> Outcomes:
    """Evaluate one block of draws (first draw ``start``), keeping the cells asked for."""
    start, u, keep_cells = block
    keep = max(0, keep_cells - start)
    return evaluate(problem, space, u, seed=seed, progress=progress, keep_cells=keep)
