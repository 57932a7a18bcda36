"""Fixtures of the source tests: a local faulty HTTP server and a fresh downloader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faulty_server import FaultyServer, start

from quartiers.sources._http import Downloader


@pytest.fixture
def server() -> Iterator[FaultyServer]:
    """Start a threaded HTTP server on 127.0.0.1 (random port) for one test."""
    state = FaultyServer(base="")
    httpd = start(state)
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def downloader(tmp_path: Path) -> Iterator[Downloader]:
    """A downloader with a fresh cache, three retries and no real waiting."""
    waits: list[float] = []
    dl = Downloader(
        cache_dir=tmp_path / "cache", retries=3, backoff_s=0.5, timeout_s=5, sleep=waits.append
    )
    dl.waits = waits  # type: ignore[attr-defined]
    with dl:
        yield dl
