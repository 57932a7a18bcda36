"""Ranks of the QPV under method v1 and method v2 (default), on the demo and La Roche-sur-Yon.

The closing note of issue 22 quotes this table. The demo is generated with the default seed
and diagnosed with its places file (as ``quartiers demo``); La Roche-sur-Yon (85191) is read
from ``../shared/data`` as in the golden outputs (QPV, Filosofi 2021, communes, Climadiag; no
OSM, LCZ, BD TOPO, BPE). Both methods use their own uncertainty settings (draws, Sobol N).
Prints one Markdown table per territory.

Run: ``.venv/bin/python benchmarks/ranks_v1_v2.py [--draws N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from quartiers.demo.generator import DEFAULT_SEED, generate
from quartiers.demo.pipeline import DEMO_TERRITORY
from quartiers.diagnostic.pipeline import diagnose
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
METHODS = ("v1", None)  # None: the packaged default (v2)


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _interval(row: pd.Series, low: str, high: str, digits: int = 0) -> str:
    if pd.isna(row.get(low)) or pd.isna(row.get(high)):
        return "—"
    return f"[{row[low]:.{digits}f} ; {row[high]:.{digits}f}]"


def _columns(qpv: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per QPV with the figures the table shows."""
    out = pd.DataFrame({"code_qp": qpv["code_qp"], "lib_qp": qpv["lib_qp"]})
    out["status"] = qpv["status"]
    out["index"] = qpv["index"].map(_fmt)
    out["rank"] = qpv["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r)))
    out["interval"] = qpv.apply(lambda r: _interval(r, "rank_low", "rank_high"), axis=1)
    out["p_top"] = qpv["p_top_quintile"].map(lambda v: _fmt(v, 2))
    if "share_residents_top_quintile_cells" in qpv:
        share = qpv["share_residents_top_quintile_cells"]
        out["top_cells"] = [
            "—" if pd.isna(v) else f"{v:.2f} " + _interval(r, low, high, 2)
            for v, (_, r) in zip(share, qpv.iterrows(), strict=True)
            for low, high in [
                (
                    "share_residents_top_quintile_cells_low",
                    "share_residents_top_quintile_cells_high",
                )
            ]
        ]
    else:
        out["top_cells"] = "—"
    return out.set_index("code_qp")


def _table(name: str, runs: dict[str, pd.DataFrame]) -> str:
    v1, v2 = _columns(runs["v1"]), _columns(runs["v2"])
    lines = [
        f"### {name}",
        "",
        "| QPV | v1 indice | v1 rang [int.] | v1 p(quintile) | v2 statut | v2 indice "
        "| v2 rang [int.] | v2 p(quintile) "
        "| v2 part des habitants en carreaux du quintile [int.] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code in v1.index:
        a, b = v1.loc[code], v2.loc[code]
        lines.append(
            f"| {code} {a['lib_qp']} | {a['index']} | {a['rank']} {a['interval']} | {a['p_top']} "
            f"| {b['status']} | {b['index']} | {b['rank']} {b['interval']} | {b['p_top']} "
            f"| {b['top_cells']} |"
        )
    dims = (
        runs["v2"]["index_dimensions"].dropna().unique() if "index_dimensions" in runs["v2"] else []
    )
    lines += ["", f"Dimensions de l'indice v2 : {', '.join(map(str, dims)) or '—'}"]
    return "\n".join(lines)


def _run(
    inputs: TerritoryInputs, places: Path | None, draws: int | None
) -> dict[str, pd.DataFrame]:
    runs: dict[str, pd.DataFrame] = {}
    for method in METHODS:
        start = time.process_time()
        robustness = RobustnessOptions(draws=draws) if draws else None
        diag = diagnose(inputs, method=method, places=places, robustness=robustness)
        runs[method or "v2"] = pd.DataFrame(diag.qpv.drop(columns="geometry"))
        print(f"  {method or 'v2'} : {time.process_time() - start:.1f} s CPU", file=sys.stderr)
    return runs


def main() -> int:
    """Print the v1 / v2 rank tables of the demo and La Roche-sur-Yon."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=None, help="tirages Monte Carlo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        settings = get_settings(
            offline=True, workspace_dir=base / ".espace", cache_dir=base / ".espace" / "cache"
        )
        paths = generate(base / "demo", seed=DEFAULT_SEED)
        sources = {k: p for k, p in paths.items() if k != "places"}
        demo = load_inputs(DEMO_TERRITORY, sources, settings=settings, use_workspace=False)
        print("Ville-Témoin (démo)", file=sys.stderr)
        print(_table("Ville-Témoin (démo, fictif)", _run(demo, paths["places"], args.draws)))
        if not (SHARED / "README.md").is_file():
            print(f"\n{SHARED} absent : La Roche-sur-Yon non calculée")
            return 0
        lry_sources = {
            "qpv": SHARED / "qpv" / "qpv2024_4territories.geojson",
            "filosofi": SHARED / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
            "communes": SHARED / "admin" / "communes_4epci.geojson",
            "climadiag": SHARED / "climate" / "climadiag_tracc_4communes.csv",
        }
        lry = load_inputs(
            "85191",
            lry_sources,
            settings=settings,
            use_workspace=False,
            skip=["bpe", "osm", "lcz", "drias", "bdtopo"],
        )
        print("La Roche-sur-Yon", file=sys.stderr)
        print()
        print(_table("La Roche-sur-Yon (85191, sans OSM ni LCZ)", _run(lry, None, args.draws)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
