"""docs/web.md names every API route, page, command option and download of the code."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from fastapi import FastAPI
from fastapi.routing import APIRoute

from quartiers.cli import app as cli_app
from quartiers.outputs.quantities import UNCERTAINTY_COLUMNS
from quartiers.web.downloads import DOWNLOADS

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "web.md"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _own_routes(app: FastAPI) -> set[str]:
    """Return the paths of the web package's routes (included routers are walked)."""
    paths = set()
    stack = list(app.routes)
    while stack:
        route = stack.pop()
        router = getattr(route, "original_router", None)
        if router is not None:
            stack.extend(router.routes)
        elif isinstance(route, APIRoute) and route.endpoint.__module__.startswith("quartiers.web"):
            paths.add(route.path)
    return paths


def test_every_route_is_documented(guide: str, demo_app: FastAPI) -> None:
    paths = _own_routes(demo_app)
    assert len(paths) >= 18
    assert [p for p in sorted(paths) if f"`{p}`" not in guide] == []


def test_every_serve_option_is_documented(guide: str) -> None:
    from quartiers import commands  # noqa: F401  (registers the commands)

    command = typer.main.get_command(cli_app).commands["serve"]  # type: ignore[attr-defined]
    options = [opt for p in command.params for opt in p.opts if opt.startswith("--")]
    assert "--basemap-url" in options
    assert [o for o in options if o != "--help" and f"`{o}`" not in guide] == []


def test_every_download_and_optional_column_is_documented(guide: str) -> None:
    assert [name for name in DOWNLOADS if f"`{name}`" not in guide] == []
    assert [c for c in UNCERTAINTY_COLUMNS if f"`{c}`" not in guide] == []
