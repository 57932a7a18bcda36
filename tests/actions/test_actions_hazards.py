"""Flood and indoor-heat actions (issue 19, point 4) and needs limited to answered indicators."""

from __future__ import annotations

from quartiers.actions.catalogue import PACKAGED_FILES, default_catalogue, parse_catalogue
from quartiers.actions.matching import answered_indicators, qpv_needs, suggest
from quartiers.actions.workshop import Workshop
from quartiers.indicators.hazard_registry import hazard_indicator_id


def test_packaged_catalogue_merges_the_hazard_file() -> None:
    cat = default_catalogue()
    assert PACKAGED_FILES == ("catalogue.yaml", "catalogue_hazards.yaml")
    for action_id in (
        "flood_home_works",
        "flood_preparedness",
        "attic_heat_protection",
        "clay_shrinkage_prevention",
    ):
        action = cat.get(action_id)
        assert action.sources and action.cost.source
        assert action.lever.kind == "none" and not action.effects
        assert action.cost.expert
    answered = answered_indicators(cat)
    for group in ("flood", "sea"):
        for pop in ("residents", "poor", "0_3", "65p"):
            assert hazard_indicator_id(group, pop) in answered
    assert {"top_floor_share", "share_pre1945", "share_1945_1970"} <= answered
    assert {"clay_residents", "clay_poor", "share_summer_comfort_poor"} <= answered
    # the heat actions are all still there, first
    assert cat.ids[0] == "shade_trees"


def test_needs_are_only_indicators_some_action_answers(demo_workshop: Workshop) -> None:
    diag = demo_workshop.diagnostic
    code = "QN00001B"
    cat = default_catalogue()
    needs = qpv_needs(diag, code, catalogue=cat)
    answered = answered_indicators(cat)
    assert needs and {n.indicator for n in needs} <= answered
    # clay has its action: the QPV, 100 % exposed, needs it (and the clay action answers it)
    assert "clay_residents" in {n.indicator for n in needs}
    assert "flood_residents" in {n.indicator for n in needs}
    # a catalogue with one flood action: only flood and sea indicators are needs
    one = parse_catalogue(
        "version: '1'\ntitle: t\nactions:\n  - " + cat.get("flood_preparedness").model_dump_json(),
        source="test.yaml",
    )
    only = {n.indicator for n in qpv_needs(diag, code, catalogue=one)}
    assert only and all(i.startswith(("flood_", "sea_", "multi_hazard_")) for i in only)
    # the flood actions are driven by the flood need of the flooded QPV
    ranked = {s.action.id: s for s in suggest(diag, code, cat)}
    clay = ranked["clay_shrinkage_prevention"]
    assert clay.driver is not None and clay.driver.indicator.startswith("clay_")
    works = ranked["flood_home_works"]
    assert works.driver is not None and works.driver.indicator.startswith("flood_")
    assert works.need > 0
