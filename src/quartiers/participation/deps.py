"""What the participation handlers receive through ``Depends``: store, sign-in, limits.

The handlers are module-level functions on module-level routers (``api.public_router``,
``api_moderation.router``, ``pages.ROUTERS``). They hold no state: :func:`api.build_router`
creates one :class:`Participation` (store, :class:`~.webauth.WebAuth`, submission rate limiter,
config) and binds it with a router-level dependency (:meth:`Participation.bind`) that puts it on
``request.state`` before any other dependency runs. The aliases below (:data:`Context`,
:data:`Store`, :data:`Auth`, :data:`Submissions`, :data:`Config`) read it back.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute

from quartiers.participation.ratelimit import SharedRateLimiter
from quartiers.participation.routing import ParticipationConfig, limited_route_class
from quartiers.participation.security import TokenSigner
from quartiers.participation.store import ContributionStore
from quartiers.participation.webauth import WebAuth

__all__ = [
    "Auth",
    "Config",
    "Context",
    "Participation",
    "Store",
    "Submissions",
    "bind_routes",
    "participation",
]

logger = logging.getLogger(__name__)

_STATE_KEY = "participation"


@dataclass(frozen=True)
class Participation:
    """Everything one mounted participation router serves from.

    Attributes
    ----------
    store
        The contributions store.
    auth
        Moderator sessions, CSRF tokens and login throttling over ``store``.
    submissions
        Rate limiter of new contributions (per client, shared through the database).
    config
        Limits and cookie policy.
    """

    store: ContributionStore
    auth: WebAuth
    submissions: SharedRateLimiter
    config: ParticipationConfig

    @classmethod
    def create(
        cls, store: ContributionStore, *, secret_key: str, config: ParticipationConfig
    ) -> Participation:
        """Build the context; an empty ``secret_key`` gets a random one (with a warning)."""
        if not secret_key:
            logger.warning(
                "clé secrète vide : clé aléatoire, les sessions seront perdues au redémarrage"
            )
            secret_key = secrets.token_urlsafe(32)
        auth = WebAuth(store, TokenSigner(secret_key), config)
        submissions = SharedRateLimiter(
            store.db,
            "contributions",
            capacity=config.submit_burst,
            per_minute=config.submit_per_minute,
        )
        return cls(store=store, auth=auth, submissions=submissions, config=config)

    def bind(self, request: Request) -> None:
        """Router-level dependency: make this context the request's (see :func:`participation`)."""
        setattr(request.state, _STATE_KEY, self)


def participation(request: Request) -> Participation:
    """Return the context bound to the request by the router :func:`bind_routes` built."""
    context = getattr(request.state, _STATE_KEY, None)
    if not isinstance(context, Participation):
        raise RuntimeError("route de participation montée sans api.build_router")
    return context


Context = Annotated[Participation, Depends(participation)]


def _store(context: Context) -> ContributionStore:
    return context.store


def _auth(context: Context) -> WebAuth:
    return context.auth


def _submissions(context: Context) -> SharedRateLimiter:
    return context.submissions


def _config(context: Context) -> ParticipationConfig:
    return context.config


Store = Annotated[ContributionStore, Depends(_store)]
Auth = Annotated[WebAuth, Depends(_auth)]
Submissions = Annotated[SharedRateLimiter, Depends(_submissions)]
Config = Annotated[ParticipationConfig, Depends(_config)]


def bind_routes(context: Participation, sources: Iterable[APIRouter]) -> APIRouter:
    """Return a router serving every route of ``sources`` from ``context``.

    Each route is added again (same path, name, methods and OpenAPI operation) to a router
    whose route class caps the body at ``context.config.max_body_bytes`` with French errors
    (:func:`~.routing.limited_route_class`) and whose first dependency binds ``context``.
    """
    router = APIRouter(
        route_class=limited_route_class(context.config.max_body_bytes),
        dependencies=[Depends(context.bind)],
    )
    for source in sources:
        for route in source.routes:
            if not isinstance(route, APIRoute):
                raise TypeError(f"route inattendue dans le routeur de participation : {route!r}")
            router.add_api_route(
                route.path,
                route.endpoint,
                methods=route.methods,
                name=route.name,
                response_model=route.response_model,
                status_code=route.status_code,
                tags=list(route.tags),
                dependencies=list(route.dependencies),
                summary=route.summary,
                description=route.description,
                response_description=route.response_description,
                responses=dict(route.responses),
                deprecated=route.deprecated,
                operation_id=route.operation_id,
                include_in_schema=route.include_in_schema,
                response_class=route.response_class,
                openapi_extra=route.openapi_extra,
            )
    return router
