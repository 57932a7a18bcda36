"""Residents' contributions in the web app: mount the participation router when installed.

The contributions store, its JSON API and its moderation pages live in
:mod:`quartiers.participation` (``api.build_router``). This adapter opens the store over the
served territories (perimeters and QPV in WGS84), mounts the router, and gives the pages the
few reads they need (published contributions of a QPV, counts per category). When the
database cannot be opened, the site works without contributions and says so
(« non disponible »).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fastapi import FastAPI
from shapely import union_all

from quartiers.participation.api import build_router
from quartiers.participation.priorities import qpv_priorities, qpv_sessions
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore
from quartiers.participation.territories import Territory
from quartiers.participation.vocab import AGE_BAND_LABELS, CATEGORY_LABELS, PERIOD_LABELS
from quartiers.settings import Settings
from quartiers.web.catalog import TerritoryData

__all__ = ["Contributions", "disabled", "mount_contributions"]

logger = logging.getLogger(__name__)


@dataclass
class Contributions:
    """Access to published contributions for the pages (empty when disabled).

    Attributes
    ----------
    enabled
        Whether the participation router is mounted.
    reason
        Why not (French), when disabled.
    store
        The participation store.
    categories
        Category id → French label, in the vocabulary's order.
    """

    enabled: bool
    reason: str = ""
    store: ContributionStore | None = None
    categories: dict[str, str] = field(default_factory=dict)
    age_bands: dict[str, str] = field(default_factory=dict)
    periods: dict[str, str] = field(default_factory=dict)

    def published(self, territory: str, code_qp: str | None = None) -> list[dict[str, Any]]:
        """Return published contributions of a territory (optionally one QPV) as dicts."""
        if not self.enabled or self.store is None:
            return []
        try:
            items = self.store.published(territory=territory)
        except Exception:  # the database went away: the page still renders
            logger.exception("lecture des contributions impossible")
            return []
        rows = [item.model_dump(mode="json") for item in items]
        if code_qp is not None:
            rows = [r for r in rows if r.get("code_qp") == code_qp]
        return rows

    def counts(self, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Count contributions per category label (every category listed, zeros included)."""
        counts = dict.fromkeys(self.categories.values(), 0)
        for row in rows:
            label = self.categories.get(str(row.get("category")), str(row.get("category")))
            counts[label] = counts.get(label, 0) + 1
        return counts

    def close(self) -> None:
        """Close the store."""
        if self.store is not None:
            self.store.close()


def disabled(reason: str) -> Contributions:
    """Return the disabled adapter with its French reason."""
    return Contributions(enabled=False, reason=reason)


def _territories(catalog: Iterable[TerritoryData]) -> dict[str, Territory]:
    """Return the participation territories: perimeter and QPV shapes in WGS84."""
    out = {}
    for td in catalog:
        zones = td.diagnostic.zones.to_crs("EPSG:4326")
        inside = zones[zones["zone_type"].isin(["qpv", "reste_commune"])]
        area = union_all(list(inside.geometry))
        qpv = {str(c): g for c, g in zip(td.qpv["code_qp"], td.qpv.geometry, strict=True)}
        out[td.code] = Territory(code=td.code, area=area, qpv=qpv, name=td.name)
    return out


def mount_contributions(
    app: FastAPI,
    catalog: Iterable[TerritoryData],
    settings: Settings,
    *,
    secure_cookies: bool = True,
) -> Contributions:
    """Open the contributions store and mount the participation router on ``app``.

    Parameters
    ----------
    app
        The application.
    catalog
        The served territories: contributions are accepted inside their communes.
    settings
        ``database_url`` (SQLite by default, PostgreSQL possible) and ``secret_key``.
    secure_cookies
        Moderator session cookies only over HTTPS; False for plain HTTP on loopback.

    Returns the disabled adapter (with the reason) when the database cannot be opened; never
    raises for that.
    """
    try:
        store = ContributionStore.open(settings.database_url, _territories(catalog))
    except Exception as exc:  # a database that cannot be opened must not stop the site
        logger.error("base des contributions indisponible (%s) : %s", settings.database_url, exc)
        return disabled("base des contributions indisponible")
    config = ParticipationConfig(secure_cookies=secure_cookies)
    app.include_router(build_router(store, secret_key=settings.secret_key, config=config))
    # the workshop's roadmaps print the residents' votes (« Priorités exprimées en atelier »)
    app.state.votes = partial(qpv_priorities, store.db)
    app.state.vote_sessions = partial(qpv_sessions, store.db)
    return Contributions(
        enabled=True,
        store=store,
        categories={str(k): str(v) for k, v in CATEGORY_LABELS.items()},
        age_bands={str(k): str(v) for k, v in AGE_BAND_LABELS.items()},
        periods={str(k): str(v) for k, v in PERIOD_LABELS.items()},
    )
