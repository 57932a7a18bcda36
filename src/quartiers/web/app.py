"""The FastAPI application factory: load diagnostics once, mount API, pages, assets.

``create_app([dir, …], settings=…)`` loads every diagnostic directory at once (a bad one
raises :class:`~quartiers.errors.InputError` before anything is served), builds the cached
payloads, mounts the JSON API (``/api``, OpenAPI at ``/api/openapi.json``), the pages, the
downloads, the OGC API – Features (``/ogc``, see :mod:`quartiers.web.ogc`), the local
static assets (MapLibre GL JS from npm, no CDN) and, when installed,
the residents' contributions router. The routers are defined at module level; what they
share (:class:`~quartiers.web.state.WebState`) is kept in ``app.state.web`` and reaches the
routes through ``Depends``. One set of French error handlers
(:func:`~quartiers.web.errors.install_error_handlers`) answers for every router.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quartiers.actions import api as actions_api
from quartiers.actions.workshop import Workshop
from quartiers.settings import Settings
from quartiers.version import __version__
from quartiers.web import api, documents, downloads, pages
from quartiers.web.catalog import Catalog
from quartiers.web.contributions import disabled, mount_contributions
from quartiers.web.errors import install_error_handlers
from quartiers.web.limits import MAX_BODY_BYTES, BodyLimit, ForwardedFor, parse_trusted
from quartiers.web.ogc import build_ogc_app
from quartiers.web.state import WebState, build_state
from quartiers.web.templating import STATIC_DIR

__all__ = ["VENDOR_DIR", "content_security_policy", "create_app"]

logger = logging.getLogger(__name__)

VENDOR_DIR = STATIC_DIR / "vendor"

API_DESCRIPTION = """
API du diagnostic de vulnérabilité des quartiers prioritaires (QPV) aux vagues de chaleur.

* Identifiants stables : territoire = code INSEE de la commune ou SIREN de l'EPCI ;
  QPV = `code_qp` (QPV 2024) dans son territoire ; carreau = `idcar_200m` (INSEE).
* Listes paginées par `limit` et `offset` ; réponses `{"items", "total", "limit", "offset"}`.
* Géométries en GeoJSON, WGS84 (EPSG:4326) ; les fichiers téléchargeables sont en EPSG:3035.
* Erreurs en français : `{"detail": "…"}` (404 code inconnu, 400 emprise illisible ou trop
  grande, 422 paramètre invalide).
"""


def content_security_policy(basemap_url: str = "") -> str:
    """Return the Content-Security-Policy of the pages (only this site, plus the basemap)."""
    extra = ""
    if basemap_url:
        parts = urlsplit(basemap_url.replace("{", "").replace("}", ""))
        extra = f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; "
        f"img-src 'self' data: blob:{extra}; "
        f"connect-src 'self'{extra}; "
        "script-src 'self'; "
        "style-src 'self'; "
        "worker-src 'self' blob:; "
        "child-src 'self' blob:; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


def create_app(
    diagnostic_dirs: Sequence[Path],
    *,
    settings: Settings,
    contributions: bool = True,
    secure_cookies: bool = True,
    forwarded_allow_ips: Sequence[str] | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """Create the web application over one or several diagnostic directories.

    Parameters
    ----------
    diagnostic_dirs
        Output directories of ``quartiers diagnose`` / the demo (one per territory).
    settings
        Settings (online basemap, contributions database, secret key).
    contributions
        Mount the residents' contributions (store at ``settings.database_url``, public form,
        JSON API and moderation pages); False serves the diagnostic alone.
    secure_cookies
        Send the moderators' session cookies only over HTTPS (behind a TLS proxy); False for
        plain HTTP on the loopback interface, where browsers would drop them.
    forwarded_allow_ips
        Proxies whose ``X-Forwarded-For`` is trusted (addresses or networks, ``*`` for all);
        None (default) ignores the header: the client is the direct peer.
    max_body_bytes
        Largest request body on any route (413 above it; routes may be stricter).

    Raises
    ------
    InputError
        A directory that is not a diagnostic, two directories of the same territory, none.
    """
    catalog = Catalog.load([Path(d) for d in diagnostic_dirs])
    state = build_state(catalog, settings)
    if not (VENDOR_DIR / "maplibre-gl.js").is_file():
        logger.warning(
            "MapLibre GL JS absent de %s : lancez « make assets » (les cartes ne s'afficheront "
            "pas, le reste du site fonctionne)",
            VENDOR_DIR,
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.contributions.close()

    app = FastAPI(
        title="Quartiers en transition — API",
        description=API_DESCRIPTION,
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load their assets from a CDN: not used
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    state.contributions = (
        mount_contributions(app, catalog, settings, secure_cookies=secure_cookies)
        if contributions
        else disabled("contributions désactivées au lancement")
    )
    install_error_handlers(app)
    actions_api.serve_workshops(app, _workshops(catalog, settings))
    app.include_router(api.router)
    app.include_router(actions_api.router)
    app.include_router(downloads.router)
    app.include_router(documents.router)
    app.mount("/ogc", build_ogc_app(state))
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SelectiveGZip, minimum_size=2048)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(SecurityHeaders, policy=content_security_policy(settings.basemap_url))
    if forwarded_allow_ips is not None:  # outermost: every layer sees the real client
        app.add_middleware(ForwardedFor, trusted=parse_trusted(forwarded_allow_ips))
    return app


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers a response does not set itself.

    (A pure ASGI layer, not ``@app.middleware("http")``, whose task group per request costs
    more than the cached QPV endpoints themselves.)
    """

    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", policy.encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                # the participation pages send their own, stricter policy: kept
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SelectiveGZip:
    """Compress pages, assets and GeoJSON; leave the small cached JSON of the API as is."""

    def __init__(self, app: ASGIApp, *, minimum_size: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")) if scope["type"] == "http" else ""
        if path.startswith("/api/") and not path.endswith(("/cells", ".geojson", "/method")):
            await self.app(scope, receive, send)
        else:
            await self.gzip(scope, receive, send)


def app_state(app: FastAPI) -> WebState:
    """Return the state of an application made by :func:`create_app`."""
    state: WebState = app.state.web
    return state


def _workshops(catalog: Catalog, settings: Settings) -> dict[str, Workshop]:
    """Open the « du diagnostic aux solutions » workshop of every served territory.

    Inputs are reloaded only at a territory's first what-if, so this costs nothing at startup.
    """
    return {
        code: Workshop.open(data.directory, settings=settings, diagnostic=data.diagnostic)
        for code, data in catalog.territories.items()
    }
