"""HTML pages (French, server-rendered with Jinja2; maps and table sorting add JavaScript).

Pages: home (territories), territory overview (map, legend, sortable QPV table, contribution
form; :mod:`~quartiers.web.pages_territory`), QPV page (:mod:`~quartiers.web.pages_qpv`),
comparison, method, glossary, downloads, API documentation. Every page works without JavaScript
except the maps, whose content is also given as tables. :data:`router` serves them all.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from quartiers.web import pages_qpv, pages_territory
from quartiers.web.comparison_view import comparison_context
from quartiers.web.documents import DOCUMENT_FOLDERS, documents_of
from quartiers.web.downloads import downloads_of
from quartiers.web.pages_territory import HorizonQuery, IndicatorQuery, accept_encoding
from quartiers.web.state import State
from quartiers.web.templating import render_page
from quartiers.web.uncertainty_view import uncertainty_of
from quartiers.web.validation_view import validation_of
from quartiers.web.views import indicator_groups

__all__ = ["router"]

#: Every HTML page of the site (not in the OpenAPI document).
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, state: State) -> Response:
    def render() -> HTMLResponse:
        cards = [state.payloads[td.code].summary for td in state.catalog]
        return render_page(request, state, "accueil.html", "accueil", cards=cards)

    return await state.pages.respond(("accueil",), render, accept_encoding=accept_encoding(request))


router.include_router(pages_territory.router)
router.include_router(pages_qpv.router)


@router.get("/comparaison", response_class=HTMLResponse)
async def comparison(
    request: Request,
    state: State,
    indicateur: IndicatorQuery = None,
    horizon: HorizonQuery = None,
) -> Response:
    def render() -> HTMLResponse:
        context = comparison_context(state, indicateur, horizon)
        return render_page(request, state, "comparaison.html", "comparaison", **context)

    key = ("comparaison", indicateur, horizon)
    return await state.pages.respond(key, render, accept_encoding=accept_encoding(request))


@router.get("/methode", response_class=HTMLResponse)
def method(request: Request, state: State) -> HTMLResponse:
    methods = {m["territory"]: m for m in json.loads(state.method_json)["territories"]}
    validations = {td.code: validation_of(td.diagnostic.run) for td in state.catalog}
    uncertainties = {td.code: uncertainty_of(td.diagnostic.run) for td in state.catalog}
    first = next(iter(state.catalog))
    return render_page(
        request,
        state,
        "methode.html",
        "methode",
        methods=methods,
        validations={k: v for k, v in validations.items() if v},
        uncertainties={k: v for k, v in uncertainties.items() if v},
        groups=indicator_groups(first),
    )


@router.get("/glossaire", response_class=HTMLResponse)
def glossary(request: Request, state: State) -> HTMLResponse:
    return render_page(request, state, "glossaire.html", "glossaire")


@router.get("/telechargements", response_class=HTMLResponse)
def downloads(request: Request, state: State) -> HTMLResponse:
    files = {td.code: downloads_of(td) for td in state.catalog}
    documents = {td.code: documents_of(td) for td in state.catalog}
    return render_page(
        request,
        state,
        "telechargements.html",
        "telechargements",
        files=files,
        documents=documents,
        folders=DOCUMENT_FOLDERS,
    )


def api_entries(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the operations of an OpenAPI document for the API documentation page."""
    entries = []
    for path, methods in spec.get("paths", {}).items():
        for verb, op in methods.items():
            params = [
                {
                    "name": p.get("name"),
                    "where": {"path": "chemin", "query": "requête"}.get(p.get("in"), p.get("in")),
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
    return entries


@router.get("/documentation-api", response_class=HTMLResponse)
def api_doc(request: Request, state: State) -> HTMLResponse:
    entries = api_entries(request.app.openapi())
    example = next(iter(state.catalog))
    return render_page(request, state, "api.html", "api", entries=entries, example=example)
