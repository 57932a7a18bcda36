"""Moderator sessions over HTTP: cookies, CSRF tokens and login throttling.

Two cookies, both signed, ``HttpOnly`` and ``SameSite=Strict`` (and ``Secure`` unless turned
off for plain-HTTP local use):

- ``qt_session``: the session token (the database keeps its SHA-256 and its expiry);
- ``qt_prelogin``: a random nonce that binds the login form's CSRF token before a session exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from quartiers.participation.accounts import Identity
from quartiers.participation.ratelimit import SharedRateLimiter
from quartiers.participation.routing import ParticipationConfig, client_key
from quartiers.participation.security import TokenSigner, new_token
from quartiers.participation.store import ContributionStore

__all__ = ["PRELOGIN_COOKIE", "SESSION_COOKIE", "LoginOutcome", "WebAuth"]

SESSION_COOKIE = "qt_session"
PRELOGIN_COOKIE = "qt_prelogin"
_PRELOGIN_MAX_AGE_S = 3600


@dataclass(frozen=True)
class LoginOutcome:
    """Result of a login attempt: a session token, or a refusal with a wait (throttled)."""

    identity: Identity | None
    token: str | None
    retry_after_s: float = 0.0


class WebAuth:
    """Everything the API and the pages need to authenticate moderators.

    Parameters
    ----------
    store
        The store whose ``accounts`` hold moderators and sessions.
    signer
        Signs cookies and derives CSRF tokens.
    config
        Cookie policy, session lifetime and login throttling.
    """

    def __init__(
        self, store: ContributionStore, signer: TokenSigner, config: ParticipationConfig
    ) -> None:
        self.accounts = store.accounts
        self.signer = signer
        self.config = config
        # in the database: the budget holds across server processes
        burst, rate = config.login_burst, config.login_per_minute
        self.by_client = SharedRateLimiter(
            store.db, "connexion-client", capacity=burst, per_minute=rate
        )
        self.by_login = SharedRateLimiter(
            store.db, "connexion-compte", capacity=burst, per_minute=rate
        )

    def client(self, request: Request) -> str:
        """Return the client key of ``request`` (see :func:`client_key`)."""
        return client_key(request, trust_forwarded_for=self.config.trust_forwarded_for)

    # -- sessions ------------------------------------------------------------------------

    def session_token(self, request: Request) -> str | None:
        """Return the verified session token carried by the request's cookie, or None."""
        return self.signer.unsign(
            request.cookies.get(SESSION_COOKIE),
            purpose=SESSION_COOKIE,
            max_age_s=self.config.session_max_age_s,
        )

    def current(self, request: Request) -> tuple[Identity, str] | None:
        """Return the logged-in moderator and their session token, or None."""
        token = self.session_token(request)
        identity = self.accounts.resolve_session(token)
        if identity is None or token is None:
            return None
        return identity, token

    def _cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=self.config.secure_cookies,
            samesite="strict",
        )

    def login(self, request: Request, login: str, password: str) -> LoginOutcome:
        """Check throttling then credentials; on success open a session."""
        client = self.client(request)
        login_key = login.strip().lower()[:64]
        wait = max(self.by_client.peek(client), self.by_login.peek(login_key))
        if wait > 0:
            return LoginOutcome(None, None, retry_after_s=wait)
        self.by_client.acquire(client)
        self.by_login.acquire(login_key)
        identity = self.accounts.authenticate(login, password, client=client)
        if identity is None:
            return LoginOutcome(None, None)
        self.by_login.reset(login_key)
        token = self.accounts.open_session(identity, max_age_s=self.config.session_max_age_s)
        return LoginOutcome(identity, token)

    def start_session(self, response: Response, token: str) -> None:
        """Put the signed session cookie on ``response`` and drop the pre-login one."""
        signed = self.signer.sign(token, purpose=SESSION_COOKIE)
        self._cookie(response, SESSION_COOKIE, signed, self.config.session_max_age_s)
        response.delete_cookie(PRELOGIN_COOKIE, path="/")

    def end_session(self, request: Request, response: Response, *, actor: str) -> None:
        """Revoke the request's session in the database and delete its cookie."""
        self.accounts.close_session(
            self.session_token(request), actor=actor, client=self.client(request)
        )
        response.delete_cookie(SESSION_COOKIE, path="/")

    # -- CSRF ----------------------------------------------------------------------------

    def csrf_for_session(self, token: str) -> str:
        """Return the CSRF token of a session."""
        return self.signer.csrf_token(token)

    def check_session_csrf(self, token: str, supplied: str | None) -> bool:
        """Tell whether ``supplied`` is the CSRF token of session ``token``."""
        return self.signer.check_csrf(token, supplied)

    def prelogin_nonce(self, request: Request) -> str | None:
        """Return the verified nonce of the pre-login cookie, or None."""
        return self.signer.unsign(
            request.cookies.get(PRELOGIN_COOKIE),
            purpose=PRELOGIN_COOKIE,
            max_age_s=_PRELOGIN_MAX_AGE_S,
        )

    def issue_prelogin(self, response: Response, nonce: str | None = None) -> str:
        """Set (or renew) the pre-login cookie; return the login form's CSRF token."""
        nonce = nonce or new_token()
        signed = self.signer.sign(nonce, purpose=PRELOGIN_COOKIE)
        self._cookie(response, PRELOGIN_COOKIE, signed, _PRELOGIN_MAX_AGE_S)
        return self.signer.csrf_token(nonce)

    def check_prelogin_csrf(self, request: Request, supplied: str | None) -> bool:
        """Tell whether the login form's CSRF token matches the pre-login cookie."""
        return self.signer.check_csrf(self.prelogin_nonce(request), supplied)
