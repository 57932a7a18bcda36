"""Benchmark: what-ifs on the demo territory Ville-Témoin, against the plain diagnostic.

Generates the demo once (in a temporary folder), then times:

1. loading the inputs back from the files ``run.json`` names (what a workshop does once);
2. the baseline: walking access + ``run_diagnostic`` (the reference a what-if compares to);
3. a planting what-if (levers + one diagnostic rerun, access reused);
4. a cool-room what-if (levers + access recomputed + one diagnostic rerun);
5. the same planting what-if again, served from the workshop's cache;
6. the roadmap exports (DOCX, PDF).

Ratios are given against the baseline diagnostic (with the method's uncertainty analysis).
A what-if runs without it and reuses the baseline's unchanged indicator steps; the workshop
needs each simulation under 3 s. Wall and CPU time are both printed (on a loaded machine
the wall time is several times the CPU time).

Run: ``.venv/bin/python benchmarks/bench_whatif.py``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from quartiers.access import compute_access
from quartiers.actions.choices import Choice
from quartiers.actions.export import roadmap_docx, roadmap_pdf
from quartiers.actions.roadmap import build_roadmap
from quartiers.actions.workshop import Workshop, inputs_from_run
from quartiers.demo.pipeline import run_demo
from quartiers.diagnostic import run_diagnostic


def _timed(label: str, action, results: dict[str, float]):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    value = action()
    results[label] = time.perf_counter() - start
    used = time.process_time() - cpu
    print(f"{label:<45} {results[label]:8.2f} s de mur {used:8.2f} s de CPU", flush=True)
    return value


def main() -> None:
    """Print the timings and ratios."""
    print(f"charge {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        demo = run_demo(Path(tmp) / "demo")
        workshop = Workshop.open(demo.out_dir)
        code_qp = str(workshop.diagnostic.qpv["code_qp"].iloc[0])
        t: dict[str, float] = {}
        inputs = _timed("relecture des entrées", lambda: inputs_from_run(demo.diagnostic.record), t)
        access = _timed("accès à pied (référence)", lambda: compute_access(inputs), t)
        _timed("diagnostic (référence)", lambda: run_diagnostic(inputs, access=access), t)
        _timed("préparation de l'atelier (1re simulation)", workshop._prepare, t)
        trees = [Choice(action="shade_trees", amount=0.15)]
        _timed("simulation : plantation", lambda: workshop.whatif(code_qp, trees), t)
        room = [Choice(action="cool_room")]
        _timed("simulation : salle rafraîchie", lambda: workshop.whatif(code_qp, room), t)
        result = _timed(
            "simulation : plantation (cache)", lambda: workshop.whatif(code_qp, trees), t
        )
        full = workshop.complete(code_qp, trees)
        roadmap = build_roadmap(
            workshop.diagnostic, code_qp, full, catalogue=workshop.catalogue, whatif=result
        )
        _timed("feuille de route DOCX", lambda: roadmap_docx(roadmap), t)
        _timed("feuille de route PDF", lambda: roadmap_pdf(roadmap), t)
        base = t["diagnostic (référence)"]
        print(f"plantation / diagnostic : {t['simulation : plantation'] / base:.2f}")
        print(f"salle rafraîchie / diagnostic : {t['simulation : salle rafraîchie'] / base:.2f}")
        print(f"cache / diagnostic : {t['simulation : plantation (cache)'] / base:.4f}")


if __name__ == "__main__":
    main()
