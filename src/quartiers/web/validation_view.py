"""The « Validation » section of the method page: allocations, INSEE's QPV figures, health.

Read from ``run.json`` (sections ``allocation``, ``validation_insee`` and
``validation_sante``, see
``docs/validation.md``); a diagnostic without them shows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["INDICATOR_LABELS", "RESIDUAL_CLASSES", "health_of", "validation_of"]

#: French labels of the indicators compared with INSEE.
INDICATOR_LABELS = {
    "population": "Population (personnes)",
    "poverty_rate": "Taux de pauvreté (INSEE : personnes ; nous : ménages)",
    "share_65p": "Part des 65 ans ou plus",
    "share_social_housing": "Part des logements sociaux",
}

_WORDS = {"niveau": "niveaux et rangs", "rang": "rangs seulement"}


def _allocation(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for r in section.get("qpv", []):
        area, build = r.get("population_area"), r.get("population_buildings")
        gap = None
        if area and build is not None:
            gap = (build - area) / area
        rows.append({"code_qp": r["code_qp"], "area": area, "buildings": build, "gap": gap})
    return rows


def _insee(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    tables = []
    for ind in section.get("indicators", []):
        rows = [r for r in section.get("rows", []) if r.get("indicator") == ind]
        ranks = section.get("ranks", {}).get(ind, {})
        kind = rows[0]["comparable"] if rows else "niveau"
        tables.append(
            {
                "id": ind,
                "label": INDICATOR_LABELS.get(ind, ind),
                "rate": ind != "population",
                "comparable": _WORDS.get(kind, kind),
                "level": kind == "niveau",
                "rows": rows,
                "spearman_area": ranks.get("spearman_area"),
                "spearman_buildings": ranks.get("spearman_buildings"),
                "same_order_area": ranks.get("same_order_area"),
                "same_order_buildings": ranks.get("same_order_buildings"),
                "note": ranks.get("note", ""),
            }
        )
    return tables


def validation_of(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return what the « Validation » section shows for one diagnostic, or None."""
    allocation = run.get("allocation")
    insee = run.get("validation_insee")
    health = health_of(run)
    if not allocation and not insee and not health:
        return None
    return {
        "rule": (allocation or {}).get("rule", "area"),
        "label": (allocation or {}).get("label", ""),
        "buildings_computed": bool((allocation or {}).get("buildings_computed")),
        "fallback_cells": (allocation or {}).get("fallback_cells", 0),
        "source": (allocation or {}).get("buildings_source", ""),
        "allocation": _allocation(allocation or {}),
        "insee": _insee(insee or {}),
        "missing": (insee or {}).get("missing", []),
        "health": health,
    }


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


def _residual_map(outcome: Mapping[str, Any], contours: Mapping[str, str]) -> dict[str, Any] | None:
    """Return an SVG choropleth of the mean Pearson residual per unit with a contour."""
    import shapely

    sums: dict[str, list[float]] = {}
    for r in outcome.get("residuals", []):
        if r["unit_code"] in contours:
            sums.setdefault(r["unit_code"], []).append(float(r["residual"]))
    if not sums:
        return None
    geoms = {c: shapely.from_wkt(contours[c]) for c in sums}
    x0, y0, x1, y1 = shapely.total_bounds(list(geoms.values()))
    width = 600.0
    scale = width / max(x1 - x0, 1.0)
    height = (y1 - y0) * scale
    paths = []
    for code, geom in geoms.items():
        ring = shapely.get_coordinates(geom.exterior if hasattr(geom, "exterior") else geom)
        pts = " ".join(f"{(x - x0) * scale:.1f},{(y1 - y) * scale:.1f}" for x, y in ring)
        mean = sum(sums[code]) / len(sums[code])
        paths.append({"points": pts, "fill": _colour(mean), "title": f"{code} : {mean:+.2f}"})
    legend = [{"fill": c, "label": label} for _, c, label in RESIDUAL_CLASSES]
    return {"width": width, "height": round(height, 1), "paths": paths, "legend": legend}


def health_of(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return what the health part of the « Validation » section shows, or None."""
    section = run.get("validation_sante")
    if not section:
        return None
    contours = section.get("contours_2154", {})
    outcomes = []
    for o in section.get("outcomes", []):
        outcomes.append({**o, "map": _residual_map(o, contours)})
    return {
        "simulated": bool(section.get("simulated")),
        "label": section.get("label", ""),
        "note": section.get("note", ""),
        "outcomes": outcomes,
    }
