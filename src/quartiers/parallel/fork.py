"""This process and forked copies of it: the parts of a small run on the cores of one machine.

:class:`ForkExecutor` cuts the parts in runs, computes the first here and each other in a
forked copy (``os.fork``, Linux), whose results come back through a pipe; a copy that fails,
dies or stays silent leaves its parts to this process. :func:`local_executor` gives one when
a core and the memory a copy needs are free.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from quartiers.cores import other_load
from quartiers.parallel.base import SERIAL, Executor
from quartiers.progress import Progress

__all__ = [
    "FORK_MEMORY_MARGIN",
    "FORK_WORKERS",
    "ForkExecutor",
    "ProgressHere",
    "available_memory",
    "local_executor",
]

R = TypeVar("R")

_LOG = logging.getLogger(__name__)

#: Most processes of a :class:`ForkExecutor` from :func:`local_executor` (this one included).
FORK_WORKERS = 2
#: A child silent this long (s) plus :data:`FORK_PATIENCE_FACTOR` times the time this process
#: took for its own items, once they are done, is stopped; its items are computed here.
FORK_PATIENCE_S = 60.0
FORK_PATIENCE_FACTOR = 4.0
#: :func:`local_executor` forks only when the system can still give this many times the memory
#: the parts are expected to add (the rest stays for the other processes and the page cache).
FORK_MEMORY_MARGIN = 1.2


class ForkExecutor:
    """Computes the parts in this process and in ``workers - 1`` forked copies of it.

    The items are cut in ``workers`` runs of consecutive items: this process computes the
    first, each child (``os.fork``: it inherits ``fn`` and ``shared`` as they are, nothing is
    sent to it) one of the others and returns its results through a pipe (pickle). A child
    that fails or dies leaves its items to this process, which computes them itself: the
    results are ``[fn(item, **shared) for item in items]`` whatever happens to the children
    (an error is raised here, by this process's own call; a child still silent well after
    this process finished its own items is stopped, see :data:`FORK_PATIENCE_S`). Starting a
    child costs the ``fork`` (milliseconds: the pages are shared until written), not the
    imports. A child is the first process the kernel stops when memory runs out (its
    ``oom_score_adj`` is the highest): its items are then computed here, and this process
    keeps what it holds.

    Parameters
    ----------
    workers
        Processes computing at once, this one included.
    """

    def __init__(self, workers: int) -> None:
        self._workers = max(1, workers)

    @property
    def workers(self) -> int:
        """Processes computing at once, this one included."""
        return self._workers

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Return ``[fn(item, **shared) for item in items]``, runs of items in child processes."""
        n = min(self._workers, len(items))
        bounds = [k * len(items) // n for k in range(n + 1)] if n else [0, 0]
        runs = [range(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
        started = time.monotonic()
        children = [_fork_run(fn, items, run, shared) for run in runs[1:]]
        try:
            results = [fn(items[i], **shared) for i in runs[0]]
            elapsed = time.monotonic() - started
            deadline = time.monotonic() + FORK_PATIENCE_S + FORK_PATIENCE_FACTOR * elapsed
            for run, child in zip(runs[1:], children, strict=True):
                part: list[R] | None = _collect(child, deadline)
                results += part if part is not None else [fn(items[i], **shared) for i in run]
        finally:
            for child in children:
                _discard(child)
        return results


class ProgressHere:
    """Progress reported by this process only, for the items of a :class:`ForkExecutor`.

    The forked copies run the same code at the same pace but say nothing (their progress
    would not reach the screen, and drawing from a copy is unsafe): each step of this process
    counts ``scale`` times (one per process), up to ``limit`` in all (``advanced``).
    """

    def __init__(self, progress: Progress, scale: float, limit: float) -> None:
        self._progress, self._scale, self._limit = progress, scale, limit
        self._pid = os.getpid()
        self.advanced = 0.0

    def start(self, label: str, total: float | None = None) -> None:
        """Begin a step (from this process only)."""
        if os.getpid() == self._pid:
            self._progress.start(label, total)

    def advance(self, amount: float = 1.0) -> None:
        """Move forward by ``scale × amount`` (from this process only, up to ``limit``)."""
        step = min(amount * self._scale, self._limit - self.advanced)
        if os.getpid() == self._pid and step > 0:
            self._progress.advance(step)
            self.advanced += step

    def finish(self) -> None:
        """End the step (from this process only)."""
        if os.getpid() == self._pid:
            self._progress.finish()


@dataclass
class _Child:
    """A forked child: its pid, the pipe its results come through, whether it was reaped."""

    pid: int
    read: int
    reaped: bool = False


def _fork_run(
    fn: Callable[..., Any], items: Sequence[Any], run: range, shared: dict[str, Any]
) -> _Child | None:
    """Fork a child computing ``items[run]`` (None when the system refuses a process)."""
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: compute, send, leave without running the parent's exit code
        code = 1
        try:
            os.close(read)
            _expendable()
            part = [fn(items[i], **shared) for i in run]
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(part, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return _Child(pid, read)


def _expendable() -> None:
    """Have the kernel stop this process first if memory runs out (Linux; else nothing)."""
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as score:
        score.write("1000")


def _collect(child: _Child | None, deadline: float) -> Any:
    """Return what a child sent, or None: not started, failed, or silent past ``deadline``."""
    if child is None:
        return None
    chunks = []
    while True:
        ready, _, _ = select.select([child.read], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:  # still computing (stuck?) past the deadline: left to this process
            return None
        chunk = os.read(child.read, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(child.pid, 0)
    child.reaped = True
    data = b"".join(chunks)
    return pickle.loads(data) if status == 0 and data else None


def _discard(child: _Child | None) -> None:
    """Close a child's pipe; stop and reap it unless it was reaped."""
    if child is None:
        return
    with contextlib.suppress(OSError):
        os.close(child.read)
    if not child.reaped:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)
        os.waitpid(child.pid, 0)
        child.reaped = True


def local_executor(need_bytes: int = 0) -> Executor:
    """Return a :class:`ForkExecutor` on the cores this process may use, else :data:`SERIAL`.

    Up to :data:`FORK_WORKERS` processes, on Linux only (``fork`` is missing on Windows and
    unsafe with macOS's system libraries), only while a core is free: the 1-minute load
    average at most the cores less one (on a busy machine the copy would only share a core
    with this process: La Roche-sur-Yon at load 2.1 on 2 cores took 5.9 s of wall time
    against 5.2 s in one process; the other processes' load: this process's own share taken out,
    :func:`quartiers.cores.other_load`), and only while the system can still give
    :data:`FORK_MEMORY_MARGIN` times ``need_bytes``, the memory the parts are expected to
    add, this process's and the copy's together (:func:`available_memory`; a copy shares
    this process's pages until either writes them). :data:`SERIAL` otherwise.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return SERIAL
    cores = len(os.sched_getaffinity(0))
    free = cores > 1 and other_load() <= cores - 1
    if free and need_bytes > 0:
        available = available_memory()
        free = available is not None and available >= FORK_MEMORY_MARGIN * need_bytes
        _LOG.debug("copie : %s octets disponibles, %s demandés", available, need_bytes)
    return ForkExecutor(min(FORK_WORKERS, cores)) if free else SERIAL


def available_memory() -> int | None:
    """Return the bytes the system can still give (``MemAvailable``, Linux), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
