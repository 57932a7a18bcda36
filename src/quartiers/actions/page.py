"""The workshop page of a QPV (Jinja2): issues, climate horizons, actions to choose, what-if.

:func:`workshop_context` gathers what ``templates/atelier.html`` shows; the page is rendered
with the site's one Jinja environment (:mod:`quartiers.web.templating`, where this package's
templates are found under the ``actions/`` prefix), handed to the router by the application.

A plain HTML form lists the ranked actions with their settings; without script it
downloads the roadmap of the ticked actions, with script (``atelier.js``) it also runs the
what-if and shows the QPV before and after. No inline script or style.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import pandas as pd

from quartiers.actions.horizons import climate_horizons, horizon_table
from quartiers.actions.matching import DEFAULT_CHOSEN, qpv_row
from quartiers.actions.site_map import site_map_config
from quartiers.actions.transitions import panel, value_text
from quartiers.actions.vocabulary import LEVERS
from quartiers.actions.whatif import WHATIF_SCOPE
from quartiers.actions.workshop import Workshop
from quartiers.outputs.formatting import (
    format_euro_range,
    format_value,
)
from quartiers.outputs.templating import ZONES_FLAG, zones_run

__all__ = ["TRANSITIONS_TEMPLATE", "WORKSHOP_TEMPLATE", "transitions_context", "workshop_context"]

#: The template of the page, as the site's environment names it.
WORKSHOP_TEMPLATE = "actions/atelier.html"
#: The template of the « transitions » panel.
TRANSITIONS_TEMPLATE = "actions/transitions.html"


def _q(text: str) -> str:
    return quote(str(text), safe="")


def _cost_text(low: float, high: float, run_low: float, run_high: float) -> str:
    parts = []
    if high > 0:
        parts.append(f"investissement {format_euro_range(low, high)}")
    if run_high > 0:
        parts.append(f"fonctionnement {format_euro_range(run_low, run_high)} par an")
    return " ; ".join(parts) or "sans coût chiffré"


def workshop_context(workshop: Workshop, code: str, code_qp: str) -> dict[str, Any]:
    """Return the context of the workshop page of a QPV."""
    row = qpv_row(workshop.diagnostic, code_qp)
    rank = pd.to_numeric(pd.Series([row.get("rank")]), errors="coerce").iloc[0]
    rank = float(rank) if pd.notna(rank) else math.nan
    items = []
    for n, s in enumerate(workshop.suggestions(code_qp), start=1):
        a = s.action
        lever = a.lever
        amount = s.choice.amount if s.choice.amount is not None else lever.amount
        point = s.choice.points[0] if s.choice.points else None
        items.append(
            {
                "rank": n,
                "id": a.id,
                "title": a.title,
                "description": " ".join(a.description.split()),
                "type_label": a.type_label,
                "pillars": ", ".join(a.pillar_labels),
                "lever": lever.kind,
                "lever_label": LEVERS[lever.kind],
                "percent": round((amount or 0.0) * 100, 1) if amount else None,
                "max_percent": round(lever.limit * 100),
                "lon": point[0] if point else None,
                "lat": point[1] if point else None,
                "why": (
                    f"{s.driver.label} : {format_value(s.driver.value, s.driver.unit)}"
                    if s.driver
                    else "aucun indicateur visé n'est publié pour ce QPV"
                ),
                "cost": _cost_text(s.cost_low, s.cost_high, s.running_low, s.running_high),
                "checked": n <= DEFAULT_CHOSEN,
            }
        )
    labels, rows = horizon_table(climate_horizons(workshop.diagnostic, code_qp))
    base = f"/api/territories/{_q(code)}/qpv/{_q(code_qp)}"
    context: dict[str, Any] = {
        "territory": workshop.name,
        "code": code,
        "code_qp": code_qp,
        "lib_qp": str(row.get("lib_qp", code_qp)),
        "index_text": format_value(float(row.get("index", math.nan)), "0–1"),
        "rank_text": str(int(rank)) if math.isfinite(rank) else "non classé",
        "needs": workshop.needs(code_qp)[:6],
        "value_text": format_value,
        "horizon_labels": labels,
        "horizons": rows,
        "items": items,
        "can_simulate": workshop.can_simulate,
        "whatif_scope": WHATIF_SCOPE[0].upper() + WHATIF_SCOPE[1:] + ".",
        "whatif_url": f"{base}/actions/whatif",
        "docx_url": f"{base}/feuille-de-route.docx",
        "pdf_url": f"{base}/feuille-de-route.pdf",
        "qpv_url": f"/territoires/{_q(code)}/qpv/{_q(code_qp)}",
        "site_map": site_map_config(workshop, code, code_qp),
        "has_sites": any(item["lon"] is not None for item in items),
        "transitions_url": f"/territoires/{_q(code)}/qpv/{_q(code_qp)}/transitions",
        ZONES_FLAG: zones_run(workshop.diagnostic.run.get("input_notes") or {}),
    }
    return context


def transitions_context(workshop: Workshop, code: str, code_qp: str) -> dict[str, Any]:
    """Return the context of the « transitions » panel of a QPV."""
    row = qpv_row(workshop.diagnostic, code_qp)
    base = f"/territoires/{_q(code)}/qpv/{_q(code_qp)}"
    return {
        "territory": workshop.name,
        "code": code,
        "code_qp": code_qp,
        "lib_qp": str(row.get("lib_qp") or code_qp),
        "groups": panel(workshop.diagnostic, code_qp, workshop.catalogue),
        "value_text": value_text,
        "qpv_url": base,
        "atelier_url": f"{base}/atelier",
        ZONES_FLAG: zones_run(workshop.diagnostic.run.get("input_notes") or {}),
    }
