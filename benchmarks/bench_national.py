"""Benchmark: ``quartiers diagnose --territory france`` on the fictitious France (issue 16).

Generates (once, cached by fingerprint) the fictitious France of ``--echelle`` with
:func:`quartiers.demo.national.generate_france`, then times one national run in stages —
reading the sources, each step the diagnostic reports (indicators, zones and overlaps,
scoring, rank intervals…), writing the output directory — and prints, per stage, the wall
time, the CPU time (all threads of the process) and the peak resident memory of the stage
(``VmHWM``, reset at each stage through ``/proc/self/clear_refs``). Without walking access
by default (``--skip osm``); with ``--osm`` the run reads the fixture's OpenStreetMap
extract of every région (one reading stage for the 13) and computes walking access région
by région (one stage; then one line per région: cells, network nodes, wall and CPU of its
part); ``--lcz`` reads the LCZ of the large towns too.

With ``--compare-access 1,2`` (and ``--osm`` implied) the inputs are read once, then walking
access alone is computed in this process (1) and on a Dask ``LocalCluster`` of N processes
started on ``--port`` and the next port (its dashboard), one région per task; the cluster
start is timed apart. Prints wall, CPU of this process, the workers' CPU (sum of the parts'),
the speed-up and whether the tables are identical.

With ``--regions`` it then runs the 13 régions one after another as separate runs
(``--territory reg:CODE`` each, same sources and options) and prints the ratio of the
national run's wall time to their sum.

``--out DIR`` keeps the output directory of the national run in ``DIR/france/resultats``
(to compare the files of two versions byte for byte); a temporary folder otherwise. After
the table, the CPU time of this process is split into user and system time; the column
« dont sys » gives each stage's system CPU time (mostly the kernel zeroing fresh memory on
this machine).

Floors of the issue on this 2-core, 24 GiB machine (without walking access): ≤ 60 s and
≤ 6 GiB.

With the uncertainty (without ``--no-uncertainty``) ``--draws N`` sets the Monte Carlo draws
(the method's 200 by default), ``--sobol N`` the Sobol base sample (the method's 1,024 by
default; 0 = none: at national size each evaluation scores 2.3 million cells) and
``--no-hotspots`` leaves the local Moran's I out.

With ``--workers N`` (a Dask ``LocalCluster`` of N processes) or ``--scheduler
tcp://HOST:PORT`` (an existing cluster) the independent parts run on Dask, as
``quartiers diagnose`` does with the same options; ``--compare-workers 1,2`` runs the
diagnostic once per worker count (0: in this process without Dask; a cluster is started
and stopped each time, its start included; Filosofi not reread) and prints the speed-up
of each against the first. CPU and peak RSS are then those of this process only (the
workers' are not counted).

Run: ``.venv/bin/python benchmarks/bench_national.py [--echelle france] [--data DIR]
[--no-uncertainty | --draws N --sobol N --no-hotspots] [--regions]
[--workers N | --scheduler ADDR | --compare-workers 1,2] [--territory reg:11 ...]
[--osm [--lcz] | --compare-access 1,2 --port 8730] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import resource
import tempfile
import time
from pathlib import Path

from quartiers.demo.national import FILES, generate_france
from quartiers.diagnostic.pipeline import diagnose
from quartiers.diagnostic.run import RobustnessOptions
from quartiers.method.spec import Method, default_method
from quartiers.settings import Settings, get_settings

Sources = dict[str, Path | list[Path]]
SKIPPED = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo", "georisques")
FLOOR_S, FLOOR_GIB = 60.0, 6.0
#: Floor of the issue with walking access and 200 Monte Carlo draws (s).
FLOOR_ALL_S = 15 * 60.0
#: The sub-steps of ``run_diagnostic``'s first step, in the order it advances its progress.
DIAGNOSTIC_STEPS = (
    "zones et recouvrements",
    "indicateurs par carreau",
    "agrégats par zone",
    "indice, rangs et couches",
    "colonnes de territoire (et robustesse sans tirages)",
)


def _hwm_kib() -> int:
    text = Path("/proc/self/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+)", text)
    return int(match.group(1)) if match else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_hwm() -> None:
    # Not on Linux, the peak is the process's peak so far.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


class Stages:
    """A :class:`quartiers.progress.Progress` that times each reported step."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float]] = []
        #: System CPU seconds of each row of ``rows`` (the kernel's share of its CPU time).
        self.system: list[float] = []
        self._label = "préparation"
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._sys = os.times().system
        self.peak_kib = 0
        self._steps: list[str] = []
        _reset_hwm()

    def cut(self, label: str) -> None:
        """Close the current stage and open ``label``."""
        hwm = _hwm_kib()
        self.peak_kib = max(self.peak_kib, hwm)
        now, cpu = time.perf_counter(), time.process_time()
        self.rows.append((self._label, now - self._wall, cpu - self._cpu, hwm / 2**20))
        system = os.times().system
        self.system.append(system - self._sys)
        self._label, self._wall, self._cpu, self._sys = label, now, cpu, system
        _reset_hwm()

    def start(self, label: str, total: float | None = None) -> None:
        """Open a new stage at each step the library reports."""
        if label.startswith("Diagnostic : zones"):
            self._steps = list(DIAGNOSTIC_STEPS)
            label = f"diagnostic · {self._steps.pop(0)}"
        else:
            self._steps = []
        self.cut(label)

    def advance(self, amount: float = 1.0) -> None:
        """Cut the diagnostic step into its sub-steps; ignore progress elsewhere."""
        if self._steps:
            self.cut(f"diagnostic · {self._steps.pop(0)}")

    def finish(self) -> None:
        """Steps end when the next one starts."""


class RegionLines(logging.Handler):
    """Keeps the per-région lines of walking access (``quartiers.access.regions``)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        logger = logging.getLogger("quartiers.access.regions")
        logger.setLevel(logging.INFO)
        logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the message."""
        self.lines.append(record.getMessage())

    def cpu(self) -> float:
        """Sum of the parts' CPU seconds in the lines kept."""
        found = (re.search(r"\(([\d.]+) s CPU", x) for x in self.lines)
        return sum(float(m.group(1)) for m in found if m)


def _merged(
    rows: list[tuple[str, float, float, float]], system: list[float]
) -> list[tuple[str, float, float, float, float]]:
    """Sum the rows of a stage label reported several times (per territory, per extract)."""
    out: dict[str, list[float]] = {}
    for (label, wall, cpu, peak), sys_s in zip(rows, system, strict=True):
        if label.startswith("Lecture : OpenStreetMap"):
            label = "Lecture : OpenStreetMap (un extrait par région)"
        acc = out.setdefault(label, [0.0, 0.0, 0.0, 0.0])
        acc[0] += wall
        acc[1] += cpu
        acc[2] = max(acc[2], peak)
        acc[3] += sys_s
    return [(k, *v) for k, v in out.items() if v[0] >= 0.05 or v[2] > 0]  # type: ignore[misc]


def offline_settings(folder: Path) -> Settings:
    """Return offline settings whose workspace and cache are in ``folder``."""
    return get_settings().model_copy(
        update={
            "offline": True,
            "workspace_dir": folder / ".espace",
            "cache_dir": folder / ".cache",
        }
    )


def run(
    territory: str | list[str], sources: Sources, out: Path, args: argparse.Namespace
) -> Stages:
    """Run one diagnostic and write it, timing each stage."""
    stages = Stages()
    settings = offline_settings(out)
    diag = diagnose(
        territory, sources=sources, skip=_skipped(args), settings=settings, method=_method(args),
        robustness=_robustness(args), progress=stages, workers=args.workers,
        scheduler=args.scheduler,
    )  # fmt: skip
    stages.cut("écriture des résultats")
    diag.write(out / "resultats")
    stages.cut("fin")
    stages.qpv = len(diag.qpv)  # type: ignore[attr-defined]
    stages.cells = len(diag.cells)  # type: ignore[attr-defined]
    return stages


def _skipped(args: argparse.Namespace) -> tuple[str, ...]:
    """Sources not read: :data:`SKIPPED` but OSM with ``--osm``, LCZ with ``--lcz``."""
    kept = {"osm"} if args.osm else set()
    kept |= {"lcz"} if args.lcz else set()
    return tuple(s for s in SKIPPED if s not in kept)


def _robustness(args: argparse.Namespace) -> RobustnessOptions:
    """Return the robustness steps the options ask for."""
    if args.no_uncertainty:
        return RobustnessOptions(uncertainty=False, hotspots=False)
    return RobustnessOptions(hotspots=not args.no_hotspots, draws=args.draws)


def _method(args: argparse.Namespace) -> Method:
    """Return the packaged method, with the Sobol base sample of ``--sobol`` when given."""
    method = default_method()
    if args.sobol is None:
        return method
    unc = method.uncertainty.model_copy(update={"sobol_samples": args.sobol})
    return method.model_copy(update={"uncertainty": unc})


def print_table(
    stages: Stages,
    before: resource.struct_rusage,
    after: resource.struct_rusage,
    regions_log: RegionLines,
) -> tuple[float, float]:
    """Print the stages' table and the user/system split; return the total wall and peak."""
    rows = _merged(stages.rows, stages.system)
    total_wall = sum(r[1] for r in rows)
    total_cpu = sum(r[2] for r in rows)
    peak = stages.peak_kib / 2**20
    print(f"\nFrance entière : {stages.cells} carreaux, {stages.qpv} QPV")  # type: ignore[attr-defined]
    print(f"{'étape':<52} {'mur (s)':>8} {'CPU (s)':>8} {'pic RSS (Gio)':>14} {'dont sys':>9}")
    for label, wall, cpu, hwm, sys_s in rows:
        print(f"{label[:52]:<52} {wall:8.1f} {cpu:8.1f} {hwm:14.2f} {sys_s:9.1f}")
    total_sys = sum(r[4] for r in rows)
    print(f"{'total':<52} {total_wall:8.1f} {total_cpu:8.1f} {peak:14.2f} {total_sys:9.1f}")
    print(f"CPU de ce processus : utilisateur {after.ru_utime - before.ru_utime:.1f} s, "
          f"système {after.ru_stime - before.ru_stime:.1f} s")  # fmt: skip
    for line in regions_log.lines:
        print(f"  {line}")
    return total_wall, peak


def main() -> None:
    """Generate (or reuse) the fixture, time the national run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--echelle", default="france", choices=["france", "france-essai"])
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "quartiers-france"
    )
    parser.add_argument("--no-uncertainty", action="store_true")
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--sobol", type=int, default=None, metavar="N")
    parser.add_argument("--no-hotspots", action="store_true")
    parser.add_argument("--regions", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--compare-workers", default=None, metavar="1,2")
    parser.add_argument("--territory", action="append", default=None)
    parser.add_argument("--osm", action="store_true")
    parser.add_argument("--lcz", action="store_true")
    parser.add_argument("--compare-access", default=None, metavar="1,2")
    parser.add_argument("--port", type=int, default=8730)
    parser.add_argument("--out", type=Path, default=None, metavar="DIR")
    args = parser.parse_args()
    args.osm = args.osm or bool(args.compare_access)
    t0 = time.perf_counter()
    fixture = generate_france(args.data / args.echelle, echelle=args.echelle)
    print(f"fixture {'réutilisée' if fixture.reused else 'générée'} en "
          f"{time.perf_counter() - t0:.1f} s : {fixture.counts}")  # fmt: skip
    sources: Sources = {k: fixture.paths[k] for k in FILES}
    sources["osm"] = fixture.osm
    territory = args.territory or "france"
    if args.compare_access:
        from national_access import compare_access

        compare_access(territory, sources, args, _skipped(args))
        return
    if args.compare_workers:
        compare_workers(territory, sources, args)
        return
    regions_log = RegionLines()
    before = resource.getrusage(resource.RUSAGE_SELF)
    with contextlib.ExitStack() as stack:
        base = args.out or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        stages = run(territory, sources, base / "france", args)
    after = resource.getrusage(resource.RUSAGE_SELF)
    total_wall, peak = print_table(stages, before, after, regions_log)
    if args.echelle != "france":
        print("(planchers du ticket : à l'échelle « france » seulement)")
    elif args.osm:
        held = "tenu" if total_wall <= FLOOR_ALL_S else "NON tenu"
        if args.no_uncertainty or (args.draws or 200) < 200:
            held = f"non vérifié : mesure sans les 200 tirages, {total_wall / 60:.1f} min"
        print(f"plancher avec accès à pied et 200 tirages : ≤ {FLOOR_ALL_S / 60:.0f} min "
              f"({held})")  # fmt: skip
    elif args.no_uncertainty:  # the floor of a run without walking access nor draws
        ok_time, ok_mem = total_wall <= FLOOR_S, peak <= FLOOR_GIB
        time_held, mem_held = ("tenu" if ok else "NON tenu" for ok in (ok_time, ok_mem))
        print(f"plancher sans accès à pied : ≤ {FLOOR_S:.0f} s ({time_held}),"
              f" ≤ {FLOOR_GIB:.0f} Gio ({mem_held})")  # fmt: skip
    if not args.regions:
        return
    from quartiers.demo.national._layout import departements
    from quartiers.demo.national.generator import SCALES

    regions = sorted({d.region for d in departements(SCALES[args.echelle])})
    walls = []
    for region in regions:
        with tempfile.TemporaryDirectory(prefix="bench-region-") as tmp:
            t = time.perf_counter()
            run(f"reg:{region}", sources, Path(tmp) / region, args)
            walls.append(time.perf_counter() - t)
            print(f"reg:{region} : {walls[-1]:.1f} s")
    print(f"{len(regions)} régions l'une après l'autre : {sum(walls):.1f} s ; France en un "
          f"diagnostic : {total_wall:.1f} s ; rapport {total_wall / sum(walls):.2f}")  # fmt: skip


def compare_workers(territory: str | list[str], sources: Sources, args: argparse.Namespace) -> None:
    """Time the diagnostic with each worker count and print the speed-ups (same inputs)."""
    from quartiers.diagnostic.pipeline import read_territories

    counts = [int(c) for c in args.compare_workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        settings = offline_settings(Path(tmp))
        names = [territory] if isinstance(territory, str) else territory
        inputs = read_territories(names, sources=sources, skip=_skipped(args), settings=settings,
                                  progress=Stages())  # fmt: skip
        walls, digests = [], []
        for n in counts:
            t = time.perf_counter()
            diag = diagnose(
                inputs, method=_method(args), robustness=_robustness(args), workers=n or None
            )
            walls.append(time.perf_counter() - t)
            diag.write(Path(tmp) / f"w{n}")
            digests.append((Path(tmp) / f"w{n}" / "qpv.csv").read_bytes())
            print(f"{_label(n)} : {walls[-1]:.1f} s, {len(diag.qpv)} QPV")
    for n, wall in zip(counts[1:], walls[1:], strict=True):
        print(f"accélération de {_label(counts[0])} à {_label(n)} : ×{walls[0] / wall:.2f}")
    print("qpv.csv identiques :", all(d == digests[0] for d in digests))


def _label(n: int) -> str:
    if n == 0:
        return "un processus (sans Dask)"
    return f"{n} worker(s) (démarrage du cluster compris)"


if __name__ == "__main__":
    main()
