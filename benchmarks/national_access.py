"""Walking access alone on the fictitious France: one process vs a Dask LocalCluster.

Used by ``bench_national.py --compare-access 1,2``: the inputs (with every région's
OpenStreetMap extract) are read once; walking access is then computed in this process and
on a ``LocalCluster`` of N worker processes (scheduler on ``--port``, dashboard on the next
port), one région per task (:mod:`quartiers.access.regions`). The cluster start is timed
apart; the parts' CPU is summed from their log lines (it is spent in the workers).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from bench_national import RegionLines, Sources, Stages, offline_settings
from quartiers.access import walk_access
from quartiers.diagnostic.pipeline import read_territories
from quartiers.parallel import SERIAL, DaskExecutor


def _cluster(n: int, port: int) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
        scheduler_port=port, dashboard_address=f":{port + 1}",
    )  # fmt: skip
    return cluster, Client(cluster, set_as_default=False)


def compare_access(
    territory: str | list[str], sources: Sources, args: argparse.Namespace, skip: tuple[str, ...]
) -> None:
    """Print the walking access step with each worker count, and the speed-ups."""
    counts = [int(c) for c in args.compare_access.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-access-") as tmp:
        settings = offline_settings(Path(tmp))
        names = [territory] if isinstance(territory, str) else territory
        t, c = time.perf_counter(), time.process_time()
        inputs = read_territories(names, sources=sources, skip=skip, settings=settings,
                                  progress=Stages())  # fmt: skip
        print(f"lecture des sources (OSM compris) : {time.perf_counter() - t:.1f} s, "
              f"{time.process_time() - c:.1f} s CPU, {len(inputs.cells)} carreaux")  # fmt: skip
    walls, tables = [], []
    for n in counts:
        log = RegionLines()
        cluster = client = None
        if n > 1:
            t = time.perf_counter()
            cluster, client = _cluster(n, args.port)
            print(f"démarrage du cluster de {n} workers : {time.perf_counter() - t:.1f} s")
        try:
            executor = DaskExecutor(client) if client is not None else SERIAL
            t, c = time.perf_counter(), time.process_time()
            tables.append(walk_access(inputs, executor=executor).table)
            walls.append(time.perf_counter() - t)
            cpu = time.process_time() - c
        finally:
            if client is not None:
                client.close()
                cluster.close()
        logging_off(log)
        print(f"{n} processus : accès à pied {walls[-1]:.1f} s mur, {cpu:.1f} s CPU ici, "
              f"{log.cpu():.1f} s CPU dans les parties")  # fmt: skip
        for line in log.lines:
            print(f"  {line}")
    for n, wall in zip(counts, walls, strict=True):
        print(f"accélération {counts[0]} → {n} processus : ×{walls[0] / wall:.2f}")
    same = all(_equal(t, tables[0]) for t in tables)
    print("tables d'accès identiques :", same)


def logging_off(log: RegionLines) -> None:
    """Stop collecting the per-région lines in ``log``."""
    import logging

    logging.getLogger("quartiers.access.regions").removeHandler(log)


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError:
        return False
    return True
