"""Draw the diagnostic's offline background map on the PDF maps (matplotlib, EPSG:3035).

Water, green areas and buildings go under the cells; streets, rivers and names go above
them, thin and light, so that a reader finds her streets without losing the colours.
The background is :attr:`quartiers.diagnostic.Diagnostic.basemap` (None: nothing drawn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from quartiers.schemas import BBox

__all__ = ["basemap_note", "draw_background", "draw_foreground", "settle_names"]

#: Marks the background's names among an axes' texts (:func:`settle_names`).
_NAME_GID = "fond-nom"

# Street class → (line width in points, colour) on the PDF maps.
_STREETS = {
    "principale": (1.6, "#fff1dc"),
    "secondaire": (1.1, "#ffffff"),
    "locale": (0.6, "#ffffff"),
    "chemin": (0.3, "#ffffff"),
}


def _within(basemap: gpd.GeoDataFrame | None, bounds: BBox) -> gpd.GeoDataFrame | None:
    if basemap is None or basemap.empty:
        return None
    x0, y0, x1, y1 = bounds
    return basemap.cx[x0:x1, y0:y1]


def draw_background(ax: Axes, basemap: gpd.GeoDataFrame | None, bounds: BBox) -> None:
    """Draw green areas, water surfaces and (on a map under 6 km wide) buildings."""
    shown = _within(basemap, bounds)
    if shown is None:
        return
    areas = shown[shown.geom_type.str.contains("Polygon")]
    narrow = bounds[2] - bounds[0] < 6000
    for layer, colour in (("vert", "#d5e8c8"), ("eau", "#b3d3ec"), ("bati", "#ddd6cf")):
        part = areas[areas["layer"] == layer]
        if len(part) and (layer != "bati" or narrow):
            part.plot(ax=ax, color=colour, linewidth=0, zorder=0.5)


def draw_foreground(
    ax: Axes, basemap: gpd.GeoDataFrame | None, bounds: BBox, *, max_zoom: float
) -> int:
    """Draw streets, rivers and the names that appear up to ``max_zoom``; return the names drawn.

    Local streets and paths are drawn only on a map under 6 km wide; names are thinned so
    that two never fall in the same eighth of the map's width (half as high), and a name
    whose box would cover a text already drawn (long street names, the OSM credit) or go
    beyond the map's frame is left out.
    """
    shown = _within(basemap, bounds)
    if shown is None:
        return 0
    narrow = bounds[2] - bounds[0] < 6000
    rivers = shown[(shown["layer"] == "eau") & shown.geom_type.str.contains("Line")]
    if len(rivers):
        rivers.plot(ax=ax, color="#5d9bd0", linewidth=1.0, alpha=0.9, zorder=1.6)
    for kind, (width, colour) in reversed(_STREETS.items()):
        if kind in ("locale", "chemin") and not narrow:
            continue
        part = shown[(shown["layer"] == "voie") & (shown["kind"] == kind)]
        if len(part):  # a thin grey casing keeps white streets visible off the cells
            part.plot(ax=ax, color="#a8a09a", linewidth=width + 0.5, alpha=0.6, zorder=1.45)
            part.plot(ax=ax, color=colour, linewidth=width, alpha=0.85, zorder=1.5)
    if shown["layer"].isin(("voie", "bati", "eau", "vert")).any():
        ax.text(
            0.995, 0.005, "Fond : © contributeurs OpenStreetMap", transform=ax.transAxes,
            fontsize=5, ha="right", va="bottom", color="#444444", zorder=2.5,
        )  # fmt: skip
    return _names(ax, shown, bounds, max_zoom)


def _names(ax: Axes, shown: gpd.GeoDataFrame, bounds: BBox, max_zoom: float) -> int:
    names = shown[(shown["layer"] == "etiquette") & (shown["minzoom"] <= max_zoom)]
    names = names.sort_values("minzoom", kind="stable")
    x0, y0, x1, y1 = bounds
    step = (x1 - x0) / 8
    taken: set[tuple[int, int]] = set()
    renderer = _renderer(cast("Figure", ax.get_figure(root=True)))
    # Drawn texts (the OSM credit, then each name), in display pixels: a name never covers
    # one of them, nor goes beyond the map's frame.
    placed: list[Bbox] = [t.get_window_extent(renderer) for t in ax.texts]
    ax.apply_aspect()  # the frame as drawn (equal aspect), not the box it sits in
    frame = ax.get_window_extent(renderer)
    count = 0
    for name, kind, point in zip(names["name"], names["kind"], names.geometry, strict=True):
        x, y = shapely.get_x(point), shapely.get_y(point)
        if np.isnan(x) or not (x0 < x < x1 and y0 < y < y1):
            continue
        key = (int((x - x0) // step), int((y - y0) // (step / 2)))
        if key in taken:
            continue
        big = kind in ("commune", "city", "town", "village", "suburb")
        colour = {"eau": "#1d5f96", "vert": "#2f6b2f", "qpv": "#000091"}.get(kind, "#222222")
        text = ax.annotate(
            str(name),
            (x, y),
            fontsize=7.0 if big else 5.5,
            fontweight="bold" if big else "normal",
            fontstyle="italic" if kind in ("eau", "vert") else "normal",
            color=colour,
            ha="center",
            va="center",
            zorder=2.4,
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "alpha": 0.6, "lw": 0},
        )
        text.set_gid(_NAME_GID)
        text.set_in_layout(False)  # names never shrink the map: they are thinned instead
        if not _keep(text, renderer, frame, placed):
            continue
        taken.add(key)
        count += 1
    return count


def _keep(text: Text, renderer: RendererAgg, frame: Bbox, placed: list[Bbox]) -> bool:
    """Keep a name inside the frame and off the texts placed so far (else remove it)."""
    extent = text.get_window_extent(renderer).expanded(1.08, 1.3)
    inside = frame.x0 <= extent.x0 and extent.x1 <= frame.x1
    if not (inside and frame.y0 <= extent.y0 and extent.y1 <= frame.y1) or any(
        extent.overlaps(other) for other in placed
    ):
        text.remove()
        return False
    placed.append(extent)
    return True


def settle_names(figure: Figure) -> None:
    """Leave out the names the figure's final layout makes overflow or overlap.

    Call it last, when titles and legends are in place: the constrained layout then shrinks
    the map, and names measured on the larger map may now touch. Names are checked again in
    the order they were drawn (the most important first).
    """
    engine = figure.get_layout_engine()
    if engine is not None:
        engine.execute(figure)
    renderer = _renderer(figure)
    for ax in figure.axes:
        names = [t for t in ax.texts if t.get_gid() == _NAME_GID]
        if not names:
            continue
        ax.apply_aspect()
        frame = ax.get_window_extent(renderer)
        placed = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() != _NAME_GID]
        for text in names:
            _keep(text, renderer, frame, placed)


def _renderer(figure: Figure) -> RendererAgg:
    """Return a renderer measuring text on a figure (an Agg canvas if it has none)."""
    canvas = figure.canvas
    agg = canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    renderer: RendererAgg = agg.get_renderer()  # type: ignore[no-untyped-call]
    return renderer


def basemap_note(basemap: gpd.GeoDataFrame | None) -> str:
    """Return the map caption's source line: the grid, and which background is drawn."""
    grid = "carreaux INSEE de 200 m, EPSG:3035"
    if basemap is None or basemap.empty:
        return f"{grid} ; sans fond de carte"
    if basemap["layer"].isin(("voie", "bati", "eau", "vert")).any():
        return (
            f"{grid} ; fond de carte : rues, eau, espaces verts, bâtiments et noms, "
            "© contributeurs OpenStreetMap (ODbL)"
        )
    return f"{grid} ; fond de carte : contours et noms des communes et des QPV"
