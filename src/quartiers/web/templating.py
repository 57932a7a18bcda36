"""The one Jinja environment of the site: web pages, error page and the actions workshop page.

Built once at import by :func:`quartiers.outputs.templating.template_environment` (French
filters and globals shared with the printed documents), plus the site's URL builders. What
depends on the served territories (the territories, the contributions adapter) is read from
the application state at each rendering by :func:`render_page`, so several applications (the
tests build many) share the environment safely. The workshop page of
:mod:`quartiers.actions` is found under the ``actions/`` prefix; its router reaches the
environment through ``app.state.templates`` (set by
:func:`quartiers.web.errors.install_error_handlers`), never by importing this module.

The roadmap document (``actions/export.py``) and the report sheets (``report/``) are printed
documents: they get their environments from the same factory, not from this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from quartiers.outputs.templating import ZONES_FLAG, template_environment, zones_run
from quartiers.web import urls
from quartiers.web.state import WebState

__all__ = ["ENVIRONMENT", "STATIC_DIR", "TEMPLATES", "render_error", "render_page"]

STATIC_DIR = Path(__file__).parent / "static"


#: The Jinja environment of every page of the site.
ENVIRONMENT = template_environment("web", extra_globals={"urls": urls})
#: The same environment as Starlette templates (``TemplateResponse``).
TEMPLATES = Jinja2Templates(env=ENVIRONMENT)


def render_page(
    request: Request, state: WebState, name: str, nav: str, **context: Any
) -> HTMLResponse:
    """Render a page of the site: ``nav`` marks the menu entry, ``context`` wins over the
    served territories and contributions the templates find by default."""
    site: dict[str, Any] = {
        "territories": list(state.catalog),
        "contributions": state.contributions,
    }
    td = context.get("td")
    if td is not None:  # a territory's page: its words follow its run (« zones » with --zones)
        site[ZONES_FLAG] = zones_run(td.diagnostic.run.get("input_notes") or {})
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
