"""Benchmark: what a diagnostic reads from its OSM extract, in one pass or in two.

For each file: the layers, walkable streets and places plus the background map's features
collected in one pass (``read_osm_layers(path, basemap=True)``, what the diagnostic does),
against two passes (``read_osm_layers`` then ``read_osm_basemap``, what it did before).
Wall and CPU time (user + system, this process and pyosmium's threads), best of
``--repeat`` runs, in this order each time.

Run: ``.venv/bin/python benchmarks/bench_osm.py [--repeat 3] [FILE…]`` (default: the OSM
extracts of ``../shared/data/osm``).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path

from quartiers.sources.osm import read_osm_layers
from quartiers.sources.osm_basemap import read_osm_basemap

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "osm"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _best(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    best: tuple[float, float] | None = None
    for _ in range(repeat):
        cpu, wall = _cpu(), time.perf_counter()
        run()
        took = (time.perf_counter() - wall, _cpu() - cpu)
        best = took if best is None or took[1] < best[1] else best
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = args.files or sorted(p for p in SHARED.glob("*") if ".osm" in p.name)
    for path in files:
        one = _best(lambda p=path: read_osm_layers(p, basemap=True), args.repeat)
        two = _best(lambda p=path: (read_osm_layers(p), read_osm_basemap(p)), args.repeat)
        print(
            f"{path.name}: one pass {one[0]:.2f} s wall, {one[1]:.2f} s CPU; "
            f"two passes {two[0]:.2f} s wall, {two[1]:.2f} s CPU"
        )


if __name__ == "__main__":
    main()
