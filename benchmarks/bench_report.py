"""Benchmark: diagnostic sheets of a whole territory, seconds per QPV (target < 3 s).

Times, on this machine, for every QPV of a diagnostic:

1. the content (:func:`quartiers.report.context.qpv_sheet`: tables and the figures drawn
   with matplotlib as PNG), the HTML (Jinja2) and the A4 PDF (WeasyPrint), then the
   territory synthesis, as ``quartiers report --format both`` does;
2. the obvious alternative for the figures: vector SVG images (matplotlib ``svg``, text
   kept as text) that WeasyPrint draws itself — the ratio says why the sheets embed PNG.

The diagnostic is the demo territory (built in a temporary folder, ~30 s, not timed) or
a diagnostic folder given on the command line; La Roche-sur-Yon is added when
``../shared/data`` is present. The machine is shared: the load average is printed.

Run: ``.venv/bin/python benchmarks/bench_report.py [DOSSIER ...]``.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from quartiers.diagnostic import Diagnostic, run_diagnostic
from quartiers.report import charts, maps
from quartiers.report.context import qpv_sheet
from quartiers.report.model import Chart
from quartiers.report.render import ReportOptions, html_to_pdf, render_template, write_report
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DAY = date(2026, 6, 15)


def demo_diagnostic(root: Path) -> Path:
    """Build the demo territory's diagnostic in ``root`` and return its folder."""
    from quartiers.demo.pipeline import run_demo

    return run_demo(root / "demo").out_dir


def lry_diagnostic(root: Path) -> Path | None:
    """Diagnose La Roche-sur-Yon from ``../shared/data``, or None when absent."""
    if not (SHARED / "README.md").is_file():
        return None
    settings = get_settings(workspace_dir=root / "ws", cache_dir=root / "cache", offline=True)
    inputs = load_inputs(
        "85191",
        {
            "qpv": SHARED / "qpv" / "qpv2024_4territories.geojson",
            "filosofi": SHARED / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
            "communes": SHARED / "admin" / "communes_4epci.geojson",
            "climadiag": SHARED / "climate" / "climadiag_tracc_4communes.csv",
        },
        settings=settings,
        use_workspace=False,
        skip=["osm", "lcz", "drias", "bdtopo", "bpe"],
    )
    out = root / "lry"
    run_diagnostic(inputs).write(out)
    return out


def _svg_chart(fig: Figure, *, title: str, alt: str) -> Chart:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Chart(title=title, alt=alt, data_uri=f"data:image/svg+xml;base64,{data}")


@contextmanager
def svg_figures() -> Iterator[None]:
    """Draw every figure as SVG instead of PNG while the block runs."""
    saved: list[tuple[Any, Callable[..., Chart]]] = [(m, m.to_chart) for m in (charts, maps)]
    for module, _ in saved:
        module.to_chart = _svg_chart  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in saved:
            module.to_chart = original  # type: ignore[attr-defined]


def time_sheets(diag: Diagnostic, out: Path) -> dict[str, float]:
    """Return CPU seconds of this process per step over all QPV sheets (content, HTML, PDF).

    CPU time, not wall time: on a shared machine it measures the work, not the queue.
    """
    totals = {"contenu": 0.0, "html": 0.0, "pdf": 0.0}
    for code in diag.qpv["code_qp"].astype(str):
        t0 = time.process_time()
        sheet = qpv_sheet(diag, code, generated_on=DAY)
        t1 = time.process_time()
        html = render_template("fiche.html.j2", sheet=sheet)
        t2 = time.process_time()
        html_to_pdf(html, out / f"{code}.pdf")
        t3 = time.process_time()
        totals["contenu"] += t1 - t0
        totals["html"] += t2 - t1
        totals["pdf"] += t3 - t2
    return totals


def bench(directory: Path) -> None:
    """Print the timings of one diagnostic folder."""
    diag = Diagnostic.load(directory)
    n = len(diag.qpv)
    name = (diag.run.get("territory") or {}).get("name", directory.name)
    print(f"\n== {name} : {n} QPV, {len(diag.cells)} carreaux")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        qpv_sheet(diag, str(diag.qpv["code_qp"].iloc[0]), generated_on=DAY)  # warm caches
        t0, c0 = time.perf_counter(), time.process_time()
        written = write_report(diag, out / "all", options=ReportOptions(generated_on=DAY))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"quartiers report (PDF + HTML, {n} fiches + synthèse, {len(written)} fichiers) : "
            f"{cpu:.2f} s de calcul, soit {cpu / n:.2f} s par QPV (cible < 3 s) ; "
            f"durée réelle {wall:.2f} s ({wall / n:.2f} s par QPV)"
        )
        png = time_sheets(diag, out)
        png_total = sum(png.values())
        detail = ", ".join(f"{k} {v / n:.2f} s" for k, v in png.items())
        print(f"fiche PDF seule, figures PNG : {png_total / n:.2f} s de calcul par QPV ({detail})")
        with svg_figures():
            svg = time_sheets(diag, out)
        svg_total = sum(svg.values())
        detail = ", ".join(f"{k} {v / n:.2f} s" for k, v in svg.items())
        print(f"alternative, figures SVG : {svg_total / n:.2f} s de calcul par QPV ({detail})")
        print(f"rapport SVG / PNG : × {svg_total / png_total:.2f}")


def main() -> None:
    """Run the benchmark on the given folders, or on the demo (and La Roche-sur-Yon)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help="dossiers de diagnostic")
    args = parser.parse_args()
    print(f"charge moyenne de la machine : {os.getloadavg()[0]:.1f} ({os.cpu_count()} cœurs)")
    with tempfile.TemporaryDirectory() as tmp:
        dirs = list(args.dirs)
        if not dirs:
            root = Path(tmp)
            dirs.append(demo_diagnostic(root))
            lry = lry_diagnostic(root)
            if lry is not None:
                dirs.append(lry)
        for directory in dirs:
            bench(directory)


if __name__ == "__main__":
    main()
