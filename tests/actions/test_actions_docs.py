"""docs/actions.md tells the truth: every action, lever, partner, endpoint and command."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from quartiers.actions.api import router
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.vocabulary import BENEFICIARIES, LEVERS, PARTNERS, PILLARS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "actions.md").read_text(encoding="utf-8")


def test_every_action_and_vocabulary_entry_is_documented() -> None:
    for action_id in default_catalogue().ids:
        assert f"`{action_id}`" in DOC, action_id
    for table in (LEVERS, PARTNERS, PILLARS, BENEFICIARIES):
        for key in table:
            assert f"`{key}`" in DOC, key


def test_every_route_and_command_is_documented() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        path = route.path.replace("{fmt}", "{docx,pdf}").replace(
            "{name}", "{atelier.js,atelier.css}"
        )
        assert f"`{path}`" in DOC, path
    for command in ("quartiers actions", "quartiers feuille-de-route", "--simulate", "--workspace"):
        assert command in DOC
