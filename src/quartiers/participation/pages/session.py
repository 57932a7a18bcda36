"""Moderator sign-in pages: the login form (pre-login CSRF cookie), login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from quartiers.participation import validation as v
from quartiers.participation.deps import Auth
from quartiers.participation.pages.render import (
    FormText,
    error_page,
    redirect,
    render,
    route_path,
)
from quartiers.participation.ratelimit import RateLimiter
from quartiers.participation.routing import same_origin
from quartiers.participation.security import new_token
from quartiers.participation.webauth import WebAuth

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
"""``/moderation/connexion`` (GET, POST) and ``/moderation/deconnexion`` (POST)."""


def _login_form(
    request: Request,
    auth: WebAuth,
    *,
    status_code: int = 200,
    error: str = "",
    notice: str = "",
    login: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce = auth.prelogin_nonce(request) or new_token()
    response = render(
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
def login_page(request: Request, auth: Auth, fin: str = "") -> Response:
    """Show the login form (or go to the queue when already logged in)."""
    if auth.current(request) is not None:
        return redirect(route_path(request, "moderation_queue"))
    notice = "Vous êtes déconnecté·e." if fin == "1" else ""
    return _login_form(request, auth, notice=notice)


@router.post("/moderation/connexion", include_in_schema=False)
def login_submit(
    request: Request,
    auth: Auth,
    login: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Check the form's CSRF token, throttling and credentials; open a session."""
    shown = login[: v.LOGIN_MAX]
    if not same_origin(request) or not auth.check_prelogin_csrf(request, csrf_token):
        return _login_form(
            request,
            auth,
            status_code=403,
            login=shown,
            error="Le formulaire a expiré ou ne vient pas de ce site : réessayez.",
        )
    outcome = auth.login(request, login[: v.LOGIN_MAX], password[: v.PASSWORD_MAX])
    if outcome.retry_after_s > 0:
        seconds = RateLimiter.retry_after(outcome.retry_after_s)
        return _login_form(
            request,
            auth,
            status_code=429,
            login=shown,
            error=f"Trop de tentatives de connexion : réessayez dans {seconds} secondes.",
            headers={"Retry-After": str(seconds)},
        )
    if outcome.identity is None or outcome.token is None:
        return _login_form(
            request,
            auth,
            status_code=401,
            login=shown,
            error="Identifiant ou mot de passe incorrect.",
        )
    response = redirect(route_path(request, "moderation_queue"))
    auth.start_session(response, outcome.token)
    return response


@router.post("/moderation/deconnexion", name="moderation_logout", include_in_schema=False)
def logout(request: Request, auth: Auth, csrf_token: FormText = "") -> Response:
    """Close the session (form CSRF token checked) and go back to the login form."""
    current = auth.current(request)
    if current is None:
        return redirect(route_path(request, "moderation_login"))
    if not same_origin(request) or not auth.check_session_csrf(current[1], csrf_token):
        return error_page(
            request,
            403,
            "Action refusée",
            "Jeton de formulaire invalide.",
            current=current,
            auth=auth,
        )
    response = redirect(route_path(request, "moderation_login") + "?fin=1")
    auth.end_session(request, response, actor=current[0].login)
    return response
