from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient

from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import Status

from .helpers import (
    IN_ANGERS,
    PASSWORD,
    add_moderator,
    csrf_from,
    login_api,
    login_pages,
    make_app,
    submit,
)


def _set_cookies(response: object) -> dict[str, str]:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return {name: header for header in headers for name in SimpleCookie(header)}


def test_login_sets_hardened_cookie_and_logout_revokes_it(
    client: TestClient, store: ContributionStore
) -> None:
    add_moderator(store, "alice", ["85191"])
    login_page = client.get("/moderation/connexion")
    assert login_page.status_code == 200 and 'lang="fr"' in login_page.text
    assert '<label for="login">Identifiant</label>' in login_page.text
    response = client.post(
        "/moderation/connexion",
        data={"login": "alice", "password": PASSWORD, "csrf_token": csrf_from(login_page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/moderation")
    cookie = _set_cookies(response)["qt_session"].lower()
    for flag in ("httponly", "secure", "samesite=strict", "path=/"):
        assert flag in cookie
    stolen = client.cookies.get("qt_session")
    queue = client.get("/moderation")
    assert queue.status_code == 200 and "File de modération" in queue.text
    out = client.post(
        "/moderation/deconnexion",
        data={"csrf_token": csrf_from(queue.text)},
        follow_redirects=False,
    )
    assert out.status_code == 303
    # Replaying the old cookie after logout opens nothing: the session is revoked server-side.
    client.cookies.set("qt_session", stolen or "", domain="testserver.local")
    replay = client.get("/moderation", follow_redirects=False)
    assert replay.status_code == 303 and "connexion" in replay.headers["location"]


def test_pages_require_login(client: TestClient) -> None:
    for path in ("/moderation", "/moderation/journal"):
        response = client.get(path, follow_redirects=False)
        assert (
            response.status_code == 303 and "/moderation/connexion" in response.headers["location"]
        )
    assert client.get("/api/moderation/contributions").status_code == 401
    assert client.get("/api/moderation/session").status_code == 401


def test_wrong_password_and_forged_cookie(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "alice", ["85191"])
    token = csrf_from(client.get("/moderation/connexion").text)
    refused = client.post(
        "/moderation/connexion", data={"login": "alice", "password": "mauvais", "csrf_token": token}
    )
    assert refused.status_code == 401 and "Identifiant ou mot de passe incorrect" in refused.text
    assert refused.text.count('value="alice"') == 1  # login kept, password never echoed
    client.cookies.set("qt_session", "forge.signature.invalide")
    assert client.get("/api/moderation/session").status_code == 401


def test_login_form_needs_its_csrf_token(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "alice", ["85191"])
    client.get("/moderation/connexion")
    for token in ("", "0" * 64):
        response = client.post(
            "/moderation/connexion",
            data={"login": "alice", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 403 and "qt_session" not in _set_cookies(response)


def test_csrf_and_origin_protect_moderation_actions(
    client: TestClient, store: ContributionStore
) -> None:
    add_moderator(store, "alice", ["85191"])
    receipt = submit(client)
    token = login_pages(client, "alice")
    url = f"/moderation/contributions/{receipt['id']}/publier"
    assert client.post(url, data={"csrf_token": "faux"}).status_code == 403
    assert client.post(url, data={}).status_code == 403
    cross = client.post(
        url, data={"csrf_token": token}, headers={"Origin": "https://attaquant.example"}
    )
    assert cross.status_code == 403
    assert store.get_for_moderation(int(receipt["id"]), scope=None).status is Status.PENDING  # type: ignore[call-overload]
    done = client.post(url, data={"csrf_token": token, "note": "ok"}, follow_redirects=False)
    assert done.status_code == 303 and "fait=publish" in done.headers["location"]
    page = client.get(done.headers["location"])
    assert f"La contribution n° {receipt['id']} est publiée." in page.text
    assert client.get(f"/api/contributions/{receipt['id']}").status_code == 200


def test_json_moderation_api_needs_csrf_header(
    client: TestClient, store: ContributionStore
) -> None:
    add_moderator(store, "alice", ["85191"])
    receipt = submit(client)
    token = login_api(client, "alice")
    url = f"/api/moderation/contributions/{receipt['id']}/reject"
    assert client.post(url).status_code == 403
    assert client.post(url, headers={"X-CSRF-Token": "x" * 64}).status_code == 403
    response = client.post(url, headers={"X-CSRF-Token": token}, json={"note": "doublon"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected" and body["history"][0]["note"] == "doublon"
    patched = client.patch(
        f"/api/moderation/contributions/{receipt['id']}",
        headers={"X-CSRF-Token": token},
        json={"category": "besoin"},
    )
    assert patched.status_code == 200 and patched.json()["category"] == "besoin"
    session = client.get("/api/moderation/session").json()
    assert session["login"] == "alice" and session["roles"] == {"85191": "moderator"}
    assert client.post("/api/moderation/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/moderation/session").status_code == 401


def test_roles_are_per_territory(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "roche", ["85191"])
    angers = submit(client, territory="49007", lon=IN_ANGERS[0], lat=IN_ANGERS[1])
    roche = submit(client)
    token = login_api(client, "roche")
    queue = client.get("/api/moderation/contributions").json()
    assert [item["id"] for item in queue["items"]] == [roche["id"]]
    refused = client.post(
        f"/api/moderation/contributions/{angers['id']}/publish", headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 403 and "49007" in refused.json()["detail"]
    assert client.get(f"/api/moderation/contributions/{angers['id']}").status_code == 403
    assert client.get("/api/moderation/audit").status_code == 403
    page_token = csrf_from(client.get("/moderation").text)  # same session as the API
    page = client.post(
        f"/moderation/contributions/{angers['id']}/publier", data={"csrf_token": page_token}
    )
    assert page.status_code == 403 and "49007" in page.text
    assert client.get("/moderation/journal").status_code == 403
    assert store.get_for_moderation(int(angers["id"]), scope=None).status is Status.PENDING  # type: ignore[call-overload]


def test_admin_reads_the_audit_log_of_their_territories(
    client: TestClient, store: ContributionStore
) -> None:
    add_moderator(store, "chef", ["85191"], role="admin")
    receipt = submit(client)
    token = login_api(client, "chef")
    client.post(
        f"/api/moderation/contributions/{receipt['id']}/publish", headers={"X-CSRF-Token": token}
    )
    log = client.get("/api/moderation/audit").json()
    actions = [entry["action"] for entry in log["items"]]
    assert actions[0] == "publish" and "moderator_add" in actions
    assert all(entry["territory"] == "85191" for entry in log["items"])
    journal = client.get("/moderation/journal")  # same session as the API
    assert journal.status_code == 200 and "publication" in journal.text
    assert '<th scope="col">Action</th>' in journal.text


def test_login_throttling_per_client_and_per_login(store: ContributionStore) -> None:
    add_moderator(store, "alice", ["85191"])
    app = make_app(store, ParticipationConfig(login_burst=3, login_per_minute=1))
    with TestClient(app, base_url="https://testserver") as client:
        for _ in range(3):
            response = client.post(
                "/api/moderation/login", json={"login": "alice", "password": "mauvais"}
            )
            assert response.status_code == 401
        # Even the right password is refused now, and the page says when to come back.
        blocked = client.post(
            "/api/moderation/login", json={"login": "alice", "password": PASSWORD}
        )
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        token = csrf_from(client.get("/moderation/connexion").text)
        page = client.post(
            "/moderation/connexion",
            data={"login": "alice", "password": PASSWORD, "csrf_token": token},
        )
        assert page.status_code == 429 and "Trop de tentatives" in page.text
    # The login itself is throttled too, whatever the client address.
    with TestClient(app, base_url="https://testserver", client=("203.0.113.5", 1)) as other:
        again = other.post("/api/moderation/login", json={"login": "alice", "password": PASSWORD})
        assert again.status_code == 429
    with store.db.reading() as session:
        from quartiers.participation.audit import list_entries

        entries, _ = list_entries(session, territories=None, limit=50, offset=0)
    assert [e.action for e in entries].count("login_failed") == 3


def test_disabled_account_loses_its_session(client: TestClient, store: ContributionStore) -> None:
    add_moderator(store, "alice", ["85191"])
    login_api(client, "alice")
    assert client.get("/api/moderation/session").status_code == 200
    store.accounts.set_active("alice", False)
    assert client.get("/api/moderation/session").status_code == 401
    response = client.post("/api/moderation/login", json={"login": "alice", "password": PASSWORD})
    assert response.status_code == 401


@pytest.mark.parametrize("secure", [True, False])
def test_cookie_secure_flag_follows_config(store: ContributionStore, secure: bool) -> None:
    add_moderator(store, "alice", ["*"])
    app = make_app(store, ParticipationConfig(secure_cookies=secure))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.post(
            "/api/moderation/login", json={"login": "alice", "password": PASSWORD}
        )
        assert ("secure" in _set_cookies(response)["qt_session"].lower()) is secure
        assert response.json()["roles"] == {"*": "moderator"}
