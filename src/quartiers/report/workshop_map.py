"""The large-format workshop map of a QPV (A0 or A1, landscape PDF) for a workshop table.

One page per QPV: the offline background (streets, water, green areas, buildings, names),
the 200 m cells coloured by the index with the web map's classes (light enough to write on),
the QPV's perimeter, the resource places when the diagnostic has them, and a lettered grid
(columns A, B, C…, rows 1, 2, 3…) so that participants name a square (« en C4 ») on their
post-its. A side panel gives the legend, the scale, the sources and blank lines for notes.
Drawn with matplotlib in EPSG:3035 metres (no tiles, no network); the PDF keeps the vectors.
"""

from __future__ import annotations

import itertools
import math
import string
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from quartiers.diagnostic import Diagnostic
from quartiers.errors import InputError
from quartiers.outputs.formatting import format_number
from quartiers.report._basemap_plot import (
    basemap_note,
    draw_background,
    draw_foreground,
    settle_names,
)
from quartiers.report._plot import NO_DATA
from quartiers.report.maps import index_classes
from quartiers.sources.places import CATEGORY_LABELS

if TYPE_CHECKING:
    from quartiers.progress import Progress

__all__ = ["PAPERS", "workshop_map_figure", "write_workshop_maps"]

#: Paper sizes (landscape width, height in millimetres).
PAPERS = {"a0": (1189.0, 841.0), "a1": (841.0, 594.0)}
_MM = 1 / 25.4
# Map frame: left part of the sheet; the right column holds legend and notes.
_MAP_RECT = (0.025, 0.04, 0.72, 0.86)
_GRID_STEPS_M = (100.0, 200.0, 250.0, 500.0, 1000.0)
_PLACE_COLOURS = {
    "cool_outdoor": "#18753c",
    "cool_indoor": "#0063cb",
    "care": "#ce0500",
    "information": "#6a6af4",
    "drinking_water": "#00a3e0",
}


def _extent(qpv: gpd.GeoDataFrame, aspect: float) -> tuple[float, float, float, float]:
    """Return the QPV's box with a margin, widened to the frame's ``aspect`` (w / h)."""
    x0, y0, x1, y1 = (float(v) for v in qpv.total_bounds)
    pad = max(0.15 * max(x1 - x0, y1 - y0), 250.0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    width, height = x1 - x0, y1 - y0
    if width / height < aspect:
        extra = (height * aspect - width) / 2
        return (x0 - extra, y0, x1 + extra, y1)
    extra = (width / aspect - height) / 2
    return (x0, y0 - extra, x1, y1 + extra)


def _grid_step(width_m: float) -> float:
    """Return the grid step giving 8 to 16 columns (the closest to 12 otherwise)."""
    return min(_GRID_STEPS_M, key=lambda s: abs(width_m / s - 12))


def _column_name(k: int) -> str:
    letters = string.ascii_uppercase
    return letters[k] if k < 26 else letters[k // 26 - 1] + letters[k % 26]


def _draw_grid(ax: Axes, bounds: tuple[float, float, float, float], fontsize: float) -> float:
    """Draw the lettered annotation grid over the map; return its step in metres."""
    x0, y0, x1, y1 = bounds
    step = _grid_step(x1 - x0)
    xs = np.arange(math.floor(x0 / step) * step, x1 + step, step)
    ys = np.arange(math.ceil(y1 / step) * step, y0 - step, -step)  # rows from the top
    for x in xs:
        ax.axvline(x, color="#3a3a3a", linewidth=0.6, alpha=0.55, zorder=4)
    for y in ys:
        ax.axhline(y, color="#3a3a3a", linewidth=0.6, alpha=0.55, zorder=4)
    label: dict[str, Any] = {
        "fontsize": fontsize,
        "fontweight": "bold",
        "color": "#161616",
        "clip_on": False,
    }
    for k, (a, b) in enumerate(itertools.pairwise(xs)):
        centre = (max(a, x0) + min(b, x1)) / 2
        if x0 < centre < x1:
            for y, va in ((y1, "bottom"), (y0, "top")):
                ax.text(centre, y, _column_name(k), ha="center", va=va, **label)
    for k, (a, b) in enumerate(itertools.pairwise(ys)):
        centre = (min(a, y1) + max(b, y0)) / 2
        if y0 < centre < y1:
            for x, ha in ((x0, "right"), (x1, "left")):
                ax.text(x, centre, f" {k + 1} ", ha=ha, va="center", **label)
    return step


def _places(directory: Path | None, crs: object) -> gpd.GeoDataFrame | None:
    path = None if directory is None else Path(directory) / "places.parquet"
    if path is None or not path.is_file():
        return None
    layer = gpd.read_parquet(path)
    if layer.empty or layer.crs is None or "category" not in layer.columns:
        return None
    return layer.to_crs(crs)


def _draw_places(
    ax: Axes, places: gpd.GeoDataFrame | None, bounds: tuple[float, float, float, float]
) -> list[Patch | Line2D]:
    if places is None:
        return []
    x0, y0, x1, y1 = bounds
    shown = places.cx[x0:x1, y0:y1]
    handles: list[Patch | Line2D] = []
    for category, colour in _PLACE_COLOURS.items():
        part = shown[shown["category"].astype(str) == category]
        if len(part):
            part.representative_point().plot(
                ax=ax, color=colour, markersize=90, edgecolor="white", linewidth=1.2, zorder=5
            )
            label = CATEGORY_LABELS[category].split(" (")[0]
            handles.append(
                Line2D([], [], marker="o", linestyle="", color=colour, markersize=12,
                       markeredgecolor="white", label=label.capitalize())
            )  # fmt: skip
    return handles


def workshop_map_figure(
    diag: Diagnostic, code_qp: str, *, paper: str = "a1", directory: Path | None = None
) -> Figure:
    """Return the workshop map of a QPV as a matplotlib figure of the paper's size.

    Parameters
    ----------
    diag
        The diagnostic (layers in EPSG:3035, :attr:`~Diagnostic.basemap` for the background).
    code_qp
        The QPV.
    paper
        ``a0`` or ``a1`` (landscape).
    directory
        The diagnostic's folder, where an optional ``places.parquet`` gives the resource places.

    Raises
    ------
    InputError
        Unknown QPV or paper size.
    """
    if paper not in PAPERS:
        raise InputError(f"--paper : « {paper} » inconnu (attendu : a0 ou a1)")
    qpv = diag.qpv[diag.qpv["code_qp"].astype(str) == str(code_qp)]
    if qpv.empty:
        raise InputError(f"QPV inconnu « {code_qp} » dans ce diagnostic")
    width_mm, height_mm = PAPERS[paper]
    scale = width_mm / PAPERS["a1"][0]  # font sizes grow with the sheet
    fig = Figure(figsize=(width_mm * _MM, height_mm * _MM), dpi=72)
    ax = fig.add_axes(_MAP_RECT)
    aspect = (_MAP_RECT[2] * width_mm) / (_MAP_RECT[3] * height_mm)
    bounds = _extent(qpv, aspect)
    x0, y0, x1, y1 = bounds
    legend, classes = index_classes(diag)
    inside = diag.cells.index.isin(diag.cells.cx[x0:x1, y0:y1].index)
    cells = diag.cells[inside]
    draw_background(ax, diag.basemap, bounds)
    chosen = classes[inside]
    if (chosen < 0).any():
        cells[chosen < 0].plot(ax=ax, color=NO_DATA, alpha=0.55, linewidth=0, zorder=1)
    for k, colour in enumerate(legend.colours):
        if (chosen == k).any():
            cells[chosen == k].plot(ax=ax, color=colour, alpha=0.55, linewidth=0, zorder=1)
    draw_foreground(ax, diag.basemap, bounds, max_zoom=17.0)
    others = diag.qpv[diag.qpv["code_qp"].astype(str) != str(code_qp)].cx[x0:x1, y0:y1]
    if len(others):
        others.boundary.plot(ax=ax, color="black", linewidth=1.5, linestyle="--", zorder=3)
    qpv.boundary.plot(ax=ax, color="white", linewidth=7 * scale, zorder=3)
    qpv.boundary.plot(ax=ax, color="#000091", linewidth=4 * scale, zorder=3)
    place_handles = _draw_places(ax, _places(directory, diag.cells.crs), bounds)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    step = _draw_grid(ax, bounds, 16 * scale)
    _side_panel(fig, diag, qpv, legend, place_handles, step=step, scale=scale)
    return fig


def _side_panel(
    fig: Figure,
    diag: Diagnostic,
    qpv: gpd.GeoDataFrame,
    legend: object,
    place_handles: list[Patch | Line2D],
    *,
    step: float,
    scale: float,
) -> None:
    """Write the title, the legend, the grid's step, the sources and lines for notes."""
    row = qpv.iloc[0]
    name, code = str(row["lib_qp"]), str(row["code_qp"])
    fig.text(0.025, 0.965, f"Carte d'atelier — {name} ({code})", fontsize=30 * scale,
             fontweight="bold", color="#0b3d5c", va="center")  # fmt: skip
    fig.text(0.025, 0.925, f"{diag.record.territory.name} · indice de vulnérabilité aux "
             "vagues de chaleur par carreau de 200 m · à annoter en atelier",
             fontsize=15 * scale, color="#3a3a3a", va="center")  # fmt: skip
    pairs = list(zip(legend.colours, legend.labels, strict=True))  # type: ignore[attr-defined]
    handles: list[Patch | Line2D] = [
        Patch(facecolor=c, alpha=0.55, label=f"Indice {label}") for c, label in reversed(pairs)
    ]
    handles += [
        Patch(facecolor=NO_DATA, alpha=0.55, label="Carreau sans indice (moins de 50 habitants)"),
        Line2D([], [], color="#000091", linewidth=4, label=f"Périmètre du QPV {code}"),
        Line2D([], [], color="black", linewidth=1.5, linestyle="--", label="Autre QPV"),
        *place_handles,
    ]
    panel = fig.add_axes((0.765, 0.04, 0.215, 0.86))
    panel.axis("off")
    panel.legend(handles=handles, loc="upper left", fontsize=17 * scale, frameon=False,
                 title="Légende", title_fontsize=20 * scale, alignment="left")  # fmt: skip
    places = "" if place_handles else "Lieux ressources : non fournis avec ce diagnostic.\n"
    step_text = format_number(step, 0)
    notes = (
        f"Quadrillage : carrés de {step_text} m de côté, colonnes A, B, C…, lignes 1, 2, 3… "
        "Notez le carré sur chaque post-it (par exemple « C4 »).\n"
        f"{places}Sources : {basemap_note(diag.basemap)}. Carte produite le "
        f"{date.today().strftime('%d/%m/%Y')} par Quartiers en transition."
    )
    panel.text(0.0, 0.42, _wrapped(notes, 44), fontsize=14 * scale, va="top",
               color="#3a3a3a", transform=panel.transAxes)  # fmt: skip
    panel.text(0.0, 0.17, "Notes de l'atelier :", fontsize=18 * scale, fontweight="bold",
               transform=panel.transAxes)  # fmt: skip
    for k in range(6):
        y = 0.14 - k * 0.025
        panel.plot([0.0, 1.0], [y, y], color="#8d9aa3", linewidth=0.8, transform=panel.transAxes)


def _wrapped(text: str, width: int) -> str:
    return "\n".join(
        "\n".join(textwrap.wrap(par, width)) for par in text.split("\n") if par.strip()
    )


def write_workshop_maps(
    diag: Diagnostic,
    out_dir: Path,
    *,
    codes: Sequence[str] = (),
    paper: str = "a1",
    directory: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write ``carte_atelier_<code_qp>_<paper>.pdf`` for each QPV (all when ``codes`` is empty).

    Raises
    ------
    InputError
        Unknown QPV or paper size.
    """
    known = [str(c) for c in diag.qpv["code_qp"]]
    wanted = list(codes) or known
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InputError(
            f"--qpv : QPV inconnu(s) {', '.join(unknown)} (QPV du diagnostic : {', '.join(known)})"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if progress is not None:
        progress.start("Cartes d'atelier", len(wanted))
    for code in wanted:
        fig = workshop_map_figure(diag, code, paper=paper, directory=directory)
        settle_names(fig)
        path = out_dir / f"carte_atelier_{code}_{paper}.pdf"
        fig.savefig(path, format="pdf", facecolor="white", metadata={"Creator": None})
        written.append(path)
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    return written
