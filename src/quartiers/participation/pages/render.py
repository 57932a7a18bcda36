"""Rendering of the moderation pages: their Jinja environment (the shared factory), headers.

Jinja2 autoescapes every value (contribution texts are hostile input). Pages send a strict
Content-Security-Policy (no script at all, the one stylesheet allowed by its hash), forbid
framing and caching.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from quartiers.outputs.templating import template_environment
from quartiers.participation.accounts import Identity
from quartiers.participation.webauth import WebAuth

__all__ = [
    "ACTIONS",
    "FormText",
    "error_page",
    "page_number",
    "redirect",
    "render",
    "route_path",
]

_ENV = template_environment("participation", strict=True)
_CSS = (
    resources.files("quartiers.participation")
    .joinpath("templates/moderation.css")
    .read_text(encoding="utf-8")
)
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii")
_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

#: Audit actions in French (queue history and audit log).
ACTIONS = {
    "publish": "publication",
    "reject": "rejet",
    "edit": "correction",
    "login": "connexion",
    "login_failed": "connexion refusée",
    "logout": "déconnexion",
    "import": "import d'atelier",
    "restore": "restauration",
    "moderator_add": "ajout de modérateur",
    "moderator_password": "nouveau mot de passe",
    "moderator_enable": "compte réactivé",
    "moderator_disable": "compte désactivé",
    "priorities_open": "ouverture d'un vote de priorités",
    "priorities_close": "clôture d'un vote de priorités",
}

FormText = Annotated[str, Form()]


def route_path(request: Request, name: str, **params: Any) -> str:
    """Return a named route's path (mount prefix included): links hold behind an HTTPS proxy."""
    return request.url_for(name, **params).path


def _urls(request: Request) -> dict[str, str]:
    return {
        name: route_path(request, route)
        for name, route in (
            ("queue", "moderation_queue"),
            ("login", "moderation_login"),
            ("logout", "moderation_logout"),
            ("journal", "moderation_journal"),
            ("priorities", "moderation_priorities"),
        )
    }


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    current: tuple[Identity, str] | None = None,
    auth: WebAuth | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the common context (links, moderator, session CSRF token)."""
    identity = current[0] if current else None
    base: dict[str, Any] = {
        "css": _CSS,
        "urls": _urls(request),
        "moderator": identity.login if identity else None,
        "is_admin": bool(identity and identity.is_admin()),
    }
    if current is not None and auth is not None and "csrf_token" not in context:
        base["csrf_token"] = auth.csrf_for_session(current[1])
    html = _ENV.get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status_code, headers=_HEADERS)


def error_page(
    request: Request, status_code: int, title: str, message: str, **kw: Any
) -> HTMLResponse:
    """Render the French error page with a link back to the queue."""
    return render(
        request,
        "erreur.html",
        status_code=status_code,
        title=title,
        message=message,
        back_url=route_path(request, "moderation_queue"),
        back_label="Retour à la file de modération",
        **kw,
    )


def redirect(url: str) -> RedirectResponse:
    """Return a 303 redirection that no cache keeps."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def page_number(value: str) -> int:
    """Return the page number of a query value (1 when absent or invalid, capped)."""
    return min(int(value), 100_000) if value.isdigit() and int(value) > 0 else 1
