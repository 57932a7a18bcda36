"""A Dask cluster: a ``LocalCluster`` started for the run, or an existing scheduler.

Dask is imported only inside :func:`open_executor` when a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from quartiers.errors import ClusterError, InputError
from quartiers.parallel.base import SERIAL

__all__ = ["CONNECT_TIMEOUT_S", "DaskExecutor", "check_scheduler", "open_executor"]

R = TypeVar("R")

#: Seconds to wait for an existing scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10.0

_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+(:\d{1,5})$|^(tcp|tls)://\[[0-9a-fA-F:]+\]:\d{1,5}$")


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
