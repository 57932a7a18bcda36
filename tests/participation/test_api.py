from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from quartiers.participation.api import build_router, public_router
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import Status

from .helpers import (
    SECRET,
    TERRITORIES,
    add_moderator,
    cheap_passwords,
    login_api,
    login_pages,
    make_app,
    submit,
)

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def publish_all(store: ContributionStore) -> None:
    for item in store.list_for_moderation(scope=None).items:
        store.moderate(item.id, Status.PUBLISHED, actor="test", scope=None)


def test_submit_returns_receipt_and_stays_private(client: TestClient) -> None:
    receipt = submit(client, email="suivi@exemple.fr", age_band="65_79", period="nuit")
    assert receipt["status"] == "pending" and receipt["code_qp"] == "QN08503I"
    assert "email" not in receipt and "Merci" in str(receipt["message"])
    assert client.get(f"/api/contributions/{receipt['id']}").status_code == 404
    assert client.get("/api/contributions").json()["total"] == 0


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"category": "canicule"}, "category", "valeur attendue parmi 'trop_chaud'"),
        ({"text": "ok"}, "text", "au moins 3 caractères"),
        ({"text": "x" * 1001}, "text", "1000 caractères au plus"),
        ({"lon": 2.35, "lat": 48.85}, "lon", "en dehors du territoire"),
        ({"lon": 200}, "lon", "valeur ≤ 180.0 attendue"),
        ({"territory": "75056"}, "territory", "inconnu"),
        ({"email": "pas-une-adresse"}, "email", "e-mail"),
        ({"text": "nul\u0000octet"}, "text", "caractère non autorisé"),
        ({"extra": 1}, "extra", "champ inconnu"),
    ],
)
def test_validation_errors_are_french_422(
    client: TestClient, payload: dict[str, object], field: str, message: str
) -> None:
    base = {"territory": "85191", "lon": -1.43, "lat": 46.67, "category": "frais", "text": "Ombre"}
    response = client.post("/api/contributions", json={**base, **payload})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["loc"][-1] == field and message in e["msg"] for e in errors), errors


def test_malformed_json_and_wrong_content_type(client: TestClient) -> None:
    bad = client.post(
        "/api/contributions", content=b"{pas du json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["msg"] == "JSON invalide"
    # A cross-site <form> can only send text/plain or form bodies: they are not read as JSON.
    form = client.post(
        "/api/contributions", content=b'{"a":1}', headers={"content-type": "text/plain"}
    )
    assert form.status_code == 422


def test_body_size_limit(client: TestClient) -> None:
    big = {"territory": "85191", "category": "frais", "text": "x" * 20_000, "code_qp": "QN08503I"}
    response = client.post("/api/contributions", json=big)
    assert response.status_code == 413 and "octets" in response.json()["detail"]

    def chunks() -> object:  # no Content-Length: the limit holds while streaming
        for _ in range(40):
            yield b" " * 1024

    streamed = client.post(
        "/api/contributions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_body_size_limit_follows_the_config(store: ContributionStore) -> None:
    app = make_app(store, ParticipationConfig(max_body_bytes=400))
    with TestClient(app, base_url="https://testserver") as client:
        submit(client)  # about 150 bytes
        long = {"territory": "85191", "code_qp": "QN08503I", "category": "idee", "text": "x" * 500}
        response = client.post("/api/contributions", json=long)
    assert response.status_code == 413
    assert response.json() == {"detail": "requête trop volumineuse : 400 octets au plus"}


def test_each_router_serves_its_own_store(store: ContributionStore, tmp_path: Path) -> None:
    other = ContributionStore.open(
        f"sqlite:///{tmp_path / 'autre.sqlite3'}", TERRITORIES, passwords=cheap_passwords()
    )
    try:
        app = FastAPI()
        app.include_router(build_router(store, secret_key=SECRET), prefix="/a")
        app.include_router(build_router(other, secret_key=SECRET), prefix="/b")
        payload = {"territory": "85191", "code_qp": "QN08503I", "category": "idee", "text": "Une"}
        with TestClient(app, base_url="https://testserver") as client:
            assert client.post("/b/api/contributions", json=payload).status_code == 201
            assert client.post("/b/api/contributions", json=payload).status_code == 201
            assert client.post("/a/api/contributions", json=payload).status_code == 201
        assert store.counts(scope=None)[Status.PENDING] == 1
        assert other.counts(scope=None)[Status.PENDING] == 2
    finally:
        other.close()


def test_module_level_routes_need_build_router() -> None:
    app = FastAPI()
    app.include_router(public_router)  # not bound to a store
    with (
        TestClient(app) as client,
        pytest.raises(RuntimeError, match=r"sans api\.build_router"),
    ):
        client.get("/api/contributions")


def test_submission_rate_limit_per_client(store: ContributionStore) -> None:
    app = make_app(store, ParticipationConfig(submit_burst=3, submit_per_minute=1))
    with TestClient(app, base_url="https://testserver", client=("198.51.100.7", 5000)) as client:
        for _ in range(3):
            submit(client)
        refused = client.post(
            "/api/contributions",
            json={"territory": "85191", "code_qp": "QN08503I", "category": "idee", "text": "Bis"},
        )
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1 and "réessayez" in refused.json()["detail"]
    assert store.counts(scope=None)[Status.PENDING] == 3
    # Another client address has its own bucket on the same server.
    with TestClient(app, base_url="https://testserver", client=("203.0.113.9", 5000)) as other:
        submit(other)
    assert store.counts(scope=None)[Status.PENDING] == 4


def test_public_listing_filters_and_geojson(client: TestClient, store: ContributionStore) -> None:
    submit(client)
    submit(client, category="frais", lon=-1.48, lat=46.64, text="Fraîcheur sous les tilleuls")
    publish_all(store)
    page = client.get("/api/contributions", params={"territory": "85191", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["limit"] == 1
    assert client.get("/api/contributions", params={"code_qp": "QN08503I"}).json()["total"] == 1
    assert client.get("/api/contributions", params={"category": "frais"}).json()["total"] == 1
    boxed = client.get("/api/contributions", params={"bbox": "-1.5,46.6,-1.45,46.65"})
    assert boxed.json()["total"] == 1
    for bad in ["1,2,3", "a,b,c,d", "10,0,0,1", "nan,0,1,1"]:
        # the one bbox reader of the web routes: 400 and a French message naming bbox
        answer = client.get("/api/contributions", params={"bbox": bad})
        assert answer.status_code == 400 and "bbox" in str(answer.json()["detail"])
    geo = client.get("/api/contributions.geojson", params={"territory": "85191"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    collection = geo.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-1.43, 46.67]}
    assert feature["properties"]["category_label"] == "Lieu trop chaud"
    summary = client.get("/api/contributions/summary", params={"territory": "85191"}).json()
    assert summary == [
        {"code_qp": "QN08503I", "category": "trop_chaud", "count": 1},
        {"code_qp": None, "category": "frais", "count": 1},
    ]


def test_vocabulary_and_bounded_parameters(client: TestClient) -> None:
    vocabulary = client.get("/api/contributions/vocabulary").json()
    assert [c["id"] for c in vocabulary["categories"]] == [
        "trop_chaud", "frais", "besoin", "ressource", "idee",
    ]  # fmt: skip
    assert vocabulary["categories"][4]["label"] == "Idée d'action"
    assert client.get("/api/contributions/99999999999999999999").status_code == 422
    assert client.get("/api/contributions", params={"offset": 10**12}).status_code == 422
    assert client.get("/api/contributions", params={"limit": 0}).status_code == 422


def test_email_never_leaves_the_api(client: TestClient, store: ContributionStore) -> None:
    receipt = submit(client, email="secret.habitant@exemple.fr")
    add_moderator(store, "alice", ["85191"], role="admin")
    token = login_api(client, "alice")
    client.post(
        f"/api/moderation/contributions/{receipt['id']}/publish", headers={"X-CSRF-Token": token}
    )
    bodies = [
        client.get(path).text
        for path in [
            "/api/contributions",
            f"/api/contributions/{receipt['id']}",
            "/api/contributions.geojson",
            "/api/moderation/contributions?status=all",
            f"/api/moderation/contributions/{receipt['id']}",
            "/api/moderation/audit",
            "/moderation?statut=all",
            "/openapi.json",
        ]
    ]
    assert all("secret.habitant" not in body for body in bodies)
    assert json.loads(bodies[4])["has_contact"] is True


def test_stored_xss_is_escaped_in_pages(client: TestClient, store: ContributionStore) -> None:
    submit(client, text=XSS)
    publish_all(store)
    # JSON keeps the text as typed (consumers must escape), served as JSON, never as HTML.
    listing = client.get("/api/contributions")
    assert listing.headers["content-type"].startswith("application/json")
    assert listing.json()["items"][0]["text"] == XSS
    add_moderator(store, "alice", ["85191"])
    login_pages(client, "alice")
    page = client.get("/moderation?statut=all")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in page.text
    )
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.headers["x-frame-options"] == "DENY"
