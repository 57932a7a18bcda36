"""HTTP plumbing shared by the JSON API and the moderation pages.

:class:`ParticipationConfig` gathers the tunable limits. :func:`limited_route_class` returns an
``APIRoute`` subclass that caps the request body (413 before the whole body is read) and turns
validation and store errors into French JSON errors, so that the router needs nothing from the
application that mounts it (no middleware, no exception handler).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from quartiers.errors import QuartiersError, SourceError, http_detail
from quartiers.ip import valid_ip
from quartiers.validation_fr import french_validation_errors

__all__ = [
    "ParticipationConfig",
    "client_key",
    "limited_route_class",
    "same_origin",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParticipationConfig:
    """Limits and cookie policy of the participation router.

    Attributes
    ----------
    max_body_bytes
        Largest request body accepted (bytes); larger ones get 413 unread.
    submit_burst, submit_per_minute
        Token bucket per client for new contributions: burst size and refill per minute.
    login_burst, login_per_minute
        Token buckets for login attempts, per client and per login.
    session_max_age_s
        Lifetime of a moderator session (seconds).
    secure_cookies
        Send cookies with ``Secure`` (HTTPS only); turn off only for plain-HTTP local use.
    trust_forwarded_for
        Take the client address from ``X-Forwarded-For`` (only behind a trusted proxy).
    page_size
        Contributions per page in the moderation queue.
    """

    max_body_bytes: int = 16_384
    submit_burst: int = 20
    submit_per_minute: float = 10.0
    login_burst: int = 5
    login_per_minute: float = 1.0
    session_max_age_s: int = 8 * 3600
    secure_cookies: bool = True
    trust_forwarded_for: bool = False
    page_size: int = 50


class _BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413,
            detail=f"requête trop volumineuse : {limit} octets au plus",
        )


def _limited_receive(receive: Receive, limit: int) -> Callable[[], Awaitable[Message]]:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge(limit)
        return message

    return wrapped


def limited_route_class(max_body_bytes: int) -> type[APIRoute]:
    """Return an ``APIRoute`` class capping bodies at ``max_body_bytes`` with French errors."""

    class LimitedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            original = super().get_route_handler()

            async def handler(request: Request) -> Response:
                length = request.headers.get("content-length")
                if length is not None and (not length.isdigit() or int(length) > max_body_bytes):
                    return JSONResponse(
                        {"detail": f"requête trop volumineuse : {max_body_bytes} octets au plus"},
                        status_code=413,
                    )
                limited = Request(request.scope, _limited_receive(request.receive, max_body_bytes))
                try:
                    return await original(limited)
                except RequestValidationError as exc:
                    return JSONResponse(
                        {"detail": french_validation_errors(exc.errors())}, status_code=422
                    )
                except QuartiersError as exc:
                    if isinstance(exc, SourceError):
                        logger.error("base indisponible : %s", exc)
                    status, detail = http_detail(exc)
                    return JSONResponse({"detail": detail}, status_code=status)

            return handler

    return LimitedRoute


def client_key(request: Request, *, trust_forwarded_for: bool) -> str:
    """Return the client's address for rate limiting (``X-Forwarded-For`` only if trusted)."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = valid_ip(forwarded.split(",")[0])
        if first is not None:  # anything else than an IP address is ignored
            return first
    return request.client.host if request.client else "inconnu"


def same_origin(request: Request) -> bool:
    """Tell whether a state-changing request comes from this site (``Origin`` absent or equal).

    Browsers send ``Origin`` on cross-site POSTs; a mismatch means another site drives the
    user's browser. Absent ``Origin`` (old browsers, command-line clients) relies on CSRF tokens.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host
