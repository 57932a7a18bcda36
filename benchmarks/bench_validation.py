"""Benchmark: cost of the value rules of Filosofi cells (pandera) against plain numpy checks.

Builds N consistent synthetic Filosofi cells (the 28 counts of the 2021 layout), then times:

1. ``check_values`` with the reader's pandera schema (``filosofi.value_rules``): finite and
   non-negative counts, the 10,000-people cell bound, 23 « part ≤ whole » relations, and
   the French message machinery (nothing fails here, so no message is built);
2. the obvious alternative: the same rules hand-written as vectorised numpy comparisons;
3. the reading of the same cells from CSV by ``read_filosofi`` (which includes 1), to put
   the validation cost in proportion.

Run: ``.venv/bin/python benchmarks/bench_validation.py [--cells 200000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quartiers.schemas import FILOSOFI_COUNTS
from quartiers.sources import validation as v
from quartiers.sources.filosofi import (
    _HOUSEHOLD_PARTS,
    _PEOPLE_PARTS,
    MAX_PEOPLE_PER_CELL,
    read_filosofi,
    value_rules,
)


def synthetic_cells(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return ``n`` consistent cells: every part at most its whole."""
    people = rng.uniform(1, 800, n).round(1)
    frame = pd.DataFrame(
        {
            "idcar_200m": [
                f"CRS3035RES200mN{2_600_000 + 200 * (i // 5000)}E{3_400_000 + 200 * (i % 5000)}"
                for i in range(n)
            ]
        }
    )
    frame["ind"] = people
    frame["men"] = (people * rng.uniform(0.3, 0.6, n)).round(1)
    for name in FILOSOFI_COUNTS:
        if name in _HOUSEHOLD_PARTS:
            frame[name] = (frame["men"] * rng.uniform(0, 0.2, n)).round(1)
        elif name in _PEOPLE_PARTS and name != "men":
            frame[name] = (people * rng.uniform(0, 0.09, n)).round(1)
    frame["ind_snv"] = people * 23_000.0
    frame["men_surf"] = frame["men"] * 90.0
    return frame


def numpy_checks(frame: pd.DataFrame) -> bool:
    """The same rules as plain vectorised comparisons (no message, no per-rule report)."""
    values = frame[FILOSOFI_COUNTS].to_numpy(dtype="float64")
    ok = bool(np.isfinite(values).all() and (values >= 0).all())
    bounded = [c for c in FILOSOFI_COUNTS if c not in ("ind_snv", "men_surf")]
    ok &= bool((frame[bounded].to_numpy() <= MAX_PEOPLE_PER_CELL).all())
    for part in _HOUSEHOLD_PARTS:
        ok &= bool((frame[part] <= frame["men"] * (1 + 1e-6)).all())
    for part in _PEOPLE_PARTS:
        ok &= bool((frame[part] <= frame["ind"] * (1 + 1e-6)).all())
    ok &= not frame["idcar_200m"].duplicated().any()
    return ok


def best_of(runs: int, action: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200_000)
    args = parser.parse_args()
    frame = synthetic_cells(args.cells, np.random.default_rng(13))
    rules = value_rules()
    v.check_values(frame.head(10), rules, path="échauffement")  # pandera's first-call setup
    pandera_s = best_of(3, lambda: v.check_values(frame, rules, path="x", id_column="idcar_200m"))
    numpy_s = best_of(3, lambda: numpy_checks(frame))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "carreaux.csv"
        frame.assign(i_est_200=0, lcog_geo="85191").to_csv(path, index=False)
        read_s = best_of(1, lambda: read_filosofi(path))
    ratio, share = pandera_s / numpy_s, pandera_s / read_s
    print(f"{args.cells:,} carreaux Filosofi, 28 effectifs, 23 relations")
    print(f"  pandera (check_values) : {pandera_s:7.3f} s")
    print(f"  numpy écrit à la main  : {numpy_s:7.3f} s  (pandera / numpy = {ratio:.1f})")
    print(f"  lecture CSV complète   : {read_s:7.3f} s  (contrôle = {share:.0%} de la lecture)")


if __name__ == "__main__":
    main()
