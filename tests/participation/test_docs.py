"""The participation guide names every route, setting, command and category of the code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import typer.main
from fastapi.routing import APIRoute

from quartiers.commands.contributions import contributions_app
from quartiers.participation.api import build_router
from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore
from quartiers.participation.vocab import AgeBand, Category, Period, Status

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "participation.md"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_every_route_is_documented(guide: str) -> None:
    store = ContributionStore.open("sqlite://", {})
    try:
        router = build_router(store, secret_key="k" * 32)
    finally:
        store.close()
    paths = {route.path for route in router.routes if isinstance(route, APIRoute)}
    assert len(paths) >= 18
    assert [path for path in sorted(paths) if f"`{path}`" not in guide] == []


def test_every_setting_is_documented(guide: str) -> None:
    names = [field.name for field in dataclasses.fields(ParticipationConfig)]
    assert [name for name in names if f"`{name}`" not in guide] == []


def test_every_command_is_documented(guide: str) -> None:
    group = typer.main.get_group(contributions_app)
    commands = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        commands += [f"{name} {child}" for child in sub] if sub else [name]
    assert commands and [c for c in commands if f"quartiers contributions {c}" not in guide] == []


def test_every_vocabulary_id_is_documented(guide: str) -> None:
    ids = [member.value for enum in (Category, Status, AgeBand, Period) for member in enum]
    assert [i for i in ids if f"`{i}`" not in guide] == []
