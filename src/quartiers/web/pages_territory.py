"""The territory page: map, legend, sortable QPV table and contribution form.

Rendered once per distinct query and kept (:class:`~quartiers.web.page_cache.PageCache`):
the served diagnostics do not change while the server runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from quartiers.errors import NotFoundError
from quartiers.sources.territory_codes import REGIONS
from quartiers.web.catalog import TerritoryData
from quartiers.web.qpv_list import listing
from quartiers.web.state import State, WebState
from quartiers.web.templating import render_page
from quartiers.web.views import (
    INCOMPLETE,
    QPV_TABLE_SORTS,
    ZERO_COVERAGE_TEXT,
    horizon_options,
    index_labels,
    indicator_groups,
    map_config,
    resolve_choice,
    sort_rows,
)

__all__ = ["CONTRIBUTIONS_GEOJSON", "HorizonQuery", "IndicatorQuery", "router"]

CONTRIBUTIONS_GEOJSON = "/api/contributions.geojson"

IndicatorQuery = Annotated[
    str | None, Query(max_length=60, description="Indicateur affiché sur la carte.")
]
HorizonQuery = Annotated[str | None, Query(max_length=10, description="Horizon climatique.")]
SearchQuery = Annotated[
    str | None, Query(max_length=100, description="Recherche : nom, commune ou code du QPV.")
]
PageQuery = Annotated[int | None, Query(ge=1, le=100_000, description="Page du tableau.")]

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
    recherche: SearchQuery = None,
    page: PageQuery = None,
) -> Response:
    state.territory(code)  # 404 before anything is cached
    key = ("territoire", code, indicateur, horizon, tri, ordre, recherche, page)
    return await state.pages.respond(
        key,
        lambda: territory_page(
            request, state, code, indicateur, horizon, tri, ordre, recherche=recherche, page=page
        ),
        accept_encoding=accept_encoding(request),
    )


@router.get("/territoires/{code}/regions/{region}", response_class=HTMLResponse)
async def territory_region(
    request: Request,
    state: State,
    code: str,
    region: str,
    indicateur: IndicatorQuery = None,
    horizon: HorizonQuery = None,
    tri: Annotated[str | None, Query(max_length=20)] = None,
    ordre: Annotated[str | None, Query(max_length=10)] = None,
    recherche: SearchQuery = None,
    page: PageQuery = None,
) -> Response:
    td, _ = state.territory(code)
    choices = state.territory_parts(td).region_choices()
    if region not in {c for c, _, _ in choices}:
        known = ", ".join(f"{c} ({n})" for c, n, _ in choices) or "aucune"
        raise NotFoundError(
            f"région {region} sans QPV dans le territoire {td.code} (régions : {known})"
        )
    key = ("region", code, region, indicateur, horizon, tri, ordre, recherche, page)
    return await state.pages.respond(
        key,
        lambda: territory_page(
            request,
            state,
            code,
            indicateur,
            horizon,
            tri,
            ordre,
            recherche=recherche,
            page=page,
            region=region,
        ),
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
    *,
    recherche: str | None = None,
    page: int | None = None,
    region: str | None = None,
) -> HTMLResponse:
    """Render the territory (or région) page for the chosen indicator, horizon, order, page."""
    td, pay = state.territory(code)
    parts = state.territory_parts(td)
    texts = parts.texts()
    indicator, hz, notes = resolve_choice(td, indicateur, horizon)
    sort = tri if tri in QPV_TABLE_SORTS else "rang"
    descending = ordre == "desc" if ordre in ("asc", "desc") else sort == "indice"
    every = sort_rows(parts.rows(indicator, hz), sort, descending)
    if region:
        inside = {c for c, r in zip(td.qpv_codes, parts.regions(), strict=True) if r == region}
        every = [r for r in every if r["code_qp"] in inside]
    keys = dict(zip(td.qpv_codes, pay.qpv_search, strict=True))
    table = listing(
        [r for r in every if r["status"] != INCOMPLETE],
        [r for r in every if r["status"] == INCOMPLETE],
        keys,
        query=recherche,
        page=page,
    )
    contributions_url = None
    if state.contributions.enabled:
        contributions_url = f"{CONTRIBUTIONS_GEOJSON}?territory={td.code}"
    config = map_config(
        td,
        state.settings,
        indicator=indicator,
        horizon=hz,
        contributions_url=contributions_url,
        shown=parts.shown(indicator, hz),
    )
    if region:
        config["bbox"] = region_bbox(td, {r["code_qp"] for r in every})
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
        rows=table.rows,
        apart=table.apart,
        table=table,
        search=recherche or "",
        page_url=request.url.path,
        region=(region, REGIONS[region]) if region else None,
        regions=parts.region_choices(),
        index_labels=index_labels(table.rows),
        reference=texts["reference"],
        sort=sort,
        descending=descending,
        config=config,
        has_uncertainty=td.has_uncertainty,
        run_notes=texts["run_notes"],
        coverage=texts["coverage"],
        coverage_explanation=ZERO_COVERAGE_TEXT,
        climate_source=texts["climate_source"],
    )


def region_bbox(td: TerritoryData, codes: set[str]) -> list[float]:
    """Return the lon/lat box of some QPV, with about 5 km around."""
    mask = td.qpv["code_qp"].astype(str).isin(codes).to_numpy()
    minx, miny, maxx, maxy = td.qpv.geometry[mask].total_bounds
    return [round(float(v), 6) for v in (minx - 0.06, miny - 0.045, maxx + 0.06, maxy + 0.045)]
