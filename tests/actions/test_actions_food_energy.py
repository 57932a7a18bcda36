"""A catalogue action for food (shared garden) and one for energy poverty (issues 19 and 21)."""

from __future__ import annotations

from quartiers.actions.catalogue import default_catalogue
from quartiers.actions.matching import qpv_needs, suggest
from quartiers.actions.transitions import panel
from quartiers.demo.pipeline import DemoRun
from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import ACCESS_CATEGORIES


def test_the_two_actions_are_valid_and_sourced() -> None:
    catalogue = default_catalogue()
    garden = catalogue.get("shared_garden")
    assert "food" in garden.co_benefits and len(garden.co_benefits) >= 2
    assert garden.targets == ["dist_shared_garden"]
    assert garden.lever.kind == "place" and garden.lever.category in ACCESS_CATEGORIES
    assert garden.monitoring.indicator == "dist_shared_garden"
    renovation = catalogue.get("energy_renovation")
    assert {"share_dpe_fg", "energy_poverty_proxy"} <= set(renovation.targets)
    assert "energy" in renovation.co_benefits and renovation.beneficiaries == "poor"
    assert renovation.monitoring.indicator == "share_dpe_fg"
    for action in (garden, renovation):
        assert action.cost.expert and action.cost.source
        assert len(action.sources) >= 2 and len(action.impact_basis) > 80


def test_dpe_and_garden_needs_drive_the_new_actions(demo_run: DemoRun) -> None:
    diag = Diagnostic.load(demo_run.out_dir)
    catalogue = default_catalogue()
    # « Centre ancien » has 27 % of F/G dwellings against 19 % in the rest of its commune
    needs = {n.indicator: n for n in qpv_needs(diag, "QN00001B", catalogue=catalogue)}
    assert {"share_dpe_fg", "energy_poverty_proxy"} <= set(needs)
    assert needs["share_dpe_fg"].gap > 0
    found = {s.action.id: s for s in suggest(diag, "QN00001B", catalogue)}
    renovation = found["energy_renovation"]
    assert renovation.driver is not None
    assert renovation.driver.indicator in {"share_dpe_fg", "energy_poverty_proxy"}
    assert renovation.need > 0.5
    # « Le Plateau » lies about 4 km from a shared garden, the rest of its commune 1.3 km
    plateau = {s.action.id: s for s in suggest(diag, "QN00001A", catalogue)}
    garden = plateau["shared_garden"]
    assert garden.driver is not None and garden.driver.indicator == "dist_shared_garden"
    assert garden.choice.points  # the garden opens where the nearest one is farthest


def test_the_food_transition_now_has_an_action(demo_run: DemoRun) -> None:
    diag = Diagnostic.load(demo_run.out_dir)
    groups = {g.key: g for g in panel(diag, "QN00001A", default_catalogue())}
    assert "shared_garden" in [a.id for a in groups["food"].actions]
    assert "energy_renovation" in [a.id for a in groups["energy"].actions]
