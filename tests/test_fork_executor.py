"""The forked executor of small runs (issue 14, point 6): same results as one process.

:class:`~quartiers.parallel.ForkExecutor` computes runs of items in forked copies of this
process; whatever happens to a child, ``map`` returns what the plain loop returns.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import pytest

from quartiers import cores, parallel
from quartiers.parallel import SERIAL, ForkExecutor, local_executor

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "fork"), reason="fork : Linux seulement"
)


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not a child any more: stopped and reaped
        return True
    return False


def _square_and_pid(item: int, *, offset: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


@linux_only
def test_items_are_computed_in_a_child_in_their_order() -> None:
    items = list(range(7))
    out = ForkExecutor(2).map(_square_and_pid, items, offset=3)
    assert [v for v, _ in out] == [i * i + 3 for i in items]
    pids = [pid for _, pid in out]
    assert pids[:3] == [os.getpid()] * 3  # the first run here,
    assert len(set(pids[3:])) == 1 and pids[3] != os.getpid()  # the second in one child


@linux_only
def test_three_workers_and_fewer_items_than_workers() -> None:
    out = ForkExecutor(3).map(_square_and_pid, list(range(8)), offset=0)
    assert [v for v, _ in out] == [i * i for i in range(8)]
    assert len({pid for _, pid in out}) == 3
    assert ForkExecutor(4).map(_square_and_pid, [5], offset=1) == [(26, os.getpid())]
    assert ForkExecutor(2).map(_square_and_pid, [], offset=1) == []


def _dies_in_a_child(item: int, *, parent: int) -> tuple[int, int]:
    if os.getpid() != parent:
        os._exit(3)  # a worker killed (memory, signal…) before sending anything
    return item + 1, os.getpid()


@linux_only
def test_a_child_that_dies_leaves_its_items_to_this_process() -> None:
    out = ForkExecutor(2).map(_dies_in_a_child, list(range(6)), parent=os.getpid())
    assert out == [(i + 1, os.getpid()) for i in range(6)]


def _hangs_in_a_child(item: int, *, parent: int) -> tuple[int, int]:
    if os.getpid() != parent:
        time.sleep(3600)  # a worker stuck (deadlock, swap…)
    return item + 1, os.getpid()


@linux_only
def test_a_silent_child_is_stopped_and_its_items_computed_here(
    monkeypatch: pytest.MonkeyPatch, forked: list[int]
) -> None:
    monkeypatch.setattr(parallel.fork, "FORK_PATIENCE_S", 0.5)
    start = time.monotonic()
    out = ForkExecutor(2).map(_hangs_in_a_child, list(range(4)), parent=os.getpid())
    assert out == [(i + 1, os.getpid()) for i in range(4)]
    assert time.monotonic() - start < 30
    assert len(forked) == 1 and _reaped(forked[0])  # the child was stopped and reaped


class RefusedError(Exception):
    pass


def _refuses(item: int, *, bad: int) -> int:
    if item == bad:
        raise RefusedError(item)
    return item


@linux_only
@pytest.mark.parametrize("bad", [1, 4])  # in this process's run, in the child's
def test_an_error_is_raised_here_and_no_child_is_left(bad: int, forked: list[int]) -> None:
    with pytest.raises(RefusedError):
        ForkExecutor(2).map(_refuses, list(range(6)), bad=bad)
    assert len(forked) == 1 and all(_reaped(pid) for pid in forked)  # every child reaped


@linux_only
def test_local_executor_forks_when_a_core_is_free_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "own_load", lambda: 0.0)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert local_executor() is SERIAL
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)))
    executor: Any = local_executor()
    assert isinstance(executor, ForkExecutor) and executor.workers == parallel.FORK_WORKERS
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert isinstance(local_executor(), ForkExecutor)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.6, 0.2, 0.2))  # no core free
    assert local_executor() is SERIAL
    monkeypatch.setattr(cores, "own_load", lambda: 0.9)  # most of that load is this process
    assert isinstance(local_executor(), ForkExecutor)
    monkeypatch.setattr(cores, "own_load", lambda: 0.0)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(parallel.fork.sys, "platform", "darwin")
    assert local_executor() is SERIAL


def _oom_score(item: int) -> tuple[int, str]:
    with open("/proc/self/oom_score_adj", encoding="ascii") as score:
        return os.getpid(), score.read().strip()


@linux_only
def test_a_child_is_stopped_first_when_memory_runs_out() -> None:
    (here, ours), (child, theirs) = ForkExecutor(2).map(_oom_score, [0, 1])
    assert here == os.getpid() and child != here
    assert theirs == "1000" and ours != "1000"


@linux_only
def test_local_executor_forks_only_when_the_copy_fits_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    need = 4 << 30
    available = math.ceil(need * parallel.FORK_MEMORY_MARGIN)
    monkeypatch.setattr(parallel.fork, "available_memory", lambda: available)
    assert isinstance(local_executor(need), ForkExecutor)
    monkeypatch.setattr(parallel.fork, "available_memory", lambda: available - 1)
    assert local_executor(need) is SERIAL
    assert isinstance(local_executor(), ForkExecutor)  # nothing asked: memory not looked at
    monkeypatch.setattr(parallel.fork, "available_memory", lambda: None)  # unknown
    assert local_executor(need) is SERIAL


def test_available_memory_is_read_from_the_system() -> None:
    available = parallel.available_memory()
    if sys.platform.startswith("linux"):
        assert available is not None and available > 0
    else:
        assert available is None


@linux_only
def test_own_load_is_this_process_share_of_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    # the CPU time this process used, set (measuring it raced with the machine's other work)
    monkeypatch.setattr(cores.time, "process_time", lambda: 0.0)
    assert cores.own_load() == 0.0  # idle all its life
    monkeypatch.setattr(cores.time, "process_time", lambda: 1e9)
    busy = cores.own_load()  # computing all its life: one core, weighted by the last minute
    assert 0.0 < busy <= 1.0
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert cores.other_load() == pytest.approx(1.5 - busy, abs=1e-3)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert cores.other_load() == 0.0  # never below zero
