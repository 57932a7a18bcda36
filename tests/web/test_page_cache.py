"""Rendered pages are cached, rendered off the event loop, and kept gzipped (issue 15)."""

from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from quartiers.web.page_cache import GZIP_MINIMUM_SIZE, PageCache

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` in its own thread and event loop (a test before may have left a loop
    running in this worker's thread, where ``asyncio.run`` refuses to start)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


DEMO = "200000001"
BIG = "<p>" + "é" * GZIP_MINIMUM_SIZE + "</p>"


class _Renderer:
    def __init__(self, html: str, status: int = 200) -> None:
        self.html, self.status, self.calls, self.threads = html, status, 0, set[str]()

    def __call__(self) -> HTMLResponse:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        return HTMLResponse(self.html, status_code=self.status)


def test_page_rendered_once_in_a_worker_thread_then_served_from_memory() -> None:
    cache, render = PageCache(), _Renderer(BIG)
    first = _run(cache.respond(("p",), render))
    again = _run(cache.respond(("p",), render))
    assert render.calls == 1 and first.body == again.body == BIG.encode()
    assert threading.main_thread().name not in render.threads


def test_gzip_form_is_cached_and_sent_to_clients_that_accept_it() -> None:
    cache, render = PageCache(), _Renderer(BIG)
    zipped = _run(cache.respond(("p",), render, accept_encoding="gzip, deflate, br"))
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == BIG.encode()
    plain = _run(cache.respond(("p",), render, accept_encoding="identity"))
    assert "content-encoding" not in plain.headers and plain.body == BIG.encode()
    assert render.calls == 1
    # a small page is sent as is even to gzip clients
    small = _run(cache.respond(("s",), _Renderer("<p>x</p>"), accept_encoding="gzip"))
    assert "content-encoding" not in small.headers and small.body == b"<p>x</p>"


def test_errors_are_not_cached_and_the_cache_is_bounded() -> None:
    cache = PageCache(max_entries=3)
    failing = _Renderer("absent", status=404)
    for _ in range(2):
        assert _run(cache.respond(("e",), failing)).status_code == 404
    assert failing.calls == 2 and len(cache) == 0
    for i in range(10):
        _run(cache.respond(("p", i), _Renderer(BIG)))
    assert len(cache) == 3 and cache.get(("p", 9)) is not None and cache.get(("p", 0)) is None


@pytest.mark.parametrize("url", [f"/territoires/{DEMO}", "/", "/comparaison"])
def test_pages_reach_browsers_gzipped_and_identical(client: TestClient, url: str) -> None:
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith("text/html")
    assert zipped.content == plain.content  # httpx decodes the gzip body
    assert "content-security-policy" in zipped.headers  # security headers still added
