"""PDF maps: the background's names never cover one another (long street names side by side)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from quartiers.report._basemap_plot import draw_foreground


def _names(points: list[tuple[float, float]], names: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "layer": ["etiquette"] * len(points),
            "kind": ["locale"] * len(points),
            "name": names,
            "minzoom": [15.0] * len(points),
        },
        geometry=[shapely.Point(x, y) for x, y in points],
        crs="EPSG:3035",
    )


def test_drawn_names_do_not_overlap() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bounds = (0.0, 0.0, 1600.0, 1100.0)
    # Long names 120 m apart across the map: the grid thinning alone lets neighbours overlap.
    points = [(100.0 + 120 * i, 500.0 + (i % 2) * 30) for i in range(12)]
    names = [f"Rue du Docteur Jean-Baptiste Delaunay {i}" for i in range(12)]
    fig = Figure(figsize=(6, 4), dpi=100)  # as the report draws: no pyplot, no canvas yet
    ax = fig.add_subplot()
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    drawn = draw_foreground(ax, _names(points, names), bounds, max_zoom=15.5)
    assert isinstance(fig.canvas, FigureCanvasAgg)  # names were measured on it
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in names]
    assert len(boxes) == drawn and 1 < drawn < len(names)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    # Names far enough apart are all kept.
    ax.cla()
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    spread = [(400.0, 200.0 + 250 * k) for k in range(4)]
    assert draw_foreground(ax, _names(spread, names[:4]), bounds, max_zoom=15.5) == 4
    # A long name centred near the frame's edge would be cut: left out; a short one stays.
    ax.cla()
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    edge = _names([(40.0, 600.0), (1597.0, 300.0)], [names[0], "Rue"])
    assert draw_foreground(ax, edge, bounds, max_zoom=15.5) == 0
    assert draw_foreground(ax, _names([(800.0, 600.0)], ["Rue"]), bounds, max_zoom=15.5) == 1


def test_names_are_settled_after_the_final_layout() -> None:
    """A title and legends added afterwards shrink the map: names are checked again."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from quartiers.report._basemap_plot import settle_names

    bounds = (0.0, 0.0, 1600.0, 1100.0)
    fig = Figure(figsize=(6, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    points = [(60.0 + 260 * i, 550.0) for i in range(6)]
    names = [f"Rue du Moulin {i}" for i in range(6)]
    drawn = draw_foreground(ax, _names(points, names), bounds, max_zoom=15.5)
    handles = [Line2D([], [], label="une légende large " * 3) for _ in range(4)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Un titre", fontsize=9)
    settle_names(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in names]
    assert 0 < len(boxes) < drawn
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])
