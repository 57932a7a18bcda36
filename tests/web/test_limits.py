"""Web guards of issue 15: body limits on every route, French body errors, proxies, caching."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from quartiers.cli import main
from quartiers.participation.routing import client_key
from quartiers.web.limits import MAX_BODY_BYTES, ForwardedFor, parse_trusted

from .conftest import LiveServer

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _body_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the app that reads a body: OpenAPI spec and hidden routes."""
    found: set[tuple[str, str]] = set()
    for path, operations in app.openapi().get("paths", {}).items():
        for verb in operations:
            if verb.upper() in _BODY_METHODS:
                found.add((verb.upper(), path))
    for route in app.routes:
        if isinstance(route, APIRoute):
            for verb in route.methods & _BODY_METHODS:
                found.add((verb, route.path))
    return sorted(found)


def _concrete(path: str) -> str:
    """Fill path parameters with plausible values (the limit acts before routing matters)."""
    values = {"code": "200000001", "code_qp": "QN00001A", "fmt": "pdf", "id": "1"}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path.replace("{", "").replace("}", "")


def test_every_route_reading_a_body_refuses_an_oversized_one(demo_app: FastAPI) -> None:
    routes = _body_routes(demo_app)
    assert any("whatif" in p for _, p in routes) and any("feuille-de-route" in p for _, p in routes)
    client = TestClient(demo_app)
    big = b'{"choices": [' + b" " * (MAX_BODY_BYTES + 10) + b"]}"
    for verb, path in routes:
        response = client.request(
            verb, _concrete(path), content=big, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413, (verb, path, response.status_code)
        assert "requête trop volumineuse" in response.text, (verb, path)


def test_a_chunked_body_is_cut_at_the_limit(demo_app: FastAPI) -> None:
    client = TestClient(demo_app)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b" " * 16_384

    response = client.post(
        "/api/territories/200000001/qpv/QN00001A/actions/whatif",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["detail"].startswith("requête trop volumineuse")


@pytest.mark.parametrize(
    "body",
    [b'{"choices": "\xff\xfe"}', b"[" * 8000 + b"]" * 8000],
    ids=["utf8-invalide", "json-imbrique-8000"],
)
def test_malformed_bodies_are_answered_in_french(demo_app: FastAPI, body: bytes) -> None:
    client = TestClient(demo_app)
    response = client.post(
        "/api/territories/200000001/qpv/QN00001A/actions/whatif",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "error parsing" not in text.lower()
    assert "illisible" in text or "JSON" in text


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted() -> None:
    trusted = ForwardedFor(app=None, trusted=parse_trusted(["10.0.0.0/8"]))  # type: ignore[arg-type]
    assert trusted.client("10.1.2.3", "203.0.113.9") == "203.0.113.9"
    assert trusted.client("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.0.0.5") == "203.0.113.9"
    assert trusted.client("192.0.2.1", "203.0.113.9") == "192.0.2.1"  # peer not a proxy
    assert trusted.client("10.1.2.3", "<script>alert(1)</script>") == "10.1.2.3"
    assert trusted.client("10.1.2.3", "203.0.113.9, pas-une-ip") == "10.1.2.3"
    with pytest.raises(ValueError, match="ni une adresse IP"):
        parse_trusted(["proxy.local"])


def _served_like_quartiers_serve(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[FastAPI, dict[str, object]]:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(app: object, **kwargs: object) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    assert main(["serve", str(demo_dir), "--sans-contributions", *extra]) == 0
    app = seen.pop("app")
    assert isinstance(app, FastAPI)
    return app, seen


@pytest.mark.parametrize("trusted", [False, True])
def test_rotating_forwarded_for_reaches_the_app_only_through_a_trusted_proxy(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, trusted: bool
) -> None:
    extra = ["--forwarded-allow-ips", "127.0.0.1"] if trusted else []
    app, kwargs = _served_like_quartiers_serve(demo_dir, monkeypatch, *extra)
    assert kwargs["proxy_headers"] is False  # uvicorn's unchecked handling is off
    clients: list[str] = []

    @app.get("/api/test-client")
    def who(request: Request) -> dict[str, str]:
        clients.append(client_key(request, trust_forwarded_for=False))
        return {}

    config = uvicorn.Config(app, log_level="warning", proxy_headers=False)
    with LiveServer(app, config=config) as server:
        for i in range(5):
            headers = {"x-forwarded-for": f"203.0.113.{i}"}
            httpx.get(f"{server.url}/api/test-client", headers=headers, timeout=10)
        httpx.get(f"{server.url}/api/test-client", headers={"x-forwarded-for": "du texte"})
    if trusted:
        assert clients == [*(f"203.0.113.{i}" for i in range(5)), "127.0.0.1"]
    else:
        assert clients == ["127.0.0.1"] * 6


def test_serve_refuses_a_bad_proxy_address(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(demo_dir), "--forwarded-allow-ips", "proxy.local"]) == 1
    assert "--forwarded-allow-ips : « proxy.local » n'est ni" in capsys.readouterr().err


def test_territory_page_is_cached_and_still_validated(demo_app: FastAPI) -> None:
    client = TestClient(demo_app)
    first = client.get("/territoires/200000001?tri=indice")
    second = client.get("/territoires/200000001?tri=indice")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert client.get("/territoires/999999999").status_code == 404
