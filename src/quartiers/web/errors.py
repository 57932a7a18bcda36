"""HTTP errors of the web app, always in French: JSON under ``/api``, an HTML page elsewhere.

This is the only place where the web layer turns errors into HTTP statuses: an unknown
territory or QPV gives 404 and every :class:`~quartiers.errors.QuartiersError` its own
``http_status`` (:func:`quartiers.errors.http_detail`, shared with the participation
router); a bad query 400 or 422 with a French message naming the parameter.
:func:`install_error_handlers` is installed on every application serving the site's routers
(the web app, and the bare applications of the tests of a router): the routers raise, they
never format an error themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from quartiers.errors import QuartiersError, SourceError, http_detail
from quartiers.validation_fr import french_validation_errors
from quartiers.web.templating import TEMPLATES, render_error

__all__ = [
    "BODY_UNREADABLE",
    "french_validation_errors",
    "install_error_handlers",
    "wants_json",
]

logger = logging.getLogger(__name__)

_STATUS_FR = {
    400: "requête incorrecte",
    404: "ressource introuvable",
    405: "méthode HTTP non autorisée pour cette adresse",
    406: "format de réponse non disponible",
    413: "requête trop volumineuse",
    415: "type de contenu non pris en charge",
    429: "trop de requêtes, réessayez plus tard",
    500: "erreur interne du serveur",
    503: "service momentanément indisponible",
}


def wants_json(request: Request) -> bool:
    """Tell whether the client gets JSON errors (the API) rather than an HTML page."""
    return request.url.path.startswith("/api")


HtmlRenderer = Callable[[Request, int, str], HTMLResponse]


def install_error_handlers(app: FastAPI, render_html: HtmlRenderer = render_error) -> None:
    """Register the French error handlers on ``app`` and give it the site's templates.

    ``render_html(request, status, message)`` draws the error page (by default the site's,
    :func:`quartiers.web.templating.render_error`). The one Jinja environment is published
    as ``app.state.templates`` for the routers that render pages without importing the web
    package (the workshop page of :mod:`quartiers.actions.api`).
    """
    app.state.templates = TEMPLATES

    def respond(request: Request, status: int, message: str, **headers: str) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status, headers=headers or None)
        response = render_html(request, status, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(QuartiersError)
    async def _ours(request: Request, exc: QuartiersError) -> Response:
        if isinstance(exc, SourceError):
            logger.error("source indisponible sur %s : %s", request.url.path, exc)
        status, detail = http_detail(exc)
        if wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status)
        return render_html(request, status, detail if isinstance(detail, str) else str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail: Any = exc.detail
        if detail == _BODY_PARSE_ERROR:  # invalid UTF-8, JSON nested too deep…
            return respond(request, 400, BODY_UNREADABLE)
        if isinstance(detail, str) and detail and not _english(detail):
            message = detail
        elif not isinstance(detail, str) and detail and wants_json(request):
            return JSONResponse({"detail": detail}, status_code=exc.status_code)
        else:  # Starlette's English reason phrases ("Not Found"…) become French
            message = _STATUS_FR.get(exc.status_code, f"erreur {exc.status_code}")
            if exc.status_code == 404:
                message += f" : {request.url.path}"
        return respond(request, exc.status_code, message, **(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = french_validation_errors(exc.errors())
        if wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        lines = "; ".join(f"{e['loc'][-1] if e['loc'] else '?'} : {e['msg']}" for e in errors)
        return render_html(request, 422, f"paramètres invalides — {lines}")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        logger.exception("erreur interne sur %s", request.url.path)
        return respond(request, 500, _STATUS_FR[500])


_PHRASES = frozenset(status.phrase for status in HTTPStatus)
_BODY_PARSE_ERROR = "There was an error parsing the body"
#: French message of a body FastAPI cannot parse (not UTF-8, JSON nested too deep…).
BODY_UNREADABLE = (
    "corps de la requête illisible : JSON en UTF-8 attendu, sans imbrication excessive"
)


def _english(detail: str) -> bool:
    """Tell whether a detail is one of Starlette's English reason phrases."""
    return detail in _PHRASES
