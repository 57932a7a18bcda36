"""Server-rendered French moderation pages: login, queue, publish/reject, audit log.

Jinja2 autoescapes every value (contribution texts are hostile input). Pages send a strict
Content-Security-Policy (no script at all, the one stylesheet allowed by its hash), forbid
framing and caching. Every form carries a CSRF token; a cross-site ``Origin`` is refused.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from quartiers.errors import ForbiddenError, NotFoundError
from quartiers.participation import audit
from quartiers.participation import validation as v
from quartiers.participation.accounts import Identity
from quartiers.participation.ratelimit import RateLimiter
from quartiers.participation.routing import same_origin
from quartiers.participation.security import new_token
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import Status
from quartiers.participation.webauth import WebAuth

__all__ = ["add_pages"]

_ENV = Environment(
    loader=PackageLoader("quartiers.participation", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
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
_ACTIONS = {
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
}
_SOURCES = {"web": "formulaire en ligne", "workshop": "atelier"}
_STATUS_CHOICES = [
    ("pending", "En attente"),
    ("published", "Publiées"),
    ("rejected", "Rejetées"),
    ("all", "Toutes"),
]
_DONE = {"publish": "publiée", "reject": "rejetée"}
_STATUS_PLURALS = {
    Status.PENDING: ("en attente", "en attente"),
    Status.PUBLISHED: ("publiée", "publiées"),
    Status.REJECTED: ("rejetée", "rejetées"),
}

ContributionId = Annotated[int, Path(ge=1, le=2_147_483_647)]
FormText = Annotated[str, Form()]


def _path(request: Request, name: str, **params: Any) -> str:
    """Return a named route's path (mount prefix included): links hold behind an HTTPS proxy."""
    return request.url_for(name, **params).path


def _urls(request: Request) -> dict[str, str]:
    return {
        name: _path(request, route)
        for name, route in (
            ("queue", "moderation_queue"),
            ("login", "moderation_login"),
            ("logout", "moderation_logout"),
            ("journal", "moderation_journal"),
        )
    }


def _render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    current: tuple[Identity, str] | None = None,
    auth: WebAuth | None = None,
    **context: Any,
) -> HTMLResponse:
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


def _error_page(
    request: Request, status_code: int, title: str, message: str, **kw: Any
) -> HTMLResponse:
    return _render(
        request,
        "erreur.html",
        status_code=status_code,
        title=title,
        message=message,
        back_url=_path(request, "moderation_queue"),
        back_label="Retour à la file de modération",
        **kw,
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _page_number(value: str) -> int:
    return min(int(value), 100_000) if value.isdigit() and int(value) > 0 else 1


def add_pages(router: APIRouter, store: ContributionStore, auth: WebAuth) -> None:
    """Add the moderation pages to ``router`` (hidden from the OpenAPI description)."""
    page_size = auth.config.page_size

    def login_form(
        request: Request,
        *,
        status_code: int = 200,
        error: str = "",
        notice: str = "",
        login: str = "",
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        nonce = auth.prelogin_nonce(request) or new_token()
        response = _render(
            request,
            "connexion.html",
            status_code=status_code,
            title="Connexion",
            csrf_token=auth.signer.csrf_token(nonce),
            error=error,
            notice=notice,
            login=login,
        )
        auth.issue_prelogin(response, nonce)
        response.headers.update(headers or {})
        return response

    @router.get("/moderation/connexion", name="moderation_login", include_in_schema=False)
    def login_page(request: Request, fin: str = "") -> Response:
        if auth.current(request) is not None:
            return _redirect(_path(request, "moderation_queue"))
        notice = "Vous êtes déconnecté·e." if fin == "1" else ""
        return login_form(request, notice=notice)

    @router.post("/moderation/connexion", include_in_schema=False)
    def login_submit(
        request: Request, login: FormText = "", password: FormText = "", csrf_token: FormText = ""
    ) -> Response:
        shown = login[: v.LOGIN_MAX]
        if not same_origin(request) or not auth.check_prelogin_csrf(request, csrf_token):
            return login_form(
                request,
                status_code=403,
                login=shown,
                error="Le formulaire a expiré ou ne vient pas de ce site : réessayez.",
            )
        outcome = auth.login(request, login[: v.LOGIN_MAX], password[: v.PASSWORD_MAX])
        if outcome.retry_after_s > 0:
            seconds = RateLimiter.retry_after(outcome.retry_after_s)
            return login_form(
                request,
                status_code=429,
                login=shown,
                error=f"Trop de tentatives de connexion : réessayez dans {seconds} secondes.",
                headers={"Retry-After": str(seconds)},
            )
        if outcome.identity is None or outcome.token is None:
            return login_form(
                request,
                status_code=401,
                login=shown,
                error="Identifiant ou mot de passe incorrect.",
            )
        response = _redirect(_path(request, "moderation_queue"))
        auth.start_session(response, outcome.token)
        return response

    @router.post("/moderation/deconnexion", name="moderation_logout", include_in_schema=False)
    def logout(request: Request, csrf_token: FormText = "") -> Response:
        current = auth.current(request)
        if current is None:
            return _redirect(_path(request, "moderation_login"))
        if not same_origin(request) or not auth.check_session_csrf(current[1], csrf_token):
            return _error_page(
                request,
                403,
                "Action refusée",
                "Jeton de formulaire invalide.",
                current=current,
                auth=auth,
            )
        response = _redirect(_path(request, "moderation_login") + "?fin=1")
        auth.end_session(request, response, actor=current[0].login)
        return response

    @router.get("/moderation", name="moderation_queue", include_in_schema=False)
    def queue(
        request: Request,
        statut: str = "pending",
        territoire: str = "",
        page: str = "1",
        fait: str = "",
        n: str = "",
    ) -> Response:
        current = auth.current(request)
        if current is None:
            return _redirect(_path(request, "moderation_login"))
        identity = current[0]
        status = statut if statut in {choice for choice, _ in _STATUS_CHOICES} else "pending"
        scope = identity.scope()
        territories = store.territories_in_use(scope=scope)
        territory = territoire if territoire in territories else None
        number = _page_number(page)
        result = store.list_for_moderation(
            scope=scope,
            status=None if status == "all" else Status(status),
            territory=territory,
            limit=page_size,
            offset=(number - 1) * page_size,
        )
        base = _path(request, "moderation_queue")

        def page_url(k: int) -> str:
            return (
                base + "?" + urlencode({"statut": status, "territoire": territory or "", "page": k})
            )

        notice = ""
        if fait in _DONE and n.isdigit():
            notice = f"La contribution n° {int(n)} est {_DONE[fait]}."
        return _render(
            request,
            "file.html",
            current=current,
            auth=auth,
            title="File de modération",
            notice=notice,
            items=result.items,
            total=result.total,
            counts=store.counts(scope=scope),
            status_plurals=_STATUS_PLURALS,
            status_choices=_STATUS_CHOICES,
            status=status,
            territories=territories,
            territory=territory,
            actions=_ACTIONS,
            sources=_SOURCES,
            item_urls={
                item.id: {
                    "publish": _path(request, "moderation_publish", contribution_id=item.id),
                    "reject": _path(request, "moderation_reject", contribution_id=item.id),
                }
                for item in result.items
            },
            previous_url=page_url(number - 1) if number > 1 else None,
            next_url=page_url(number + 1) if number * page_size < result.total else None,
        )

    def decide(
        request: Request,
        contribution_id: int,
        status: Status,
        csrf_token: str,
        note: str,
        statut: str,
    ) -> Response:
        current = auth.current(request)
        if current is None:
            return _redirect(_path(request, "moderation_login"))
        identity, token = current
        if not same_origin(request) or not auth.check_session_csrf(token, csrf_token):
            return _error_page(
                request,
                403,
                "Action refusée",
                "Jeton de formulaire invalide : rechargez la page et recommencez.",
                current=current,
                auth=auth,
            )
        try:
            clean = (
                v.clean_text(note, label="motif", min_len=1, max_len=v.NOTE_MAX)
                if note.strip()
                else None
            )
            store.moderate(
                contribution_id,
                status,
                actor=identity.login,
                scope=identity.scope(),
                note=clean,
                client=auth.client(request),
            )
        except ValueError as exc:
            return _error_page(request, 422, "Motif invalide", str(exc), current=current, auth=auth)
        except NotFoundError as exc:
            return _error_page(request, 404, "Introuvable", str(exc), current=current, auth=auth)
        except ForbiddenError as exc:
            return _error_page(request, 403, "Action refusée", str(exc), current=current, auth=auth)
        back = statut if statut in {choice for choice, _ in _STATUS_CHOICES} else "pending"
        query = urlencode(
            {
                "statut": back,
                "fait": "publish" if status is Status.PUBLISHED else "reject",
                "n": contribution_id,
            }
        )
        return _redirect(_path(request, "moderation_queue") + "?" + query)

    @router.post(
        "/moderation/contributions/{contribution_id}/publier",
        name="moderation_publish",
        include_in_schema=False,
    )
    def publish(
        request: Request,
        contribution_id: ContributionId,
        csrf_token: FormText = "",
        note: FormText = "",
        statut: FormText = "pending",
    ) -> Response:
        return decide(request, contribution_id, Status.PUBLISHED, csrf_token, note, statut)

    @router.post(
        "/moderation/contributions/{contribution_id}/rejeter",
        name="moderation_reject",
        include_in_schema=False,
    )
    def reject(
        request: Request,
        contribution_id: ContributionId,
        csrf_token: FormText = "",
        note: FormText = "",
        statut: FormText = "pending",
    ) -> Response:
        return decide(request, contribution_id, Status.REJECTED, csrf_token, note, statut)

    @router.get("/moderation/journal", name="moderation_journal", include_in_schema=False)
    def journal(request: Request, page: str = "1") -> Response:
        current = auth.current(request)
        if current is None:
            return _redirect(_path(request, "moderation_login"))
        identity = current[0]
        if not identity.is_admin():
            return _error_page(
                request,
                403,
                "Accès réservé",
                "Le journal d'audit est réservé aux administrateurs.",
                current=current,
                auth=auth,
            )
        number = _page_number(page)
        with store.db.reading() as session:
            entries, total = audit.list_entries(
                session, territories=identity.admin_scope(), limit=100, offset=(number - 1) * 100
            )
        base = _path(request, "moderation_journal")
        return _render(
            request,
            "journal.html",
            current=current,
            auth=auth,
            title="Journal d'audit",
            entries=entries,
            total=total,
            page=number,
            actions=_ACTIONS,
            previous_url=f"{base}?page={number - 1}" if number > 1 else None,
            next_url=f"{base}?page={number + 1}" if number * 100 < total else None,
        )
