"""The « Validation » section of a QPV sheet: allocations, INSEE's figures, health outcomes.

Read from ``run.json`` (``allocation``, ``validation_insee``, ``validation_sante``; see
``docs/validation.md``); empty when the diagnostic has none of them.
"""

from __future__ import annotations

from typing import Any

from quartiers.diagnostic import Diagnostic
from quartiers.outputs.formatting import format_number, format_share

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
    out["simulated"] = bool(health.get("simulated"))
    if not out["population"] and not out["insee"] and not out["health"]:
        return None
    return out
