"""The one Jinja environment of the site: web pages, error page and the actions workshop page.

Built once at import, with the French filters (:mod:`quartiers.outputs.formatting`) and the
globals that do not depend on the served territories. What does (the territories, the
contributions adapter) is read from the application state at each rendering by
:func:`render_page`, so several applications (the tests build many) share the environment
safely. The workshop page of :mod:`quartiers.actions` is found under the ``actions/`` prefix;
its router reaches the environment through ``app.state.templates`` (set by
:func:`quartiers.web.errors.install_error_handlers`), never by importing this module.

The roadmap document (``actions/export.py``) and the report sheets (``report/``) are printed
documents with their own environments, not pages of the site.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup

from quartiers._version import __version__
from quartiers.indicators.registry import DIMENSIONS
from quartiers.outputs.formatting import (
    MISSING,
    format_date,
    format_gap,
    format_number,
    format_ratio,
    format_share,
    format_value,
    ordinal,
)
from quartiers.outputs.glossary import GLOSSARY, method_value, term, term_id
from quartiers.schemas import HORIZONS
from quartiers.web import urls
from quartiers.web.state import WebState

__all__ = ["ENVIRONMENT", "STATIC_DIR", "TEMPLATES", "render_error", "render_page"]

STATIC_DIR = Path(__file__).parent / "static"


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


def _static(path: str) -> str:
    return f"/static/{path}?v={__version__}"


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("quartiers.web", "templates"),
                PrefixLoader({"actions": PackageLoader("quartiers.actions", "templates")}),
            ]
        ),
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
        part=format_share,
        ordinal=ordinal,
        taille=_size,
        json_script=_json_script,
        methode_fr=method_value,
    )
    env.globals.update(
        site="Quartiers en transition",
        version=__version__,
        static=_static,
        urls=urls,
        MISSING=MISSING,
        DIMENSIONS=DIMENSIONS,
        HORIZONS=HORIZONS,
        zip=zip,
        terme=term,
        terme_id=term_id,
        GLOSSAIRE=GLOSSARY,
    )
    return env


#: The Jinja environment of every page of the site.
ENVIRONMENT = _environment()
#: The same environment as Starlette templates (``TemplateResponse``).
TEMPLATES = Jinja2Templates(env=ENVIRONMENT)


def render_page(
    request: Request, state: WebState, name: str, nav: str, **context: Any
) -> HTMLResponse:
    """Render a page of the site: ``nav`` marks the menu entry, ``context`` wins over the
    served territories and contributions the templates find by default."""
    site = {"territories": list(state.catalog), "contributions": state.contributions}
    return TEMPLATES.TemplateResponse(request, name, {**site, "nav": nav, **context})


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """Render the French error page."""
    titles = {404: "Page introuvable", 400: "Requête incorrecte", 422: "Paramètres invalides"}
    return TEMPLATES.TemplateResponse(
        request,
        "erreur.html",
        {"status": status, "title": titles.get(status, "Erreur"), "message": message},
        status_code=status,
    )
