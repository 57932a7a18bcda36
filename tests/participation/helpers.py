"""Constants and helpers shared by the participation tests (territories, login, submit)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import box

from quartiers.participation.api import build_router
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.security import Passwords
from quartiers.participation.store import ContributionStore
from quartiers.participation.territories import Territory
from quartiers.participation.vocab import Role

SECRET = "clé-de-test-" + "x" * 32
PASSWORD = "un-mot-de-passe-solide"

# Fictitious territories (WGS84 boxes): around La Roche-sur-Yon with two QPV, around Angers with
# one, and around Quimper with no QPV shapes at all.
ROCHE = Territory(
    code="85191",
    area=box(-1.50, 46.62, -1.36, 46.72),
    qpv={"QN08503I": box(-1.44, 46.66, -1.42, 46.68), "QN08501I": box(-1.40, 46.68, -1.38, 46.70)},
)
ANGERS = Territory(
    code="49007",
    area=box(-0.62, 47.43, -0.50, 47.51),
    qpv={"QN04901M": box(-0.60, 47.46, -0.58, 47.48)},
)
BARE = Territory.from_bbox("29232", (-4.20, 47.95, -4.05, 48.05))
TERRITORIES = {t.code: t for t in (ROCHE, ANGERS, BARE)}
INSIDE_QPV = (-1.43, 46.67)  # in QN08503I
OUTSIDE_QPV = (-1.48, 46.64)  # in 85191, in no QPV
IN_ANGERS = (-0.55, 47.47)


def cheap_passwords() -> Passwords:
    """Argon2id with tiny costs: tests check the logic, not the hardness."""
    return Passwords(time_cost=1, memory_cost_kib=1024, parallelism=1)


def make_app(store: ContributionStore, config: ParticipationConfig | None = None) -> FastAPI:
    """Return a small FastAPI app mounting the participation router."""
    app = FastAPI(title="Participation (tests)")
    app.include_router(build_router(store, secret_key=SECRET, config=config))
    return app


def add_moderator(
    store: ContributionStore, login: str, territories: list[str], role: str = "moderator"
) -> None:
    """Create a moderator with :data:`PASSWORD`."""
    store.accounts.add_moderator(login, PASSWORD, territories=territories, role=Role(role))


def csrf_from(html: str) -> str:
    """Return the first CSRF token of a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login_pages(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Log in through the HTML form; return the queue page's CSRF token."""
    token = csrf_from(client.get("/moderation/connexion").text)
    response = client.post(
        "/moderation/connexion",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/moderation").text)


def login_api(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Log in through the JSON API; return the CSRF token for ``X-CSRF-Token``."""
    response = client.post("/api/moderation/login", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def submit(client: httpx.Client, **overrides: object) -> dict[str, object]:
    """Post a valid contribution (overridable) and return the JSON receipt."""
    payload: dict[str, object] = {
        "territory": "85191",
        "lon": INSIDE_QPV[0],
        "lat": INSIDE_QPV[1],
        "category": "trop_chaud",
        "text": "La place est brûlante l'après-midi.",
    }
    payload.update(overrides)
    response = client.post("/api/contributions", json=payload)
    assert response.status_code == 201, response.text
    receipt: dict[str, object] = response.json()
    return receipt
