"""The QPV page: indicators against the rest of the commune and EPCI, resources map,
residents' contributions and how they compare with the diagnostic.

The published contributions change: the page is rendered at every request, in a worker
thread (a synchronous handler), never on the event loop.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from quartiers.outputs.glossary import cell_place
from quartiers.outputs.perceived import compare_perceived
from quartiers.web.catalog import TerritoryData
from quartiers.web.pages_territory import CONTRIBUTIONS_GEOJSON, IndicatorQuery
from quartiers.web.payloads_qpv import canopy_warning
from quartiers.web.qpv_view import qpv_context
from quartiers.web.state import State
from quartiers.web.templating import render_page
from quartiers.web.views import indicator_groups, map_config

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def resources_indicator(td: TerritoryData, requested: str | None) -> tuple[set[str], str]:
    """Return the resources indicators and the one the map shows (``requested`` if any).

    By default the first walking distance, else the resources score, else the index.
    """
    resources = {i.id for i in td.indicators.values() if i.dimension == "resources"}
    resources |= {"index", "score_resources"}
    available = [i for i in resources if td.available(i)]
    if requested in available:
        return resources, str(requested)
    dist = [i for i in available if i.startswith("dist_")]
    if dist:
        return resources, sorted(dist)[0]
    return resources, "score_resources" if "score_resources" in available else "index"


@router.get("/territoires/{code}/qpv/{code_qp}", response_class=HTMLResponse)
def qpv(
    request: Request,
    state: State,
    code: str,
    code_qp: str,
    indicateur: IndicatorQuery = None,
) -> HTMLResponse:
    td, pay = state.territory(code)
    td.qpv_position(code_qp)
    context = qpv_context(td, pay, code_qp)
    resources, chosen = resources_indicator(td, indicateur)
    available = [i for i in resources if td.available(i)]
    contributions_rows = state.contributions.published(td.code, code_qp)
    verdicts = compare_perceived(contributions_rows, td.diagnostic.cells)
    config = map_config(
        td,
        state.settings,
        indicator=chosen,
        horizon=td.horizon,
        contributions_url=(
            f"{CONTRIBUTIONS_GEOJSON}?territory={td.code}&code_qp={code_qp}"
            if state.contributions.enabled
            else None
        ),
        only=set(resources),
        focus_qpv=code_qp,
    )
    return render_page(
        request,
        state,
        "qpv.html",
        "territoire",
        td=td,
        summary=pay.summary,
        config=config,
        map_groups=indicator_groups(td, only=set(resources)),
        map_indicator=td.indicators[chosen],
        legend=td.legend(chosen, td.horizon),
        resources_available=any(i.startswith(("dist_", "canopy", "green")) for i in available),
        contributions_rows=contributions_rows,
        contribution_counts=state.contributions.counts(contributions_rows),
        verdicts=verdicts,
        cell_places=_cell_places(td, [v.cell for v in verdicts if v.cell]),
        sources=json.loads(pay.detail_json)["sources"],
        canopy_warning=canopy_warning(td, code_qp),
        **context,
    )


def _cell_places(td: TerritoryData, cells: list[str]) -> dict[str, str]:
    """Return how each cell is named to residents: « carreau de 200 m à <commune> »."""
    table = td.diagnostic.cells
    if not cells or "insee_com" not in table.columns:
        return {c: cell_place(None) for c in cells}
    communes = dict(
        zip(table["idcar_200m"].astype(str), table["insee_com"].astype(str), strict=True)
    )
    out = {}
    for cell in cells:
        code = communes.get(cell)
        out[cell] = cell_place(td.communes.get(code, code) if code else None)
    return out
