"""Benchmark: Monte Carlo draws of a large territory, against the obvious alternatives (issue 16).

Runs the diagnostic of one territory of the fictitious France (``--territory reg:11`` by
default; ``france`` for all of it) up to its Monte Carlo, keeps the arrays the Monte Carlo
receives, then evaluates ``--draws`` draws three ways and prints the CPU time of each, its
ratio to the first and whether the outcomes are the same bit for bit:

- as the run does (draws of 50,000 units and more reuse the heap, long rows are placed
  without a second sort);
- without the heap kept (every large temporary mapped and faulted again, as before);
- without the long-row positions (the cells' points sorted again, as before).

The fixture is generated once and cached (:func:`quartiers.demo.national.generate_france`).

Run: ``.venv/bin/python benchmarks/bench_draws.py [--data DIR] [--territory reg:11]
[--draws 64]``. A région evaluates 16 draws per batch: the heap is reused from
the second batch on. France needs about 8 GiB (the diagnostic's data) plus 3 GiB.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import quartiers.method.uncertainty as uncertainty
from quartiers.demo.national import FILES, generate_france
from quartiers.diagnostic.pipeline import diagnose
from quartiers.diagnostic.run import RobustnessOptions
from quartiers.method import _batch, evaluation
from quartiers.settings import get_settings

SKIPPED = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo", "georisques")
FIELDS = ("index", "rank", "top", "position", "resident_share")


class _CapturedError(Exception):
    """Stops the run once the Monte Carlo's arrays are kept."""


def capture(territory: str, sources: dict[str, Path], draws: int) -> dict[str, Any]:
    """Run the diagnostic up to its Monte Carlo; return its problem, space, points and seed."""
    kept: dict[str, Any] = {}

    def keep(problem: Any, space: Any, u: Any, **kw: Any) -> Any:
        kept.update(problem=problem, space=space, u=u, seed=kw["seed"])
        raise _CapturedError

    settings = get_settings().model_copy(update={"offline": True})
    original = uncertainty.evaluate_blocks  # type: ignore[attr-defined]
    uncertainty.evaluate_blocks = keep  # type: ignore[attr-defined]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-draws-") as tmp:
            settings = settings.model_copy(
                update={"workspace_dir": Path(tmp) / "w", "cache_dir": Path(tmp) / "c"}
            )
            diagnose(
                territory, sources=sources, skip=SKIPPED, settings=settings,
                robustness=RobustnessOptions(hotspots=False, draws=draws),
            )  # fmt: skip
    except _CapturedError:
        pass
    finally:
        uncertainty.evaluate_blocks = original  # type: ignore[attr-defined]
    return kept


def timed(kept: dict[str, Any], n: int) -> tuple[float, evaluation.Outcomes]:
    """Evaluate the first ``n`` draws; return the CPU seconds and the outcomes."""
    cpu = time.process_time()
    out = evaluation.evaluate(kept["problem"], kept["space"], kept["u"][:n], seed=kept["seed"])
    return time.process_time() - cpu, out


def main() -> None:
    """Capture the territory's Monte Carlo, time the draws three ways, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(tempfile.gettempdir()) / "quartiers-france"
    )
    parser.add_argument("--territory", default="reg:11")
    parser.add_argument("--draws", type=int, default=64)
    args = parser.parse_args()
    fixture = generate_france(args.data / "france", echelle="france")
    kept = capture(args.territory, {k: fixture.paths[k] for k in FILES}, args.draws)
    p = kept["problem"]
    print(f"{args.territory} : {p.cell_value.shape[0]} carreaux, {p.n_qpv} QPV, "
          f"{args.draws} tirages (charge {os.getloadavg()[0]:.1f})")  # fmt: skip
    rows: list[tuple[str, float, bool]] = []
    timed(kept, 1)  # warm-up (imports, first pages of the heap), not counted
    base_cpu, base = timed(kept, args.draws)
    rows.append(("tel que le diagnostic", base_cpu, True))
    off: tuple[tuple[str, object, str, object], ...] = (
        ("sans garder le tas", evaluation, "KEEP_HEAP", False),
        ("sans positions des longues lignes", _batch, "LONG_ROW", 10**12),
    )
    for label, module, name, value in off:
        saved = getattr(module, name)
        setattr(module, name, value)
        try:
            cpu, out = timed(kept, args.draws)
        finally:
            setattr(module, name, saved)
        same = all(
            np.array_equal(getattr(out, f), getattr(base, f), equal_nan=True) for f in FIELDS
        )
        rows.append((label, cpu, same))
    print(f"{'variante':<36} {'CPU (s)':>8} {'par tirage':>11} {'rapport':>8}  résultats")
    for label, cpu, same in rows:
        print(f"{label:<36} {cpu:8.1f} {cpu / args.draws:11.2f} {cpu / base_cpu:8.2f}  "
              f"{'identiques' if same else 'DIFFÉRENTS'}")  # fmt: skip
    print(f"(charge en fin de mesure {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
