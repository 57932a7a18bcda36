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

from quartiers.parallel.base import SERIAL, Executor, SerialExecutor
from quartiers.parallel.cluster import (
    CONNECT_TIMEOUT_S,
    DaskExecutor,
    check_scheduler,
    open_executor,
)
from quartiers.parallel.fork import (
    FORK_MEMORY_MARGIN,
    FORK_WORKERS,
    ForkExecutor,
    ProgressHere,
    available_memory,
    local_executor,
)

__all__ = [
    "CONNECT_TIMEOUT_S",
    "FORK_MEMORY_MARGIN",
    "FORK_WORKERS",
    "SERIAL",
    "DaskExecutor",
    "Executor",
    "ForkExecutor",
    "ProgressHere",
    "SerialExecutor",
    "available_memory",
    "check_scheduler",
    "local_executor",
    "open_executor",
]
