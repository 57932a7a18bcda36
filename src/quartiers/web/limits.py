"""Request guards of the web app: body size, client address behind a proxy (issue 15).

:class:`BodyLimit` answers 413 to any request whose body is larger than the limit, on every
route (a ``Content-Length`` above it is refused unread; a chunked body is counted as it
arrives and cut at the limit), so no handler ever parses a 100 MB JSON.

:class:`ForwardedFor` replaces the client address by the one in ``X-Forwarded-For`` only when
the direct peer is one of the proxies given with ``quartiers serve --forwarded-allow-ips``,
and only when that address is a valid IP: otherwise the header is ignored, so rotating
``X-Forwarded-For`` values neither escape the per-address rate limit nor write arbitrary
text into the audit log.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quartiers.ip import valid_ip

__all__ = ["MAX_BODY_BYTES", "BodyLimit", "ForwardedFor", "parse_trusted", "valid_ip"]

logger = logging.getLogger(__name__)

#: Largest request body accepted by the web app (bytes), unless a route is stricter.
MAX_BODY_BYTES = 256 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class _TooLargeError(HTTPException):
    """Raised while reading a body past the limit (an HTTP error, so FastAPI re-raises it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


def _message(limit: int) -> str:
    return f"requête trop volumineuse : {limit} octets au plus"


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    """Send a French 413 (JSON under /api, a short HTML page elsewhere)."""
    text = _message(limit)
    if str(scope.get("path", "")).startswith("/api"):
        body = json.dumps({"detail": text}, ensure_ascii=False).encode("utf-8")
        kind = b"application/json"
    else:
        body = (
            '<!doctype html><html lang="fr"><meta charset="utf-8">'
            f"<title>Requête trop volumineuse</title><h1>Requête trop volumineuse</h1>"
            f"<p>{text}.</p></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Pure ASGI middleware refusing request bodies above ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await _refuse(scope, send, limit)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except _TooLargeError:
            if not started:
                await _refuse(scope, send, limit)


def parse_trusted(values: Sequence[str]) -> list[IPNetwork] | None:
    """Parse ``--forwarded-allow-ips`` (addresses or networks, comma-separated; ``*`` = all).

    Returns None for ``*``. Raises ``ValueError`` (French) for an entry that is neither.
    """
    networks: list[IPNetwork] = []
    for value in values:
        for item in (v.strip() for v in value.split(",")):
            if not item:
                continue
            if item == "*":
                return None
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"« {item} » n'est ni une adresse IP ni un réseau (ex. 10.0.0.0/8)"
                ) from None
    return networks


class ForwardedFor:
    """Pure ASGI middleware taking the client address from trusted proxies only.

    ``X-Forwarded-For`` is read right to left: proxies in ``trusted`` are skipped and the
    first other entry is the client. Any entry that is not an IP address makes the whole
    header ignored (the direct peer stays the client).
    """

    def __init__(self, app: ASGIApp, *, trusted: list[IPNetwork] | None) -> None:
        self.app = app
        self.trusted = trusted

    def _is_trusted(self, host: str) -> bool:
        if self.trusted is None:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def client(self, peer: str, header: str) -> str:
        """Return the client address for a direct ``peer`` and an ``X-Forwarded-For``."""
        if not header or not self._is_trusted(peer):
            return peer
        entries = [e.strip() for e in header.split(",") if e.strip()]
        parsed = [valid_ip(e) for e in entries]
        if not entries or any(p is None for p in parsed):
            logger.warning("X-Forwarded-For ignoré (adresse invalide) : %r", header[:100])
            return peer
        for address in reversed(parsed):
            assert address is not None
            if not self._is_trusted(address):
                return address
        return parsed[0] or peer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            peer, port = scope["client"]
            header = ",".join(
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name == b"x-forwarded-for"
            )
            client = self.client(str(peer), header)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
