"""The « Validation » section of a QPV sheet: allocations, INSEE's figures, health outcomes.

Read from ``run.json`` (``allocation``, ``validation_insee``, ``validation_sante``; see
``docs/validation.md``); empty when the diagnostic has none of them.
"""

from __future__ import annotations

from typing import Any

from quartiers.diagnostic import Diagnostic
from quartiers.outputs.formatting import format_number, format_share
from quartiers.outputs.residual_map import residual_map

__all__ = ["qpv_validation"]

_LABELS = {
    "population": "Population",
    "poverty_rate": "Pauvreté (INSEE : personnes, nous : ménages ; rangs seulement)",
    "share_65p": "65 ans ou plus",
    "share_social_housing": "Logement social",
}


def _value(indicator: str, value: object) -> str:
    if indicator == "population":
        return format_number(value)
    return format_share(value)


#: Width of the residual map on the sheet (SVG units; printed 8 cm wide).
MAP_WIDTH = 300.0


def _maps(diag: Diagnostic, code: str, health: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the residual map of each outcome, the QPV drawn as an outline (Lambert-93)."""
    contours = health.get("contours_2154") or {}
    if not contours:
        return []
    outline = None
    qpv = getattr(diag, "qpv", None)
    if qpv is not None and "geometry" in getattr(qpv, "columns", ()):
        rows = qpv[qpv["code_qp"].astype(str) == code]
        if len(rows) and rows.crs is not None:
            outline = rows.to_crs(2154).geometry.iloc[0]
    maps = []
    for o in health.get("outcomes", []):
        drawn = residual_map(o, contours, width=MAP_WIDTH, outline=outline)
        if drawn is not None:
            maps.append({"outcome": str(o.get("outcome", "")), "map": drawn})
    return maps


def qpv_validation(diag: Diagnostic, code: str) -> dict[str, Any] | None:
    """Return the rows of the sheet's « Validation » section for one QPV, or None."""
    run = diag.run
    out: dict[str, Any] = {"population": None, "insee": [], "health": []}
    allocation = run.get("allocation") or {}
    for r in allocation.get("qpv", []):
        if r["code_qp"] == code and r.get("population_buildings") is not None:
            out["population"] = {
                "area": format_number(r["population_area"]),
                "buildings": format_number(r["population_buildings"]),
                "rule": allocation.get("label", ""),
            }
    for r in (run.get("validation_insee") or {}).get("rows", []):
        if r["code_qp"] == code.upper():
            ind = r["indicator"]
            out["insee"].append(
                {
                    "label": _LABELS.get(ind, ind),
                    "insee": _value(ind, r["insee"]),
                    "area": _value(ind, r["ours_area"]),
                    "buildings": _value(ind, r["ours_buildings"]),
                }
            )
    health = run.get("validation_sante") or {}
    for o in health.get("outcomes", []):
        if o.get("reading"):
            out["health"].append(o["reading"])
    out["maps"] = _maps(diag, code, health)
    out["simulated"] = bool(health.get("simulated"))
    if not out["population"] and not out["insee"] and not out["health"]:
        return None
    return out
