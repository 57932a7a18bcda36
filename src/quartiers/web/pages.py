"""HTML pages (French, server-rendered with Jinja2; maps and table sorting add JavaScript).

Pages: home (territories), territory overview (map, legend, sortable QPV table, contribution
form), QPV page, comparison, method, downloads, API documentation. Every page works without
JavaScript except the maps, whose content is also given as tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from quartiers._version import __version__
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    format_date,
    format_gap,
    format_number,
    format_ratio,
    format_value,
    ordinal,
)
from quartiers.outputs.perceived import compare_perceived
from quartiers.report.reference import reference_sentence
from quartiers.schemas import HORIZONS
from quartiers.web import urls
from quartiers.web.comparison_view import comparison_context
from quartiers.web.downloads import downloads_of
from quartiers.web.page_cache import PageCache
from quartiers.web.qpv_view import qpv_context
from quartiers.web.state import WebState
from quartiers.web.views import (
    INCOMPLETE,
    QPV_TABLE_SORTS,
    horizon_options,
    index_labels,
    indicator_groups,
    map_config,
    qpv_rows,
    resolve_choice,
    sort_rows,
)

__all__ = ["STATIC_DIR", "build_pages_router", "make_templates", "render_error"]

STATIC_DIR = Path(__file__).parent / "static"
CONTRIBUTIONS_GEOJSON = "/api/contributions.geojson"

IndicatorQuery = Annotated[
    str | None, Query(max_length=60, description="Indicateur affiché sur la carte.")
]
HorizonQuery = Annotated[str | None, Query(max_length=10, description="Horizon climatique.")]


def _json_script(data: Any) -> Markup:
    """Serialise data for a ``<script type="application/json">`` block (no ``</`` inside)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _size(n: int | None) -> str:
    if n is None:
        return "produit à la demande"
    if n < 1024 * 1024:
        return f"{format_number(n / 1024, 0)}\u00a0Ko"
    return f"{format_number(n / 1024 / 1024, 1)}\u00a0Mo"


def make_templates(state: WebState) -> Jinja2Templates:
    """Return the Jinja2 templates with the French filters and site globals."""
    env = Environment(
        loader=PackageLoader("quartiers.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        valeur=format_value,
        date_fr=format_date,
        ecart=format_gap,
        rapport=format_ratio,
        nombre=format_number,
        ordinal=ordinal,
        taille=_size,
        json_script=_json_script,
    )
    version = __version__
    env.globals.update(
        site="Quartiers en transition",
        version=version,
        static=lambda path: f"/static/{path}?v={version}",
        urls=urls,
        MISSING=MISSING,
        DIMENSIONS=DIMENSIONS,
        HORIZONS=HORIZONS,
        territories=list(state.catalog),
        contributions=state.contributions,
        basemap=bool(state.settings.basemap_url),
        zip=zip,
    )
    return Jinja2Templates(env=env)


def render_error(
    templates: Jinja2Templates, request: Request, status: int, message: str
) -> HTMLResponse:
    """Render the French error page."""
    titles = {404: "Page introuvable", 400: "Requête incorrecte", 422: "Paramètres invalides"}
    return templates.TemplateResponse(
        request,
        "erreur.html",
        {"status": status, "title": titles.get(status, "Erreur"), "message": message},
        status_code=status,
    )


def _encoding(request: Request) -> str:
    return request.headers.get("accept-encoding", "")


def build_pages_router(state: WebState, templates: Jinja2Templates) -> APIRouter:
    """Return the router of the HTML pages."""
    router = APIRouter(include_in_schema=False)
    cache = PageCache()

    def page(request: Request, name: str, nav: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"nav": nav, **context})

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        def render() -> HTMLResponse:
            cards = [state.payloads[td.code].summary for td in state.catalog]
            return page(request, "accueil.html", "accueil", cards=cards)

        return await cache.respond(("accueil",), render, accept_encoding=_encoding(request))

    @router.get("/territoires/{code}", response_class=HTMLResponse)
    async def territory(
        request: Request,
        code: str,
        indicateur: IndicatorQuery = None,
        horizon: HorizonQuery = None,
        tri: Annotated[str | None, Query(max_length=20)] = None,
        ordre: Annotated[str | None, Query(max_length=10)] = None,
    ) -> Response:
        state.territory(code)  # 404 before anything is cached
        key = ("territoire", code, indicateur, horizon, tri, ordre)
        return await cache.respond(
            key,
            lambda: territory_page(request, code, indicateur, horizon, tri, ordre),
            accept_encoding=_encoding(request),
        )

    def territory_page(
        request: Request,
        code: str,
        indicateur: str | None,
        horizon: str | None,
        tri: str | None,
        ordre: str | None,
    ) -> HTMLResponse:
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
        return page(
            request,
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
            reference=reference_sentence(td.run),
            sort=sort,
            descending=descending,
            config=config,
            has_uncertainty=td.has_uncertainty,
        )

    # The QPV page shows the residents' published contributions, which change: rendered at
    # every request, in a worker thread (a sync handler), never on the event loop.
    @router.get("/territoires/{code}/qpv/{code_qp}", response_class=HTMLResponse)
    def qpv(
        request: Request,
        code: str,
        code_qp: str,
        indicateur: IndicatorQuery = None,
    ) -> HTMLResponse:
        td, pay = state.territory(code)
        td.qpv_position(code_qp)
        context = qpv_context(td, pay, code_qp)
        resources = {i.id for i in td.indicators.values() if i.dimension == "resources"}
        resources |= {"index", "score_resources"}
        available = [i for i in resources if td.available(i)]
        chosen = indicateur if indicateur in available else None
        if chosen is None:
            dist = [i for i in available if i.startswith("dist_")]
            chosen = (
                sorted(dist)[0]
                if dist
                else ("score_resources" if "score_resources" in available else "index")
            )
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
        return page(
            request,
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
            sources=json.loads(pay.detail_json)["sources"],
            **context,
        )

    @router.get("/comparaison", response_class=HTMLResponse)
    async def comparison(
        request: Request, indicateur: IndicatorQuery = None, horizon: HorizonQuery = None
    ) -> Response:
        def render() -> HTMLResponse:
            context = comparison_context(state, indicateur, horizon)
            return page(request, "comparaison.html", "comparaison", **context)

        key = ("comparaison", indicateur, horizon)
        return await cache.respond(key, render, accept_encoding=_encoding(request))

    @router.get("/methode", response_class=HTMLResponse)
    def method(request: Request) -> HTMLResponse:
        methods = {m["territory"]: m for m in json.loads(state.method_json)["territories"]}
        first = next(iter(state.catalog))
        return page(
            request,
            "methode.html",
            "methode",
            methods=methods,
            groups=indicator_groups(first),
        )

    @router.get("/telechargements", response_class=HTMLResponse)
    def downloads(request: Request) -> HTMLResponse:
        files = {td.code: downloads_of(td) for td in state.catalog}
        return page(request, "telechargements.html", "telechargements", files=files)

    @router.get("/documentation-api", response_class=HTMLResponse)
    def api_doc(request: Request) -> HTMLResponse:
        spec = request.app.openapi()
        entries = []
        for path, methods in spec.get("paths", {}).items():
            for verb, op in methods.items():
                params = [
                    {
                        "name": p.get("name"),
                        "where": {"path": "chemin", "query": "requête"}.get(
                            p.get("in"), p.get("in")
                        ),
                        "required": p.get("required", False),
                        "description": p.get("description", ""),
                    }
                    for p in op.get("parameters", [])
                ]
                entries.append(
                    {
                        "verb": verb.upper(),
                        "path": path,
                        "summary": op.get("summary", ""),
                        "tags": op.get("tags", []),
                        "params": params,
                    }
                )
        example = next(iter(state.catalog))
        return page(request, "api.html", "api", entries=entries, example=example)

    return router
