"""Where the independent parts of a run are computed: in this process, or on a Dask cluster.

A run has parts that do not depend on one another — the zones and overlap weights of each
région, the blocks of Monte Carlo and Sobol draws — and the steps hand them to an
:class:`Executor`. :data:`SERIAL` computes them one after another in this process (the
default: nothing imports Dask); :func:`open_executor` gives a :class:`DaskExecutor` on a
``LocalCluster`` of ``workers`` processes or on an existing cluster (``scheduler`` address,
or ``QUARTIERS_SCHEDULER``). The parts are cut the same way whatever the executor and the
number of workers, so the results are the same numbers, bit for bit (``docs/scale.md``).
:func:`local_executor` gives a :class:`ForkExecutor` (this process and forked copies of it,
Linux, several cores) for the small runs where a cluster is not worth starting.

Dask is imported only inside :func:`open_executor` when a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import re
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from quartiers.cores import other_load
from quartiers.errors import ClusterError, InputError
from quartiers.progress import Progress

__all__ = [
    "SERIAL",
    "DaskExecutor",
    "Executor",
    "ForkExecutor",
    "ProgressHere",
    "SerialExecutor",
    "local_executor",
    "open_executor",
]

R = TypeVar("R")

#: Seconds to wait for an existing scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10.0

_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+(:\d{1,5})$|^(tcp|tls)://\[[0-9a-fA-F:]+\]:\d{1,5}$")


class Executor(Protocol):
    """Runs one function over independent parts and returns the results in their order."""

    @property
    def workers(self) -> int:
        """Number of workers computing at once (1 in this process)."""
        ...

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Return ``[fn(item, **shared) for item in items]`` (``shared`` sent once per worker)."""
        ...


class SerialExecutor:
    """Computes the parts one after another in this process (no Dask)."""

    @property
    def workers(self) -> int:
        """One: this process."""
        return 1

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Return ``[fn(item, **shared) for item in items]``."""
        return [fn(item, **shared) for item in items]


#: The default executor: this process, one part after another.
SERIAL = SerialExecutor()

#: Most processes of a :class:`ForkExecutor` from :func:`local_executor` (this one included).
FORK_WORKERS = 2
#: A child silent this long (s) plus :data:`FORK_PATIENCE_FACTOR` times the time this process
#: took for its own items, once they are done, is stopped; its items are computed here.
FORK_PATIENCE_S = 60.0
FORK_PATIENCE_FACTOR = 4.0


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
    imports.

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
            part = [fn(items[i], **shared) for i in run]
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(part, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return _Child(pid, read)


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


def local_executor() -> Executor:
    """Return a :class:`ForkExecutor` on the cores this process may use, else :data:`SERIAL`.

    Up to :data:`FORK_WORKERS` processes, on Linux only (``fork`` is missing on Windows and
    unsafe with macOS's system libraries), and only while a core is free: the 1-minute load
    average of the other processes (:func:`quartiers.cores.other_load`: this one's own share
    taken out) at most the cores less one. On a busy machine the copy would only share a
    core with this process (La Roche-sur-Yon at load 2.1 on 2 cores: 5.9 s of wall time
    against 5.2 s in one process). :data:`SERIAL` otherwise.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return SERIAL
    cores = len(os.sched_getaffinity(0))
    free = cores > 1 and other_load() <= cores - 1
    return ForkExecutor(min(FORK_WORKERS, cores)) if free else SERIAL


class DaskExecutor:
    """Computes the parts as tasks of a ``dask.distributed`` client (one task per part).

    Parameters
    ----------
    client
        A connected ``distributed.Client``.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        """Workers known to the scheduler now (at least 1)."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, fn: Callable[..., R], items: Sequence[Any], **shared: Any) -> list[R]:
        """Submit ``fn(item, **shared)`` per item; ``shared`` values are scattered once."""
        if not items:
            return []
        from distributed import KilledWorker

        scattered = {
            name: self.client.scatter([value], broadcast=True, hash=False)[0]
            for name, value in shared.items()
        }
        futures = [self.client.submit(fn, item, pure=False, **scattered) for item in items]
        try:
            results: list[R] = self.client.gather(futures)
        except KilledWorker as exc:
            raise ClusterError(
                "un processus de calcul Dask s'est arrêté pendant le diagnostic (mémoire "
                f"insuffisante ?) : {exc}. Donnez plus de mémoire à chaque worker "
                "(voir docs/scale.md)."
            ) from None
        finally:
            for future in [*futures, *scattered.values()]:
                future.release()
        return results


def check_scheduler(address: str) -> str:
    """Return the scheduler address, or refuse one that is not ``tcp://HOST:PORT``."""
    text = address.strip()
    if not _ADDRESS.match(text):
        raise InputError(
            f"adresse du planificateur Dask « {address} » invalide (option --scheduler ou "
            "variable QUARTIERS_SCHEDULER) : attendu tcp://HÔTE:PORT, par exemple "
            "tcp://10.0.0.5:8786"
        )
    return text


@contextlib.contextmanager
def open_executor(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """Yield the executor of a run: this process, a ``LocalCluster``, or an existing cluster.

    Parameters
    ----------
    workers
        Start a ``LocalCluster`` of this many worker processes (one thread each, no
        dashboard, ports chosen by the system) for the run, closed after it.
    scheduler
        Address ``tcp://HOST:PORT`` of the scheduler of an existing cluster.

    Yields
    ------
    Executor
        :data:`SERIAL` when neither is given (Dask is not imported), else a
        :class:`DaskExecutor`.

    Raises
    ------
    quartiers.errors.InputError
        Both options, a worker count below 1, a malformed address.
    quartiers.errors.ClusterError
        The scheduler cannot be reached, or the local cluster cannot start.
    """
    if workers is None and not scheduler:
        yield SERIAL
        return
    if workers is not None and scheduler:
        raise InputError(
            "--workers et --scheduler s'excluent : --workers démarre un cluster Dask local, "
            "--scheduler utilise un cluster existant ; choisissez l'un des deux"
        )
    if scheduler:
        with _connected(check_scheduler(scheduler)) as client:
            yield DaskExecutor(client)
        return
    assert workers is not None
    if workers < 1:
        raise InputError(f"--workers {workers} : nombre de processus de calcul ≥ 1 attendu")
    with _local_cluster(workers) as client:
        yield DaskExecutor(client)


@contextlib.contextmanager
def _connected(address: str) -> Iterator[Any]:
    """Yield a client of the scheduler at ``address`` (French error when unreachable)."""
    import distributed

    client_of: Any = distributed.Client  # distributed's own annotations are partial
    try:
        client: Any = client_of(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"planificateur Dask injoignable à {address} (après {CONNECT_TIMEOUT_S:g} s : "
            f"{exc}). Vérifiez l'adresse (--scheduler ou QUARTIERS_SCHEDULER), que le "
            "planificateur est démarré (dask scheduler) et que le port est ouvert."
        ) from None
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def _local_cluster(workers: int) -> Iterator[Any]:
    """Yield a client of a new ``LocalCluster`` of ``workers`` processes, closed after."""
    import distributed

    client_of: Any = distributed.Client  # distributed's own annotations are partial
    cluster_of: Any = distributed.LocalCluster
    try:
        cluster = cluster_of(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            scheduler_port=0,
            silence_logs=logging.ERROR,
        )
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"impossible de démarrer le cluster Dask local : {exc}") from None
    try:
        with client_of(cluster, set_as_default=False) as client:
            yield client
    finally:
        cluster.close()
