"""Benchmark: one diagnostic over N territories against the sum of N single runs.

Builds N synthetic territories side by side on the INSEE grid (each a block of
``--side`` × ``--side`` cells of 200 m with random Filosofi-like counts, two communes, two
QPV and Climadiag-like values per commune), then times

1. N separate ``run_diagnostic`` calls (one per territory), summed;
2. one ``run_diagnostic`` on the joined inputs (:func:`quartiers.sources.multi.merge_inputs`),
   which normalises every indicator against the cells of all territories.

Both include the Monte Carlo rank intervals (``--draws``) and the Sobol analysis of the
method file; hotspots are left out (``--hotspots`` to include them). Reading the files is
not timed: a joint run reads each territory exactly as a single run does. Target: the joint
run costs no more than the sum of the single runs.

Run: ``.venv/bin/python benchmarks/bench_multiterritory.py [--territories 4] [--side 30]``.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.diagnostic import RobustnessOptions, run_diagnostic
from quartiers.schemas import FILOSOFI_COUNTS, TerritoryInputs
from quartiers.sources.multi import merge_inputs
from quartiers.spatial.grid import cell_boxes, cell_ids

X0, Y0 = 3_500_000, 2_800_000
GAP_M = 4_000  # between two territories' blocks


def territory(k: int, side: int, rng: np.random.Generator) -> TerritoryInputs:
    """Return the k-th synthetic territory (EPSG:3035), east of the previous one."""
    x0 = X0 + k * (side * 200 + GAP_M)
    gx, gy = np.meshgrid(np.arange(side) * 200 + x0, np.arange(side) * 200 + Y0)
    xy = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    m = len(xy)
    men = rng.integers(5, 150, m).astype(float)
    ind = np.round(men * rng.uniform(1.6, 2.8, m), 1)
    data: dict[str, object] = {c: np.zeros(m) for c in FILOSOFI_COUNTS}
    share = {
        "men_pauv": (0.0, 0.5),
        "men_1ind": (0.1, 0.5),
        "men_fmp": (0.0, 0.2),
        "men_coll": (0.0, 1.0),
        "log_soc": (0.0, 0.6),
        "log_45_70": (0.0, 0.5),
    }
    data.update({c: np.round(men * rng.uniform(lo, hi, m), 1) for c, (lo, hi) in share.items()})
    data.update(
        ind=ind,
        men=men,
        men_surf=np.round(ind * rng.uniform(20, 50, m), 1),
        log_av45=np.round(men * 0.1, 1),
        ind_0_3=np.round(ind * rng.uniform(0.0, 0.08, m), 1),
        ind_65_79=np.round(ind * rng.uniform(0.0, 0.2, m), 1),
        ind_80p=np.round(ind * rng.uniform(0.0, 0.1, m), 1),
        ind_snv=np.round(ind * rng.uniform(12000, 30000, m), 1),
    )
    cells = pd.DataFrame(data)
    cells.insert(0, "idcar_200m", pd.array(cell_ids(xy), dtype="string"))
    cells["imputed"] = men < 11
    width = side * 200
    codes = [f"99{2 * k + 1:03d}", f"99{2 * k + 2:03d}"]
    siren = f"2000{k:05d}"
    communes = gpd.GeoDataFrame(
        {"insee_com": codes, "nom": [f"Ville {k} Ouest", f"Ville {k} Est"]},
        geometry=[
            shapely.box(x0 - 400, Y0 - 400, x0 + width // 2, Y0 + width + 400),
            shapely.box(x0 + width // 2, Y0 - 400, x0 + width + 400, Y0 + width + 400),
        ],
        crs="EPSG:3035",
    ).assign(population=[30_000, 20_000], siren_epci=siren)
    quarter = width // 4
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": [f"QN9{k:02d}01A", f"QN9{k:02d}02B"],
            "lib_qp": ["Ouest", "Est"],
            "insee_com": codes,
            "insee_coms": codes,
            "siren_epci": siren,
        },
        geometry=[
            shapely.box(x0 + 130, Y0 + 170, x0 + quarter + 130, Y0 + width // 2),
            shapely.box(x0 + 2 * quarter + 90, Y0 + 210, x0 + 3 * quarter, Y0 + width // 2),
        ],
        crs="EPSG:3035",
    )
    climate = pd.DataFrame(
        [
            {"insee_com": c, "indicator": ind_id, "horizon": h, "value": v + j + k, "source": "t"}
            for j, c in enumerate(codes)
            for ind_id, base in (("S3", 1.0), ("S2", 2.0), ("S1", 0.5))
            for h, v in zip(("ref", "2030", "2050", "2100"), (base, 7, 11, 20), strict=True)
        ]
    ).assign(low=np.nan, high=np.nan)
    return TerritoryInputs(
        code=siren,
        name=f"Territoire {k}",
        qpv=qpv,
        cells=gpd.GeoDataFrame(cells, geometry=cell_boxes(xy), crs="EPSG:3035"),
        communes=communes,
        climate=climate,
        notes={"territory": {"bbox_3035": [x0 - 400, Y0 - 400, x0 + width + 400, Y0 + width]}},
    )


def main() -> None:
    """Time N single runs against one joint run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=4)
    parser.add_argument("--side", type=int, default=30, help="cells per side of a territory")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--hotspots", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(13)
    parts = [territory(k, args.side, rng) for k in range(args.territories)]
    options = RobustnessOptions(draws=args.draws, seed=1, hotspots=args.hotspots)

    start = time.perf_counter()
    singles = [run_diagnostic(p, horizon="2050", robustness=options) for p in parts]
    separate = time.perf_counter() - start

    start = time.perf_counter()
    joint = run_diagnostic(merge_inputs(parts), horizon="2050", robustness=options)
    together = time.perf_counter() - start

    same = np.allclose(
        joint.qpv.set_index("code_qp").loc[
            pd.concat([s.qpv for s in singles])["code_qp"], "population"
        ],
        pd.concat([s.qpv for s in singles])["population"],
    )
    cells = sum(len(s.cells) for s in singles)
    print(
        f"{args.territories} territoires, {cells} carreaux, {len(joint.qpv)} QPV, "
        f"{args.draws} tirages Monte Carlo"
    )
    print(f"somme des {args.territories} diagnostics séparés : {separate:8.2f} s")
    print(f"un diagnostic joint (une échelle)   : {together:8.2f} s")
    print(f"rapport joint / somme               : {together / separate:8.2f}")
    print(f"mêmes populations par QPV           : {'oui' if same else 'NON'}")


if __name__ == "__main__":
    main()
