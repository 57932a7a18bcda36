"""Map of the health model's residuals per unit (issue 20): the web method page and the sheets.

Reads one outcome of ``run.json`` ``validation_sante`` (its Pearson residuals per unit and
period) and the units' contours (WKT, Lambert-93) and returns an SVG-ready choropleth of each
unit's mean residual in five diverging classes (:data:`RESIDUAL_CLASSES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["RESIDUAL_CLASSES", "residual_map"]

#: Residual classes of the map: (upper bound, colour, French label), diverging.
RESIDUAL_CLASSES = (
    (-2.0, "#2166ac", "moins que prévu (résidu < −2)"),
    (-1.0, "#92c5de", "un peu moins (−2 à −1)"),
    (1.0, "#f7f7f7", "comme prévu (−1 à 1)"),
    (2.0, "#f4a582", "un peu plus (1 à 2)"),
    (float("inf"), "#b2182b", "plus que prévu (résidu > 2)"),
)


def _colour(value: float) -> str:
    return next(c for bound, c, _ in RESIDUAL_CLASSES if value < bound)


def residual_map(
    outcome: Mapping[str, Any],
    contours: Mapping[str, str],
    width: float = 600.0,
    outline: Any = None,
) -> dict[str, Any] | None:
    """Return an SVG choropleth of the mean Pearson residual per unit with a contour.

    Parameters
    ----------
    outcome
        One outcome of ``validation_sante`` (``residuals``: ``unit_code``, ``residual``).
    contours
        Unit code → WKT polygon (Lambert-93); units without one are left out.
    width
        Width of the drawing in SVG units (the height keeps the aspect ratio).
    outline
        A shapely polygon (Lambert-93) drawn as an outline over the units (a QPV), or None.

    Returns
    -------
    dict or None
        ``width``, ``height``, ``paths`` (``points``, ``fill``, ``title``), ``outline``
        (list of ``points`` strings, empty without one) and ``legend`` (``fill``,
        ``label``); None when no unit has both a residual and a contour.
    """
    import shapely

    sums: dict[str, list[float]] = {}
    for r in outcome.get("residuals", []):
        if r["unit_code"] in contours:
            sums.setdefault(r["unit_code"], []).append(float(r["residual"]))
    if not sums:
        return None
    geoms = {c: shapely.from_wkt(contours[c]) for c in sums}
    x0, y0, x1, y1 = shapely.total_bounds(list(geoms.values()))
    scale = width / max(x1 - x0, 1.0)
    height = (y1 - y0) * scale
    paths = []
    for code, geom in geoms.items():
        ring = shapely.get_coordinates(geom.exterior if hasattr(geom, "exterior") else geom)
        pts = " ".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y in ring)
        mean = sum(sums[code]) / len(sums[code])
        paths.append({"points": pts, "fill": _colour(mean), "title": f"{code} : {mean:+.2f}"})
    rings = []
    if outline is not None:
        for part in shapely.get_parts(outline):
            ring = shapely.get_coordinates(part.exterior if hasattr(part, "exterior") else part)
            rings.append(
                " ".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y in ring)
            )
    legend = [{"fill": c, "label": label} for _, c, label in RESIDUAL_CLASSES]
    return {
        "width": width,
        "height": round(height, 1),
        "paths": paths,
        "outline": rings,
        "legend": legend,
    }
