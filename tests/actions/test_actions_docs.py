"""docs/actions.md tells the truth: every action, lever, partner, endpoint and command."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from quartiers.actions.api import router
from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.vocabulary import BENEFICIARIES, CO_BENEFITS, LEVERS, PARTNERS, PILLARS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "actions.md").read_text(encoding="utf-8")


def test_every_action_and_vocabulary_entry_is_documented() -> None:
    for action_id in default_catalogue().ids:
        assert f"`{action_id}`" in DOC, action_id
    for table in (LEVERS, PARTNERS, PILLARS, BENEFICIARIES, CO_BENEFITS):
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


def test_every_answer_link_is_documented_with_its_reason() -> None:
    """The « répond à » table of docs/actions.md lists exactly each action's targets."""
    rows = {}
    for line in DOC.split("### « Répond à »", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = ([t.strip(" `") for t in cells[1].split(",")], cells[2])
    for action in default_catalogue().actions:
        targets, reason = rows[action.id]
        assert targets == list(action.targets), action.id
        assert len(reason) > 20, action.id


def test_implausible_answer_links_are_gone() -> None:
    """Issue 18: fountains do not answer 0–3 year olds, a cour oasis not single parents."""
    catalogue = default_catalogue()
    assert "share_0_3" not in catalogue.get("drinking_fountains").targets
    oasis = catalogue.get("schoolyard_oasis").targets
    assert "share_single_parent" not in oasis and "share_0_3" not in oasis


def test_every_co_benefit_tag_is_documented() -> None:
    """The co-benefit table of docs/actions.md lists exactly each action's tags (issue 21)."""
    rows = {}
    for line in DOC.split("### Co-bénéfices", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = [t.strip(" `") for t in cells[1].split(",")]
    catalogue = default_catalogue()
    assert set(rows) == set(catalogue.ids)
    for action in catalogue.actions:
        assert rows[action.id] == list(action.co_benefits), action.id
        assert set(action.co_benefits) <= set(CO_BENEFITS)
