"""FastAPI router of the actions: catalogue, suggestions, what-if, roadmap, workshop page.

:data:`router` is an :class:`~fastapi.APIRouter` the web app mounts as is, after giving it
the served workshops with :func:`serve_workshops`::

    GET  /api/actions/catalogue
    GET  /api/territories/{code}/qpv/{code_qp}/actions          suggestions, needs, horizons
    POST /api/territories/{code}/qpv/{code_qp}/actions/whatif   {"choices": [...]}
    GET  /api/territories/{code}/qpv/{code_qp}/feuille-de-route.{docx|pdf}
         ?actions=id&actions=id&part_<id>=15&lon_<id>=…&lat_<id>=…&simuler=1  (or ?choix=<JSON>)
    POST /api/territories/{code}/qpv/{code_qp}/feuille-de-route.{docx|pdf}
         {"choices": [...], "simulate": true}
    GET  /territoires/{code}/qpv/{code_qp}/atelier                the workshop page (HTML)
    GET  /atelier/static/{file}                                   its script and style sheet

Errors are French: 404 for an unknown territory or QPV, 400 for a bad choice
(``{"detail": "…"}``). The routes raise :class:`~quartiers.errors.QuartiersError`; the
application's handlers (:func:`quartiers.web.errors.install_error_handlers`, which also
publishes the site's Jinja environment the workshop page is rendered with) answer them.
The page uses no inline script or style (strict CSP friendly).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quartiers.actions.choices import Choice
from quartiers.actions.export import FORMATS, roadmap_docx, roadmap_pdf
from quartiers.actions.horizons import climate_horizons
from quartiers.actions.page import (
    TRANSITIONS_TEMPLATE,
    WORKSHOP_TEMPLATE,
    transitions_context,
    workshop_context,
)
from quartiers.actions.payloads import (
    catalogue_json,
    horizons_json,
    need_json,
    suggestion_json,
    whatif_json,
)
from quartiers.actions.roadmap import build_roadmap
from quartiers.actions.workshop import Workshop
from quartiers.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from quartiers.participation.priorities import SessionResults

__all__ = [
    "RoadmapRequest",
    "WhatIfRequest",
    "choices_from_query",
    "router",
    "serve_workshops",
]

WorkshopLookup = Callable[[str], Workshop | None]
#: Territory and QPV codes → the residents' votes (``app.state.votes``, set by the web app
#: when the contributions database is open).
VotesLookup = Callable[[str, str], "SessionResults | None"]
_STATIC = {
    "atelier.js": "text/javascript; charset=utf-8",
    "atelier-carte.js": "text/javascript; charset=utf-8",
    "atelier.css": "text/css; charset=utf-8",
}


class WhatIfRequest(BaseModel):
    """Body of a what-if: the chosen actions and their settings."""

    model_config = ConfigDict(extra="forbid")
    choices: list[Choice] = Field(min_length=1, max_length=20)


class RoadmapRequest(BaseModel):
    """Body of a roadmap download: the chosen actions; ``simulate`` runs the what-if."""

    model_config = ConfigDict(extra="forbid")
    choices: list[Choice] = Field(min_length=1, max_length=20)
    simulate: bool = False
    first_year: int | None = Field(default=None, ge=2020, le=2050)


def _number(value: str, name: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise InputError(f"paramètre {name} : nombre attendu, reçu « {value} »") from None


def choices_from_query(params: Mapping[str, str], actions: list[str]) -> list[Choice]:
    """Return choices from query parameters (the workshop form, usable without script).

    ``choix`` holds a JSON list of choices; otherwise every ``actions`` value (repeated or
    comma-separated) is chosen, with ``part_<id>`` (percent of the cell or of its roadway),
    ``lon_<id>`` and ``lat_<id>`` (WGS84 degrees) when given.
    """
    if params.get("choix"):
        try:
            raw = json.loads(params["choix"])
            return [Choice.model_validate(item) for item in raw]
        except (ValueError, TypeError, ValidationError) as exc:
            raise InputError(f"paramètre choix : liste JSON de choix attendue ({exc})") from None
    ids = [i.strip() for value in actions for i in value.split(",") if i.strip()]
    out = []
    for action_id in dict.fromkeys(ids):
        data: dict[str, Any] = {"action": action_id}
        part = params.get(f"part_{action_id}", "").strip()
        if part:
            data["amount"] = _number(part, f"part_{action_id}") / 100.0
        lon = params.get(f"lon_{action_id}", "").strip()
        lat = params.get(f"lat_{action_id}", "").strip()
        if lon and lat:
            data["points"] = [(_number(lon, f"lon_{action_id}"), _number(lat, f"lat_{action_id}"))]
        try:
            out.append(Choice.model_validate(data))
        except ValidationError as exc:
            raise InputError(
                f"action « {action_id} » : réglage invalide ({exc.errors()[0]['msg']})"
            ) from None
    if not out:
        raise InputError("aucune action choisie (paramètre actions)")
    return out


def serve_workshops(app: FastAPI, workshops: Mapping[str, Workshop] | WorkshopLookup) -> None:
    """Give the routers of ``app`` the workshops they serve (kept in ``app.state``).

    Parameters
    ----------
    app
        The application that includes :data:`router`.
    workshops
        Territory code → :class:`~quartiers.actions.workshop.Workshop` (a mapping, or a
        function returning None for an unknown code).
    """
    app.state.workshops = workshops.get if isinstance(workshops, Mapping) else workshops


async def _lookup(request: Request) -> WorkshopLookup:
    lookup: WorkshopLookup | None = getattr(request.app.state, "workshops", None)
    if lookup is None:  # a programming error: the app did not call serve_workshops
        raise RuntimeError("no workshops: call serve_workshops(app, workshops) first")
    return lookup


async def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates | None = getattr(request.app.state, "templates", None)
    if templates is None:  # a programming error: the app did not install the web handlers
        raise RuntimeError("no site templates: call install_error_handlers(app) first")
    return templates


Workshops = Annotated[WorkshopLookup, Depends(_lookup)]
Templates = Annotated[Jinja2Templates, Depends(_templates)]

#: The actions routes; the workshops come from :func:`serve_workshops`.
router = APIRouter()


def _workshop(find: WorkshopLookup, code: str, code_qp: str | None = None) -> Workshop:
    found = find(code)
    if found is None:
        raise NotFoundError(f"territoire inconnu « {code} »")
    if code_qp is not None and code_qp not in set(found.diagnostic.qpv["code_qp"].astype(str)):
        raise NotFoundError(f"QPV inconnu « {code_qp} » dans le territoire {code}")
    return found


@router.get("/api/actions/catalogue", tags=["actions"], summary="Catalogue des actions")
def catalogue(find: Workshops, code: str | None = None) -> dict[str, Any]:
    """Return the catalogue of adaptation actions (of a territory's workshop if given)."""
    if code is not None:
        return catalogue_json(_workshop(find, code).catalogue)
    from quartiers.actions.catalogue import default_catalogue

    return catalogue_json(default_catalogue())


@router.get(
    "/api/territories/{code}/qpv/{code_qp}/actions",
    tags=["actions"],
    summary="Actions suggérées pour un QPV",
)
def suggestions(
    find: Workshops, code: str, code_qp: str, limit: int | None = None
) -> dict[str, Any]:
    """Return the QPV's needs, climate horizons and ranked actions with default settings."""
    w = _workshop(find, code, code_qp)
    items = w.suggestions(code_qp, limit=limit)
    return {
        "territory": code,
        "code_qp": code_qp,
        "needs": [need_json(n) for n in w.needs(code_qp)],
        "horizons": horizons_json(climate_horizons(w.diagnostic, code_qp)),
        "can_simulate": w.can_simulate,
        "items": [suggestion_json(s, rank) for rank, s in enumerate(items, start=1)],
        "total": len(items),
    }


@router.post(
    "/api/territories/{code}/qpv/{code_qp}/actions/whatif",
    tags=["actions"],
    summary="Simuler des actions (avant / après)",
)
def whatif(find: Workshops, code: str, code_qp: str, body: WhatIfRequest) -> Any:
    """Apply the chosen actions and return the QPV before/after and the changed cells."""
    w = _workshop(find, code, code_qp)
    return whatif_json(w.whatif(code_qp, body.choices), code_qp)


def _roadmap(
    request: Request,
    w: Workshop,
    code_qp: str,
    choices: list[Choice],
    fmt: str,
    simulate: bool,
    first_year: int | None,
) -> Response:
    full = w.complete(code_qp, choices)
    result = w.whatif(code_qp, choices) if simulate else None
    votes: VotesLookup | None = getattr(request.app.state, "votes", None)
    roadmap = build_roadmap(
        w.diagnostic,
        code_qp,
        full,
        catalogue=w.catalogue,
        whatif=result,
        first_year=first_year,
        votes=votes(w.code, code_qp) if votes is not None else None,
    )
    data = roadmap_docx(roadmap) if fmt == "docx" else roadmap_pdf(roadmap)
    name = f"feuille-de-route-{code_qp}.{fmt}"
    return Response(
        content=data,
        media_type=FORMATS[f".{fmt}"],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get(
    "/api/territories/{code}/qpv/{code_qp}/feuille-de-route.{fmt}",
    tags=["actions"],
    summary="Télécharger la feuille de route (DOCX ou PDF)",
    response_class=Response,
)
def roadmap_get(
    request: Request, find: Workshops, code: str, code_qp: str, fmt: Literal["docx", "pdf"]
) -> Response:
    """Download the roadmap of the actions chosen in the query (see the module doc)."""
    w = _workshop(find, code, code_qp)
    params = dict(request.query_params)
    choices = choices_from_query(params, request.query_params.getlist("actions"))
    simulate = params.get("simuler", "") in ("1", "oui", "true")
    return _roadmap(request, w, code_qp, choices, fmt, simulate, None)


@router.post(
    "/api/territories/{code}/qpv/{code_qp}/feuille-de-route.{fmt}",
    tags=["actions"],
    summary="Télécharger la feuille de route des choix envoyés",
    response_class=Response,
)
def roadmap_post(
    request: Request,
    find: Workshops,
    code: str,
    code_qp: str,
    fmt: Literal["docx", "pdf"],
    body: RoadmapRequest,
) -> Response:
    """Download the roadmap of the choices in the body."""
    w = _workshop(find, code, code_qp)
    return _roadmap(request, w, code_qp, body.choices, fmt, body.simulate, body.first_year)


@router.get(
    "/territoires/{code}/qpv/{code_qp}/atelier",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def page(
    request: Request, find: Workshops, templates: Templates, code: str, code_qp: str
) -> HTMLResponse:
    """Render the workshop page of a QPV."""
    w = _workshop(find, code, code_qp)
    if getattr(request.app.state, "warm_workshops", False):
        w.warm()  # the what-if baseline is ready by the time the room simulates
    context = workshop_context(w, code, code_qp)
    sessions = getattr(request.app.state, "vote_sessions", None)
    context["vote_sessions"] = sessions(code, code_qp) if sessions is not None else None
    return templates.TemplateResponse(request, WORKSHOP_TEMPLATE, context)


@router.get(
    "/territoires/{code}/qpv/{code_qp}/transitions",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def transitions_page(
    request: Request, find: Workshops, templates: Templates, code: str, code_qp: str
) -> HTMLResponse:
    """Render the « transitions » panel of a QPV (climate, nature, food, energy)."""
    w = _workshop(find, code, code_qp)
    context = transitions_context(w, code, code_qp)
    return templates.TemplateResponse(request, TRANSITIONS_TEMPLATE, context)


@router.get("/atelier/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """Serve the workshop page's script and style sheet."""
    if name not in _STATIC:
        return JSONResponse({"detail": f"fichier inconnu « {name} »"}, status_code=404)
    text = resources.files("quartiers.actions").joinpath(f"static/{name}").read_text("utf-8")
    return Response(text, media_type=_STATIC[name])
