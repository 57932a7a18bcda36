"""Benchmark: Filosofi cells → indicators → QPV aggregation, against the obvious routes.

Builds a synthetic national-size grid (≈2.3 million inhabited 200 m cells clustered in
towns, ≈1,600 QPV polygons cutting cells) and times our route
(``sensitivity_indicators`` + ``overlap_matrix`` + ``aggregate_cells``) against

* the obvious geopandas route: ``geopandas.overlay`` of the cell squares with the QPV, piece
  area / cell area as share, counts × share, ``groupby`` sum, rates as ratios of sums;
* ``tobler.area_weighted.area_interpolate`` with the counts as extensive variables.

By default every route runs on the whole input; ``--subset N`` runs the obvious routes on
N random QPV and extrapolates linearly (an upper bound, said in the output). Results must
be identical: relative difference < 1e-9 on every count and rate (tobler keeps its area
table in float32, so ≈1e-7 there). Also times the demo territory when ``quartiers.demo``
is available.

Run: ``.venv/bin/python benchmarks/bench_aggregate.py [--cells N] [--qpv N] [--subset N]``.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.diagnostic.aggregate import aggregate_cells
from quartiers.indicators.sensitivity import sensitivity_indicators
from quartiers.schemas import FILOSOFI_COUNTS
from quartiers.spatial.grid import cell_boxes
from quartiers.spatial.overlaps import overlap_matrix

COUNTS = ["ind", "men", "men_pauv", "ind_65_79", "ind_80p"]


def synthetic_grid(n_cells: int, seed: int = 0) -> pd.DataFrame:
    """Return ≈n_cells distinct inhabited cells clustered in towns, with Filosofi counts."""
    rng = np.random.default_rng(seed)
    n_towns = 6000
    # town sizes: heavy-tailed, a few big cities and many villages
    sizes = rng.pareto(1.2, n_towns) + 1
    sizes = sizes / sizes.sum() * n_cells * 1.35
    cx = rng.uniform(3_300_000, 4_200_000, n_towns)
    cy = rng.uniform(2_150_000, 3_100_000, n_towns)
    per_town = np.maximum(sizes.astype(np.int64), 5)
    town = np.repeat(np.arange(n_towns), per_town)
    sigma = 200.0 * np.sqrt(per_town[town]) * 0.6
    x = cx[town] + rng.normal(0, 1, town.size) * sigma
    y = cy[town] + rng.normal(0, 1, town.size) * sigma
    ix = np.floor(x / 200).astype(np.int64)
    iy = np.floor(y / 200).astype(np.int64)
    key = np.unique((iy << 32) | ix)
    if key.size > n_cells:
        key = np.sort(rng.choice(key, n_cells, replace=False))
    iy, ix = key >> 32, key & 0xFFFFFFFF
    xy = np.column_stack([ix * 200, iy * 200]).astype(np.int64)
    m = len(xy)
    men = np.round(rng.gamma(1.2, 25.0, m), 1)
    ind = np.round(men * rng.uniform(1.5, 2.9, m), 1)
    data: dict[str, Any] = {c: np.round(men * rng.uniform(0, 0.3, m), 1) for c in FILOSOFI_COUNTS}
    data.update(
        ind=ind,
        men=men,
        men_pauv=np.round(men * rng.uniform(0, 0.5, m), 1),
        men_surf=np.round(ind * rng.uniform(20, 50, m), 1),
        ind_snv=np.round(ind * rng.uniform(12000, 30000, m), 1),
    )
    frame = pd.DataFrame(data)
    frame.insert(0, "x_sw", xy[:, 0])
    frame.insert(1, "y_sw", xy[:, 1])
    frame.insert(2, "imputed", men < 11)
    return frame


def synthetic_qpv(cells: pd.DataFrame, n_qpv: int, seed: int = 1) -> gpd.GeoDataFrame:
    """Return n_qpv irregular polygons (≈0.2–2 km²) centred on dense cells."""
    rng = np.random.default_rng(seed)
    heavy = cells["ind"].to_numpy() > np.quantile(cells["ind"], 0.9)
    centres = cells.loc[heavy, ["x_sw", "y_sw"]].to_numpy(dtype=float)
    centres = centres[rng.choice(len(centres), n_qpv, replace=False)] + rng.uniform(0, 200, 2)
    k = 48
    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    radius = rng.uniform(250, 800, (n_qpv, 1)) * rng.uniform(0.7, 1.3, (n_qpv, k))
    px = centres[:, :1] + radius * np.cos(angles)
    py = centres[:, 1:] + radius * np.sin(angles)
    coords = np.stack([px, py], axis=-1)
    polys = shapely.polygons(np.concatenate([coords, coords[:, :1]], axis=1))
    return gpd.GeoDataFrame(
        {"code_qp": [f"QN{i:06d}" for i in range(n_qpv)]}, geometry=polys, crs="EPSG:3035"
    )


def ours(cells: pd.DataFrame, qpv: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Our route; return per-QPV counts and rates and the time of each step (s)."""
    times = {}
    t = time.perf_counter()
    indicators, _ = sensitivity_indicators(cells)
    times["indicateurs par carreau"] = time.perf_counter() - t
    t = time.perf_counter()
    xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    matrix = overlap_matrix(xy, qpv.geometry)
    times["parts de recouvrement exactes"] = time.perf_counter() - t
    t = time.perf_counter()
    totals = aggregate_cells(
        matrix,
        population=cells["ind"].to_numpy(),
        households=cells["men"].to_numpy(),
        poor_households=cells["men_pauv"].to_numpy(),
        imputed=cells["imputed"].to_numpy(),
        indicators=indicators,
    )
    times["sommes et rapports par QPV"] = time.perf_counter() - t
    j65 = totals.indicator_ids.index("share_65p")
    jpov = totals.indicator_ids.index("poverty_rate")
    out = pd.DataFrame(
        {
            "ind": totals.population,
            "men": totals.households,
            "men_pauv": totals.poor_households,
            "poverty_rate": totals.values[:, jpov],
            "share_65p": totals.values[:, j65],
        },
        index=qpv["code_qp"].to_numpy(),
    )
    return out[out["ind"] > 0], times


def _finish(summed: pd.DataFrame) -> pd.DataFrame:
    summed = summed[summed["ind"] > 0].copy()
    summed["poverty_rate"] = summed["men_pauv"] / summed["men"]
    summed["share_65p"] = (summed["ind_65_79"] + summed["ind_80p"]) / summed["ind"]
    return summed[["ind", "men", "men_pauv", "poverty_rate", "share_65p"]]


def overlay_route(cells_gdf: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """The obvious geopandas route: overlay, share = piece area / cell area, groupby."""
    pieces = gpd.overlay(cells_gdf, qpv, how="intersection", keep_geom_type=True)
    share = pieces.geometry.area / 40_000.0
    weighted = pieces[COUNTS].multiply(share, axis=0)
    weighted["code_qp"] = pieces["code_qp"]
    return _finish(weighted.groupby("code_qp").sum())


def tobler_route(cells_gdf: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """tobler's area-weighted interpolation of the counts as extensive variables."""
    from tobler.area_weighted import area_interpolate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = area_interpolate(
            source_df=cells_gdf,
            target_df=qpv,
            extensive_variables=COUNTS,
            allocate_total=False,  # share = piece area / whole cell area, as ours
            n_jobs=1,
        )
    est.index = qpv["code_qp"].to_numpy()
    return _finish(pd.DataFrame(est[COUNTS]))


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def _max_rel_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    a, b = a.align(b, join="outer")
    if a.isna().any().any() or b.isna().any().any():
        return float("inf")
    return float(((a - b).abs() / b.abs().clip(lower=1e-12)).max().max())


def bench_national(n_cells: int, n_qpv: int, subset: int | None) -> None:
    print(f"Grille synthétique nationale : {n_cells:,} carreaux visés, {n_qpv:,} QPV")
    t = time.perf_counter()
    cells = synthetic_grid(n_cells)
    qpv = synthetic_qpv(cells, n_qpv)
    print(f"  générée en {time.perf_counter() - t:.1f} s : {len(cells):,} carreaux habités")
    (result, times), total = _timed(lambda: ours(cells, qpv))
    for step, seconds in times.items():
        print(f"  notre route — {step:<32} {seconds:7.3f} s")
    print(f"  notre route — total{'':<27} {total:7.3f} s  ({len(result)} QPV habités)")

    xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    cells_gdf, t_geom = _timed(
        lambda: gpd.GeoDataFrame(cells[COUNTS], geometry=cell_boxes(xy), crs="EPSG:3035")
    )
    print(
        f"  (carrés des carreaux pour les routes évidentes : {t_geom:.1f} s, non comptés : "
        "un GeoPackage Filosofi les fournit déjà)"
    )
    targets = qpv
    factor = 1.0
    if subset is not None and subset < len(qpv):
        pick = np.sort(np.random.default_rng(2).choice(len(qpv), subset, replace=False))
        targets = qpv.iloc[pick].reset_index(drop=True)
        factor = len(qpv) / len(targets)
        print(
            f"  routes évidentes sur {len(targets)} QPV tirés au hasard, temps extrapolés "
            f"×{factor:.1f} (majorant : une partie du coût ne dépend pas du nombre de QPV)"
        )
    reference = ours(cells, targets)[0]
    tolerance = {"geopandas overlay + groupby": 1e-9, "tobler area_interpolate": 1e-6}
    for name, route in (
        ("geopandas overlay + groupby", overlay_route),
        ("tobler area_interpolate", tobler_route),
    ):
        got, seconds = _timed(lambda route=route: route(cells_gdf, targets))
        est = seconds * factor
        diff = _max_rel_diff(got, reference)
        verdict = "identiques" if diff < tolerance[name] else "DIFFÉRENTS"
        print(
            f"  {name:<28} {est:7.2f} s ; rapport {est / total:5.1f}× ; résultats {verdict} "
            f"(écart relatif max {diff:.1e})"
        )
    note = "tobler stocke sa table des surfaces en float32 : écart ≈ 1e-7 attendu"
    print(f"  ({note})")
    ok = "oui" if total < 60 else "NON"
    print(f"  objectif national < 60 s sur cette machine : {ok} ({total:.2f} s)")


def bench_demo() -> None:
    try:
        from quartiers import demo
        from quartiers.sources.catalog import CATALOG
        from quartiers.sources.load import load_inputs
    except ImportError as exc:
        print(f"Territoire de démonstration : {exc.name} absent, ignoré")
        return
    import tempfile
    from pathlib import Path

    from quartiers.diagnostic import run_diagnostic
    from quartiers.settings import get_settings

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = demo.generate(root / "demo")
        known = {spec.id for spec in CATALOG}
        settings = get_settings(offline=True, cache_dir=root / "cache", workspace_dir=root / "ws")
        inputs = load_inputs(
            "200000001",
            {k: v for k, v in paths.items() if k in known},
            settings=settings,
            use_workspace=False,
        )
        cells = pd.DataFrame(inputs.cells.drop(columns="geometry"))
        qpv = inputs.qpv.to_crs("EPSG:3035")
        result, t_ours = _timed(lambda: ours(cells, qpv)[0])
        xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
        cells_gdf = gpd.GeoDataFrame(cells[COUNTS], geometry=cell_boxes(xy), crs="EPSG:3035")
        got, t_overlay = _timed(lambda: overlay_route(cells_gdf, qpv))
        _, t_full = _timed(lambda: run_diagnostic(inputs))
        print(
            f"Territoire de démonstration (fictif) : {len(cells):,} carreaux, {len(qpv)} QPV ; "
            f"notre route {t_ours * 1000:.1f} ms, overlay {t_overlay * 1000:.1f} ms "
            f"(×{t_overlay / t_ours:.1f}), écart relatif max {_max_rel_diff(got, result):.1e} ; "
            f"diagnostic complet (toutes zones, indice) {t_full:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=2_300_000)
    parser.add_argument("--qpv", type=int, default=1_600)
    parser.add_argument(
        "--subset", type=int, default=None, help="QPV pour les routes évidentes (extrapolé)"
    )
    args = parser.parse_args()
    print(f"Machine : {os.cpu_count()} cœurs")
    bench_national(args.cells, args.qpv, args.subset)
    bench_demo()


if __name__ == "__main__":
    main()
