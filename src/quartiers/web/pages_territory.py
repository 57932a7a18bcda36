"""The territory page: map, legend, sortable QPV table and contribution form.

Rendered once per distinct query and kept (:class:`~quartiers.web.page_cache.PageCache`):
the served diagnostics do not change while the server runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from quartiers.report.reference import reference_sentence
from quartiers.web.state import State, WebState
from quartiers.web.templating import render_page
from quartiers.web.views import (
    INCOMPLETE,
    QPV_TABLE_SORTS,
    ZERO_COVERAGE_TEXT,
    climate_source_text,
    coverage_block,
    horizon_options,
    index_labels,
    indicator_groups,
    map_config,
    qpv_rows,
    resolve_choice,
    run_notes_shown,
    sort_rows,
)

__all__ = ["CONTRIBUTIONS_GEOJSON", "HorizonQuery", "IndicatorQuery", "router"]

CONTRIBUTIONS_GEOJSON = "/api/contributions.geojson"

IndicatorQuery = Annotated[
    str | None, Query(max_length=60, description="Indicateur affiché sur la carte.")
]
HorizonQuery = Annotated[str | None, Query(max_length=10, description="Horizon climatique.")]

router = APIRouter(include_in_schema=False)


def accept_encoding(request: Request) -> str:
    """Return the encodings the client accepts (the page cache keeps a gzip form)."""
    return request.headers.get("accept-encoding", "")


@router.get("/territoires/{code}", response_class=HTMLResponse)
async def territory(
    request: Request,
    state: State,
    code: str,
    indicateur: IndicatorQuery = None,
    horizon: HorizonQuery = None,
    tri: Annotated[str | None, Query(max_length=20)] = None,
    ordre: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    state.territory(code)  # 404 before anything is cached
    key = ("territoire", code, indicateur, horizon, tri, ordre)
    return await state.pages.respond(
        key,
        lambda: territory_page(request, state, code, indicateur, horizon, tri, ordre),
        accept_encoding=accept_encoding(request),
    )


def territory_page(
    request: Request,
    state: WebState,
    code: str,
    indicateur: str | None,
    horizon: str | None,
    tri: str | None,
    ordre: str | None,
) -> HTMLResponse:
    """Render the territory page for the chosen indicator, horizon and table order."""
    td, pay = state.territory(code)
    indicator, hz, notes = resolve_choice(td, indicateur, horizon)
    sort = tri if tri in QPV_TABLE_SORTS else "rang"
    descending = ordre == "desc" if ordre in ("asc", "desc") else sort == "indice"
    every = sort_rows(qpv_rows(td, indicator=indicator, horizon=hz), sort, descending)
    rows = [r for r in every if r["status"] != INCOMPLETE]
    apart = [r for r in every if r["status"] == INCOMPLETE]
    contributions_url = None
    if state.contributions.enabled:
        contributions_url = f"{CONTRIBUTIONS_GEOJSON}?territory={td.code}"
    config = map_config(
        td,
        state.settings,
        indicator=indicator,
        horizon=hz,
        contributions_url=contributions_url,
    )
    return render_page(
        request,
        state,
        "territoire.html",
        "territoire",
        td=td,
        summary=pay.summary,
        groups=indicator_groups(td),
        horizons=horizon_options(),
        indicator=td.indicators[indicator],
        horizon=hz,
        legend=td.legend(indicator, hz),
        notes=notes,
        rows=rows,
        apart=apart,
        index_labels=index_labels(rows),
        reference=reference_sentence(td.record),
        sort=sort,
        descending=descending,
        config=config,
        has_uncertainty=td.has_uncertainty,
        run_notes=run_notes_shown(td),
        coverage=coverage_block(td),
        coverage_explanation=ZERO_COVERAGE_TEXT,
        climate_source=climate_source_text(td),
    )
