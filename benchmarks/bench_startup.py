"""Benchmark: start-up cost of the CLI, and one real diagnostic end to end.

1. CPU time (user + system) and peak memory of ``quartiers --help``, ``quartiers sources``
   and ``python -c "import quartiers"``, against ``python -c "import typer"`` — the floor of
   any typer CLI. Each command runs ``--repeat`` times in a fresh process; the median is
   printed. Target: ``quartiers --help`` ≤ 0.5 s CPU.
2. With ``../shared/data`` present: ``quartiers diagnose`` on La Roche-sur-Yon (85191; QPV,
   Filosofi 2021, communes, Climadiag; no OSM), with the uncertainty settings of the method
   in force (Monte Carlo draws, Sobol sample, hotspot permutations): wall time, CPU time
   (user + system), peak memory and load, ``--runs`` times. Target: ≤ 5 s of wall time.
   On a machine of several cores the same run is also timed on one core (the process
   pinned with ``sched_setaffinity``: the draws are evaluated in one process, the obvious
   alternative to the forked copy), and the ratio printed (the copy is made only while a
   core is free: on a busy machine both lines run in one process). Last, the CPU time of the main
   process and of its forked copy in one run: on a quiet machine of 2 cores the wall time
   is close to the main process's CPU time (the copy computes meanwhile), a figure that the
   load of a shared machine does not move much.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeat 5] [--runs 3] [--no-run]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def _diagnose_argv(tmp: str) -> list[str]:
    """Return the ``quartiers diagnose`` command line of La Roche-sur-Yon, outputs in ``tmp``."""
    sources = {
        "qpv": SHARED / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": SHARED / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
        "communes": SHARED / "admin" / "communes_4epci.geojson",
        "climadiag": SHARED / "climate" / "climadiag_tracc_4communes.csv",
    }
    argv = [str(BIN / "quartiers"), "diagnose", "--territory", "85191", "--offline"]
    argv += ["--out", f"{tmp}/out", "--workspace", f"{tmp}/espace"]
    argv += [a for key, path in sources.items() for a in ("--source", f"{key}={path}")]
    return argv + [a for s in ("osm", "lcz", "bdtopo", "bpe", "drias") for a in ("--skip", s)]


def _one_run(cores: set[int] | None) -> tuple[float, float, float, float]:
    """Return wall, user, system time and peak (MB) of one run (pinned to ``cores`` if set).

    The times and the peak are those of the command and of the processes it waited for
    (``wait4``): the forked copy's CPU is counted, its memory is the larger of the two.
    """
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QUARTIERS_CACHE_DIR": f"{tmp}/cache"}
        start = time.perf_counter()
        child = subprocess.Popen(
            _diagnose_argv(tmp),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"quartiers diagnose a échoué (code {child.returncode})")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024


_SPLIT = """
import resource, sys
from quartiers.cli import main
code = main({argv!r})
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print("RUSAGE", own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime, file=sys.stderr)
sys.exit(code)
"""


def _split_run() -> tuple[float, float]:
    """Return the CPU time of the main process and of its forked copies in one run."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QUARTIERS_CACHE_DIR": f"{tmp}/cache"}
        code = _SPLIT.format(argv=_diagnose_argv(tmp)[1:])
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    line = [x for x in done.stderr.splitlines() if x.startswith("RUSAGE ")][-1]
    own, kids = (float(v) for v in line.split()[1:])
    return own, kids


def real_run(runs: int) -> None:
    """Print wall and CPU time of real diagnostics of La Roche-sur-Yon."""
    if not SHARED.is_dir():
        print(f"Diagnostic réel non mesuré : {SHARED} absent.")
        return
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    cases: list[tuple[str, set[int] | None]] = [(f"{max(1, len(cores))} cœur(s)", None)]
    if len(cores) > 1:
        cases.append(("1 cœur (un seul processus)", {cores[0]}))
    print(
        "quartiers diagnose, La Roche-sur-Yon (85191, 530 carreaux, sans OSM), incertitude de "
        "la méthode (tirages Monte Carlo, échantillon de Sobol, permutations des points chauds)"
    )
    print(
        f"{'':28} {'mur s':>6} {'CPU s':>6} {'util.':>6} {'syst.':>6} {'pic Mo':>7} {'charge':>7}"
    )
    walls: dict[str, list[float]] = {label: [] for label, _ in cases}
    for _ in range(runs):
        for label, pinned in cases:
            wall, user, system, peak = _one_run(pinned)
            walls[label].append(wall)
            load = os.getloadavg()[0]
            print(
                f"{label:28} {wall:6.2f} {user + system:6.2f} {user:6.2f} {system:6.2f} "
                f"{peak:6.0f} {load:6.1f}"
            )
    medians = {label: statistics.median(w) for label, w in walls.items()}
    first = cases[0][0]
    line = f"Médiane du mur : {medians[first]:.2f} s ({first})"
    if len(cases) > 1:
        alone = medians[cases[1][0]]
        line += f", {alone:.2f} s sur 1 cœur (rapport {medians[first] / alone:.2f})"
    print(line + ". Cible : ≤ 5 s de mur.")
    own, kids = _split_run()
    if not kids:
        print(
            f"Pas de copie dans ce lancement (un seul cœur ou machine occupée : charge "
            f"{os.getloadavg()[0]:.1f}) : CPU du processus principal {own:.2f} s."
        )
        return
    print(
        f"CPU du processus principal : {own:.2f} s, de sa copie (tirages en parallèle) : "
        f"{kids:.2f} s (charge {os.getloadavg()[0]:.1f}). Sur une machine calme de 2 cœurs, le "
        "mur est proche du CPU du processus principal (la copie calcule pendant ce temps)."
    )


def main() -> None:
    """Parse the options and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1, help="Lancements du diagnostic réel.")
    parser.add_argument("--no-run", action="store_true", help="Ne pas lancer le diagnostic réel.")
    args = parser.parse_args()
    startup(args.repeat)
    if not args.no_run:
        real_run(args.runs)


if __name__ == "__main__":
    main()
