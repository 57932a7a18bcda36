"""Benchmark: clip a national-size Filosofi CSV while reading vs. read everything, then clip.

A synthetic ``carreaux_200m_met.csv`` (official columns, ``QUARTIERS_BENCH_ROWS`` rows,
1,000,000 by default; the real 2021 file has 2.3 M) is written once; each variant then runs
in its own process so its peak memory (max RSS) is measured alone:

- ``chunked``: :func:`quartiers.sources.filosofi.read_filosofi` with ``bbox_3035`` (Arrow
  reads 32 MiB blocks; only the cells in the box are converted and get a geometry);
- ``naive``: the obvious alternative: read the whole file into a GeoDataFrame, then clip.

Run: ``.venv/bin/python benchmarks/bench_sources.py``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quartiers.schemas import FILOSOFI_COUNTS

BBOX = (3_440_000.0, 2_670_000.0, 3_460_000.0, 2_690_000.0)  # 20 km × 20 km


def _write(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    side = int(np.ceil(np.sqrt(rows * 1.6)))
    flat = rng.choice(side * side, size=rows, replace=False)
    x = 3_400_000 + 200 * (flat % side)
    y = 2_600_000 + 200 * (flat // side)
    table = pd.DataFrame(
        {
            "idcar_200m": [f"CRS3035RES200mN{b}E{a}" for a, b in zip(x, y, strict=True)],
            "idcar_1km": "CRS3035RES1000mN2600000E3400000",
            "idcar_nat": "CRS3035RES2000mN2600000E3400000",
            "i_est_200": rng.integers(0, 2, rows),
            "i_est_1km": 0,
            "lcog_geo": "85191",
        }
    )
    for name in FILOSOFI_COUNTS:
        table[name] = np.round(rng.gamma(2.0, 5.0, rows), 1)
    table.to_csv(path, index=False)


def _variant(name: str, path: Path) -> None:
    from quartiers.sources.filosofi import read_filosofi

    start = time.perf_counter()
    if name == "chunked":
        cells = read_filosofi(path, bbox_3035=BBOX)
    else:
        everything = read_filosofi(path)
        x, y = everything["x_sw"], everything["y_sw"]
        inside = (x + 200 > BBOX[0]) & (x < BBOX[2]) & (y + 200 > BBOX[1]) & (y < BBOX[3])
        cells = everything[inside]
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cells": len(cells), "seconds": seconds, "peak_mb": peak_mb}))


def main() -> None:
    """Write the synthetic file, run both variants, print figures and ratios."""
    if len(sys.argv) == 3:
        _variant(sys.argv[1], Path(sys.argv[2]))
        return
    rows = int(os.environ.get("QUARTIERS_BENCH_ROWS", "1000000"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carreaux_200m_met.csv"
        _write(path, rows)
        size_mb = path.stat().st_size / 1e6
        print(f"fichier synthétique : {rows:,} lignes, {size_mb:.0f} Mo")
        results = {}
        for name in ("chunked", "naive"):
            out = subprocess.run(
                [sys.executable, __file__, name, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
            r = results[name]
            print(
                f"{name:8s} : {r['cells']:,} carreaux gardés, {r['seconds']:.1f} s "
                f"({rows / r['seconds']:,.0f} lignes/s), pic mémoire {r['peak_mb']:.0f} Mo"
            )
        assert results["chunked"]["cells"] == results["naive"]["cells"]
        ratio_time = results["naive"]["seconds"] / results["chunked"]["seconds"]
        print(
            f"rapport naive/chunked : temps ×{ratio_time:.2f}, "
            f"mémoire ×{results['naive']['peak_mb'] / results['chunked']['peak_mb']:.2f}"
        )


if __name__ == "__main__":
    main()
