"""Server-rendered French moderation pages: login, queue, publish/reject, audit log.

Jinja2 autoescapes every value (contribution texts are hostile input). Pages send a strict
Content-Security-Policy (no script at all, the one stylesheet allowed by its hash), forbid
framing and caching. Every form carries a CSRF token; a cross-site ``Origin`` is refused.

One module per concept, each with its module-level router (hidden from the OpenAPI
description): :mod:`.session` (login, logout), :mod:`.queue` (queue, publish, reject),
:mod:`.journal` (audit log), :mod:`.priorities` (residents' dot-voting of a workshop),
:mod:`.facilitation` (facilitators open and close those votes);
:mod:`.render` holds the one Jinja environment and the headers.
:func:`quartiers.participation.api.build_router` binds :data:`ROUTERS` to a store.
"""

from __future__ import annotations

from fastapi import APIRouter

from quartiers.participation.pages import facilitation, journal, priorities, queue, session

__all__ = ["ROUTERS"]

#: The page routers, in routing order.
ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    queue.router,
    journal.router,
    priorities.router,
    facilitation.router,
)
