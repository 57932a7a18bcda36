"""Static maps of the sheets (matplotlib + geopandas, EPSG:3035 metres, no tiles, no network).

Cells are coloured by the class of their composite index — the classes, colours (ColorBrewer
YlOrRd, colour-blind safe, dark = more vulnerable) and words of the web map and ``carte.html``
(:func:`quartiers.outputs.legends.diagnostic_legend`); cells without an index are grey; QPV
perimeters are outlined; a scale bar gives distances since the axes are hidden.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from quartiers.diagnostic import Diagnostic
from quartiers.outputs.classes import Legend, class_of
from quartiers.outputs.formatting import format_number, format_value
from quartiers.outputs.legends import diagnostic_legend
from quartiers.report._basemap_plot import (
    basemap_note,
    draw_background,
    draw_foreground,
    settle_names,
)
from quartiers.report._plot import NO_DATA, new_figure, to_chart
from quartiers.report.model import Chart

if TYPE_CHECKING:
    from quartiers.schemas import BBox

__all__ = ["index_classes", "qpv_map", "territory_map"]

# Width / height of the QPV map's frame (fills the figure's width beside the colour bar).
_QPV_ASPECT = 2.1
_NICE_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)


def index_classes(diag: Diagnostic) -> tuple[Legend, np.ndarray]:
    """Return the index legend of the web map and the class of every cell (-1: no index)."""
    legend = diagnostic_legend(diag, "index")
    values = diag.cells["index"].to_numpy(dtype="float64", na_value=np.nan)
    return legend, class_of(values, legend.breaks)


def _draw_cells(ax: Axes, cells: gpd.GeoDataFrame, legend: Legend, classes: np.ndarray) -> None:
    none = classes < 0
    if none.any():
        cells[none].plot(ax=ax, color=NO_DATA, linewidth=0)
    for k, colour in enumerate(legend.colours):
        chosen = classes == k
        if chosen.any():
            cells[chosen].plot(ax=ax, color=colour, linewidth=0)


def _scale_bar(ax: Axes, x0: float, x1: float, y0: float, y1: float) -> None:
    """Draw a scale bar of a round length (about a quarter of the width) bottom left."""
    target = (x1 - x0) / 4
    length = max([n for n in _NICE_M if n <= target] or [_NICE_M[0]])
    height = (y1 - y0) * 0.012
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    ax.add_patch(Rectangle((x, y), length, height, facecolor="black", edgecolor="black"))
    ax.add_patch(
        Rectangle((x + length / 2, y), length / 2, height, facecolor="white", edgecolor="black")
    )
    label = format_value(length / 1000, "km") if length >= 1000 else format_value(length, "m")
    ax.text(x + length / 2, y + height * 1.8, label, ha="center", va="bottom", fontsize=7)
    ax.annotate(
        "N",
        xy=(x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.05),
        xytext=(x1 - (x1 - x0) * 0.05, y1 - (y1 - y0) * 0.15),
        ha="center",
        fontsize=8,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )


def _class_handles(legend: Legend) -> list[Patch | Line2D]:
    """Return one legend entry per class, darkest (most vulnerable) first."""
    pairs = list(zip(legend.colours, legend.labels, strict=True))
    return [Patch(facecolor=c, label=f"Indice {label}") for c, label in reversed(pairs)]


def _frame(ax: Axes, bounds: BBox) -> None:
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _scale_bar(ax, x0, x1, y0, y1)


def _padded(
    bounds: np.ndarray, *, share: float, minimum: float, aspect: float | None = None
) -> BBox:
    """Return ``bounds`` with a margin, widened to ``aspect`` (width / height) if given."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    pad = max(share * max(x1 - x0, y1 - y0), minimum)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    if aspect is not None:
        width, height = x1 - x0, y1 - y0
        if width / height < aspect:
            extra = (height * aspect - width) / 2
            x0, x1 = x0 - extra, x1 + extra
        else:
            extra = (width / aspect - height) / 2
            y0, y1 = y0 - extra, y1 + extra
    return (x0, y0, x1, y1)


def _hotspots_in(hotspots: gpd.GeoDataFrame | None, crs: object) -> gpd.GeoDataFrame | None:
    if hotspots is None or hotspots.empty or hotspots.crs is None:
        return None
    return hotspots if hotspots.crs == crs else hotspots.to_crs(crs)


def qpv_map(diag: Diagnostic, code_qp: str) -> Chart:
    """Return the map of one QPV: its cells' index, its perimeter, its neighbours.

    Parameters
    ----------
    diag
        The diagnostic (layers in EPSG:3035).
    code_qp
        The QPV to draw.

    The diagnostic's hotspots (cells in high-high clusters), when it has some, are hatched.
    """
    qpv = diag.qpv[diag.qpv["code_qp"].astype(str) == code_qp]
    name = str(qpv["lib_qp"].iloc[0])
    bounds = _padded(qpv.total_bounds, share=0.2, minimum=300.0, aspect=_QPV_ASPECT)
    x0, y0, x1, y1 = bounds
    legend, classes = index_classes(diag)
    inside = diag.cells.index.isin(diag.cells.cx[x0:x1, y0:y1].index)
    cells = diag.cells[inside]
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    draw_background(ax, diag.basemap, bounds)
    _draw_cells(ax, cells, legend, classes[inside])
    draw_foreground(ax, diag.basemap, bounds, max_zoom=15.5)
    rest = diag.zones[diag.zones["zone_type"] == "reste_commune"]
    if len(rest):
        rest.boundary.plot(ax=ax, color="#555555", linewidth=0.5, linestyle=":")
    others = diag.qpv[diag.qpv["code_qp"].astype(str) != code_qp].cx[x0:x1, y0:y1]
    if len(others):
        others.boundary.plot(ax=ax, color="black", linewidth=0.9, linestyle="--")
    handles: list[Patch | Line2D] = [
        Line2D([], [], color="black", linewidth=2.2, label=f"Périmètre du QPV {code_qp}"),
        Line2D([], [], color="black", linewidth=0.9, linestyle="--", label="Autre QPV"),
        Line2D([], [], color="#555555", linewidth=0.5, linestyle=":", label="Limite communale"),
        Patch(facecolor=NO_DATA, label="Carreau de moins de 50 habitants (sans indice)"),
        Patch(facecolor="white", edgecolor="#999999", label="Sans carreau : aucun ménage recensé"),
    ]
    spots = _hotspots_in(diag.hotspots, diag.cells.crs)
    n_spots = 0
    if spots is not None:
        spots = spots.cx[x0:x1, y0:y1]
        n_spots = len(spots)
        if n_spots:
            spots.plot(ax=ax, facecolor="none", edgecolor="white", hatch="////", linewidth=0)
            handles.append(
                Patch(facecolor="#444444", hatch="////", edgecolor="white", label="Point chaud")
            )
    qpv.boundary.plot(ax=ax, color="white", linewidth=3.2)
    qpv.boundary.plot(ax=ax, color="black", linewidth=2.0)
    _frame(ax, bounds)
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=6.5, frameon=False)
    ax.legend(
        handles=_class_handles(legend),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=6.5,
        frameon=False,
        title="Classes (carte web)",
        title_fontsize=6.5,
    )
    title = f"Indice de vulnérabilité par carreau de 200 m — {name}"
    ax.set_title(title, fontsize=9)
    n_cells = len(cells)
    have = cells["index"].dropna()
    span = (
        f"indice de {format_number(have.min(), 2)} à {format_number(have.max(), 2)}"
        if len(have)
        else "aucun carreau avec indice"
    )
    alt = (
        f"Carte du QPV {name} ({code_qp}) et de ses abords : {n_cells} carreaux de 200 m "
        f"colorés selon l'indice de vulnérabilité ({span} ; foncé = plus vulnérable, "
        "mêmes classes que la carte web), "
        "périmètre du QPV en trait noir épais, autres QPV en tirets, limites communales "
        "en pointillés, barre d'échelle en bas à gauche."
        + (f" {n_spots} carreaux de points chauds hachurés." if n_spots else "")
    )
    settle_names(fig)
    return replace(to_chart(fig, title=title, alt=alt), note=basemap_note(diag.basemap))


def territory_map(diag: Diagnostic) -> Chart:
    """Return the map of the whole territory: every cell's index, every QPV, the hotspots."""
    qpv = diag.qpv
    bounds = _padded(diag.cells.total_bounds, share=0.02, minimum=100.0)
    legend, classes = index_classes(diag)
    fig = new_figure(7.0, 5.4)
    ax = fig.add_subplot()
    draw_background(ax, diag.basemap, bounds)
    _draw_cells(ax, diag.cells, legend, classes)
    draw_foreground(ax, diag.basemap, bounds, max_zoom=12)
    rest = diag.zones[diag.zones["zone_type"] == "reste_commune"]
    if len(rest):
        rest.boundary.plot(ax=ax, color="#555555", linewidth=0.5, linestyle=":")
    spots = _hotspots_in(diag.hotspots, diag.cells.crs)
    if spots is not None:
        spots.plot(ax=ax, facecolor="none", edgecolor="white", hatch="////", linewidth=0)
    qpv.boundary.plot(ax=ax, color="white", linewidth=2.4)
    qpv.boundary.plot(ax=ax, color="black", linewidth=1.3)
    for _, row in qpv.iterrows():
        point = row.geometry.representative_point()
        ax.annotate(
            str(row["code_qp"]),
            (point.x, point.y),
            fontsize=6.5,
            ha="center",
            va="center",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "lw": 0},
        )
    _frame(ax, bounds)
    handles = [
        Line2D([], [], color="black", linewidth=1.3, label="Périmètre d'un QPV (code)"),
        Line2D([], [], color="#555555", linewidth=0.5, linestyle=":", label="Limite communale"),
        Patch(facecolor=NO_DATA, label="Carreau sans indice"),
    ]
    if spots is not None:
        handles.append(
            Patch(facecolor="#444444", hatch="////", edgecolor="white", label="Point chaud")
        )
    ax.legend(
        handles=_class_handles(legend),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=6.5,
        frameon=False,
        title="Classes (carte web)",
        title_fontsize=6.5,
    )
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=6.5, frameon=False)
    title = "Indice de vulnérabilité par carreau de 200 m sur le territoire"
    ax.set_title(title, fontsize=9)
    alt = (
        f"Carte du territoire : {len(diag.cells)} carreaux de 200 m colorés selon l'indice "
        "de vulnérabilité (foncé = plus vulnérable, mêmes classes que la carte web) et les "
        f"{len(qpv)} QPV entourés de noir "
        f"avec leur code ({', '.join(qpv['code_qp'].astype(str))})."
    )
    settle_names(fig)
    return replace(to_chart(fig, title=title, alt=alt), note=basemap_note(diag.basemap))
