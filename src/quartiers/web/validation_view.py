"""The « Validation » section of the method page: allocations, INSEE's QPV figures, health.

Read from ``run.json`` (sections ``allocation``, ``validation_insee`` and
``validation_sante``, see
``docs/validation.md``); a diagnostic without them shows nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quartiers.outputs.residual_map import RESIDUAL_CLASSES, residual_map

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


def health_of(run: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return what the health part of the « Validation » section shows, or None."""
    section = run.get("validation_sante")
    if not section:
        return None
    contours = section.get("contours_2154", {})
    outcomes = []
    for o in section.get("outcomes", []):
        outcomes.append({**o, "map": residual_map(o, contours)})
    return {
        "simulated": bool(section.get("simulated")),
        "label": section.get("label", ""),
        "note": section.get("note", ""),
        "outcomes": outcomes,
    }
