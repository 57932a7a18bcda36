"""Benchmark: start-up cost of the CLI, and one real diagnostic end to end.

1. CPU time (user + system) and peak memory of ``quartiers --help``, ``quartiers sources``
   and ``python -c "import quartiers"``, against ``python -c "import typer"`` — the floor of
   any typer CLI. Each command runs ``--repeat`` times in a fresh process; the median is
   printed. Target: ``quartiers --help`` ≤ 0.5 s CPU.
2. With ``../shared/data`` present: ``quartiers diagnose`` on La Roche-sur-Yon (85191; QPV,
   Filosofi 2021, communes, Climadiag; no OSM), with the uncertainty settings of the method
   in force (Monte Carlo draws, Sobol sample, hotspot permutations), wall time and CPU time.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeat 5] [--no-run]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BIN = Path(sys.executable).parent


def median_of(argv: list[str], repeat: int) -> tuple[float, float, float]:
    """Return the median CPU, wall and the peak memory of ``repeat`` runs in a fresh child."""
    code = (
        "import resource, subprocess, sys, time\n"
        "cpu = []\nwall = []\n"
        f"argv = {argv!r}\n"
        f"for _ in range({repeat}):\n"
        "    b = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    t = time.perf_counter()\n"
        "    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL)\n"
        "    wall.append(time.perf_counter() - t)\n"
        "    a = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    cpu.append(a.ru_utime - b.ru_utime + a.ru_stime - b.ru_stime)\n"
        "import statistics\n"
        "print(statistics.median(cpu), statistics.median(wall), "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    cpu, wall, peak = (float(v) for v in out.split())
    return cpu, wall, peak


def startup(repeat: int) -> None:
    """Print the start-up table."""
    python = sys.executable
    quartiers = str(BIN / "quartiers")
    cases = [
        ('python -c "import typer" (référence)', [python, "-c", "import typer"]),
        ('python -c "import quartiers"', [python, "-c", "import quartiers"]),
        ("quartiers --help", [quartiers, "--help"]),
        ("quartiers sources", [quartiers, "sources"]),
    ]
    print(f"Démarrage (médiane de {repeat} lancements, charge {os.getloadavg()[0]:.1f})")
    print(f"{'commande':42} {'CPU s':>7} {'mur s':>7} {'pic Mo':>8} {'× typer':>8}")
    floor = None
    for label, argv in cases:
        cpu, wall, peak = median_of(argv, repeat)
        floor = floor or cpu
        print(f"{label:42} {cpu:7.3f} {wall:7.3f} {peak:8.1f} {cpu / floor:8.2f}")
    print("Cible : quartiers --help ≤ 0,5 s de CPU.")


def real_run() -> None:
    """Print wall and CPU time of a real diagnostic of La Roche-sur-Yon."""
    if not SHARED.is_dir():
        print(f"Diagnostic réel non mesuré : {SHARED} absent.")
        return
    with tempfile.TemporaryDirectory() as tmp:
        argv = [
            str(BIN / "quartiers"),
            "diagnose",
            "--territory",
            "85191",
            "--out",
            f"{tmp}/out",
            "--workspace",
            f"{tmp}/espace",
            "--offline",
            "--source",
            f"qpv={SHARED / 'qpv' / 'qpv2024_4territories.geojson'}",
            "--source",
            f"filosofi={SHARED / 'filosofi' / 'filosofi2021_200m_la_roche_sur_yon_core.csv'}",
            "--source",
            f"communes={SHARED / 'admin' / 'communes_4epci.geojson'}",
            "--source",
            f"climadiag={SHARED / 'climate' / 'climadiag_tracc_4communes.csv'}",
            "--skip",
            "osm",
            "--skip",
            "lcz",
            "--skip",
            "bdtopo",
            "--skip",
            "bpe",
            "--skip",
            "drias",
        ]
        env = {**os.environ, "QUARTIERS_CACHE_DIR": f"{tmp}/cache"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(
        f"quartiers diagnose, La Roche-sur-Yon (85191, sans OSM), incertitude de la méthode : "
        f"{wall:.1f} s de mur, {cpu:.1f} s de CPU, pic {after.ru_maxrss / 1024:.0f} Mo "
        f"(charge {os.getloadavg()[0]:.1f})."
    )


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-run", action="store_true", help="Ne pas lancer le diagnostic réel.")
    args = parser.parse_args()
    startup(args.repeat)
    if not args.no_run:
        real_run()


if __name__ == "__main__":
    main()
