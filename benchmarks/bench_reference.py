"""Benchmark: a national reference file against normalising on the national cells.

Draws ``--cells`` synthetic Filosofi-like cells (national grid order of magnitude: about
2.3 million inhabited 200 m cells), computes the Filosofi indicators, and measures

1. building the reference table (:func:`quartiers.diagnostic.reference_file.build_table`: weighted
   points per indicator, quantile summary above 10 001 distinct values) and its size on
   disk as Parquet, against the size of the cells as Parquet;
2. reading it and normalising ``--units`` values (a one-commune run) against it, against
   :meth:`Reference.build` on every cell then normalising (what ``reference: run`` over the
   national cells would cost, without even reading them);
3. the largest percentile error of the file against the exact weighted mid-rank (bound:
   1 / 10 001 where the summary is used), and min–max / z-score errors (exact moments).

Run: ``.venv/bin/python benchmarks/bench_reference.py [--cells 2000000] [--units 2000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quartiers.diagnostic.reference_file import build_table, read_reference, write_reference
from quartiers.indicators.sensitivity import sensitivity_indicators
from quartiers.method.normalise import Reference, normalise
from quartiers.schemas import FILOSOFI_COUNTS

IDS = ["poverty_rate", "share_65p", "share_single_person", "share_social_housing"]


def cells(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return ``n`` Filosofi-like cells (counts; some fractional, as imputed cells are)."""
    ind = np.maximum(1.0, np.round(rng.lognormal(3.5, 1.1, n)))
    men = np.maximum(1.0, np.round(ind / rng.uniform(1.6, 2.8, n)))
    frame = pd.DataFrame({c: np.floor(ind * rng.uniform(0, 0.3, n)) for c in FILOSOFI_COUNTS})
    frame["ind"], frame["men"] = ind, men
    imputed = rng.random(n) < 0.2
    for c in ("men_pauv", "men_1ind", "log_soc", "men_coll"):
        frame[c] = np.floor(men * rng.beta(1.5, 4, n))
        frame.loc[imputed, c] = men[imputed] * rng.beta(1.5, 4, int(imputed.sum()))
    xs, ys = 3_200_000 + 200 * (np.arange(n) % 4000), 2_100_000 + 200 * (np.arange(n) // 4000)
    frame["idcar_200m"] = [f"CRS3035RES200mN{y}E{x}" for x, y in zip(xs, ys, strict=True)]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=2_000_000)
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    table = cells(args.cells, rng)
    values, _ = sensitivity_indicators(table.sort_values("idcar_200m").reset_index(drop=True))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        rows = build_table(table, vintage="2021")
        path = write_reference(rows, Path(tmp) / "ref.parquet", sources=[])
        t_build = time.perf_counter() - start
        table.to_parquet(Path(tmp) / "cells.parquet")
        size_ref = path.stat().st_size / 1e6
        size_cells = (Path(tmp) / "cells.parquet").stat().st_size / 1e6
        x = np.column_stack([values[i].value for i in IDS])
        w = np.column_stack([values[i].den for i in IDS])
        units = x[rng.choice(len(x), args.units, replace=False)]
        start = time.perf_counter()
        stored = read_reference(path).reference_for(IDS, "2021")
        t_file = time.perf_counter() - start
        start = time.perf_counter()
        exact = Reference.build(x, w)
        t_cells = time.perf_counter() - start
    print(f"carreaux : {args.cells:,} ; indicateurs Filosofi : {rows['indicator'].nunique()}")
    print(
        f"construction de la référence : {t_build:.1f} s ; fichier {size_ref:.2f} Mo "
        f"(carreaux en Parquet : {size_cells:.1f} Mo, rapport {size_cells / size_ref:.0f})"
    )
    print(
        f"points gardés par indicateur : {rows.groupby('indicator').size().max():,} au plus ; "
        f"exact : {', '.join(sorted(rows.loc[rows['exact'], 'indicator'].unique())) or 'aucun'}"
    )
    print(
        f"lecture du fichier + Reference : {t_file * 1000:.0f} ms ; Reference.build sur les "
        f"carreaux : {t_cells * 1000:.0f} ms (rapport {t_cells / t_file:.1f})"
    )
    for kind in ("percentile", "minmax", "zscore"):
        spec = {"kinds": [kind] * len(IDS), "directions": np.ones(len(IDS))}
        start = time.perf_counter()
        got = normalise(units, stored, bounds=[None] * len(IDS), **spec)
        t_norm = time.perf_counter() - start
        want = normalise(units, exact, bounds=[None] * len(IDS), **spec)
        err = np.nanmax(np.abs(got - want))
        print(
            f"{kind:>10} : {args.units:,} unités en {t_norm * 1000:.1f} ms ; écart maximal "
            f"au calcul sur les carreaux {err:.2e} (borne rang centile : {1 / 10_001:.2e})"
        )


if __name__ == "__main__":
    main()
