"""Benchmark: the national Filosofi CSV read straight from Arrow vs. through pandas text.

Reads the national CSV of the fictitious France (``--data DIR``, generated once as in
``bench_national.py``; 2,323,200 cells) with :func:`quartiers.sources.filosofi.read_filosofi`
twice, each in its own process so that its CPU time and peak memory are its own:

- ``arrow``: as shipped: clean blocks are converted straight from Arrow and the value rules
  checked in numpy (pandera only when one fails);
- ``pandas``: the general rules for every block (text columns in pandas, stripped, mapped
  and parsed column by column, every block checked by pandera), the reader before issue 16's
  national work.

Prints CPU, wall and peak RSS of each, their ratio, and whether both tables are equal.

Run: ``.venv/bin/python benchmarks/bench_filosofi_read.py [--data DIR]
[--bbox minx,miny,maxx,maxy]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child(mode: str, path: Path, bbox: str | None, out: Path) -> None:
    from quartiers.sources import filosofi

    if mode == "pandas":  # every block through the general rules and pandera
        stubs = {"clean_block": lambda *a: None, "_rules_hold": lambda c: False,
                 "_distinct": lambda xy: False}  # fmt: skip
        for name, stub in stubs.items():
            setattr(filosofi, name, stub)
    box = tuple(float(v) for v in bbox.split(",")) if bbox else None
    wall, cpu = time.perf_counter(), time.process_time()
    cells = filosofi.read_filosofi(path, bbox_3035=box)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cells.drop(columns="geometry").to_parquet(out / f"{mode}.parquet")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps({"cells": len(cells), "wall": wall, "cpu": cpu, "peak": peak}))


def main() -> None:
    """Read the file both ways (one process each) and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "quartiers-france"
    )
    parser.add_argument("--bbox", default=None)
    parser.add_argument("--child", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from quartiers.demo.national import generate_france

    fixture = generate_france(args.data / "france", echelle="france")
    path = fixture.paths["filosofi"]
    if args.child:
        _child(args.child, path, args.bbox, args.out)
        return
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="bench-filosofi-") as tmp:
        runs = {}
        for mode in ("arrow", "pandas"):
            cmd = [sys.executable, __file__, "--data", str(args.data), "--child", mode]
            cmd += ["--out", tmp] + (["--bbox", args.bbox] if args.bbox else [])
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs[mode] = json.loads(done.stdout.strip().splitlines()[-1])
            r = runs[mode]
            print(f"{mode:<7} {r['cells']:>9} carreaux  mur {r['wall']:6.1f} s  CPU "
                  f"{r['cpu']:6.1f} s  pic RSS {r['peak']:5.2f} Gio")  # fmt: skip
        same = pd.read_parquet(Path(tmp) / "arrow.parquet").equals(
            pd.read_parquet(Path(tmp) / "pandas.parquet")
        )
    a, p = runs["arrow"], runs["pandas"]
    ratio_cpu, ratio_peak = p["cpu"] / a["cpu"], p["peak"] / a["peak"]
    print(f"rapport pandas / arrow : CPU ×{ratio_cpu:.2f} ; pic ×{ratio_peak:.2f}")
    print("tables identiques :", same)


if __name__ == "__main__":
    main()
