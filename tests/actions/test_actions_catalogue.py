"""The packaged catalogue validates, and a broken one fails with a French message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quartiers.actions.catalogue import (
    EXPERT,
    default_catalogue,
    load_catalogue,
    parse_catalogue,
    resolve_indicator,
)
from quartiers.actions.vocabulary import PILLARS
from quartiers.errors import InputError
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY

CATALOGUE = Path(__file__).resolve().parents[2] / "src/quartiers/actions/catalogue.yaml"


def _data() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    return data


def test_packaged_catalogue_is_valid_and_complete() -> None:
    cat = default_catalogue()
    assert len(cat.actions) >= 12
    assert {a.type for a in cat.actions} == {"green", "blue", "grey", "soft"}
    assert {p for a in cat.actions for p in a.pillars} == set(PILLARS)
    for action in cat.actions:
        assert all(t in REGISTRY for t in action.targets)
        assert action.sources and action.cost.source
        for effect in action.effects:
            assert effect.indicator in REGISTRY
            assert effect.low <= effect.high
            assert effect.expert or EXPERT not in effect.basis
    # every access category a place lever opens is known to the access module
    places = [a.lever.category for a in cat.actions if a.lever.kind == "place"]
    assert places and set(places) <= set(ACCESS_CATEGORIES)


def test_expert_figures_say_so() -> None:
    cat = default_catalogue()
    trees = cat.get("shade_trees")
    assert trees.cost.expert
    assert trees.cost.basis.startswith(EXPERT)


def test_access_distances_resolve_with_or_without_unit_suffix() -> None:
    dist = next(i for i in REGISTRY if i.startswith("dist_"))
    assert resolve_indicator(dist) == dist
    other = f"{dist}_m" if not dist.endswith("_m") else dist.removesuffix("_m")
    assert resolve_indicator(other) == dist


def _broken(tmp_path: Path, edit: object) -> str:
    data = _data()
    actions = data["actions"]
    assert isinstance(actions, list)
    edit(actions)  # type: ignore[operator]
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalogue(path)
    return str(info.value)


def test_unknown_type_names_the_action_and_field(tmp_path: Path) -> None:
    def edit(actions: list[dict[str, object]]) -> None:
        actions[1]["type"] = "violet"

    message = _broken(tmp_path, edit)
    assert "courtyard_greening" in message and "type" in message and "violet" in message


def test_inverted_cost_range_is_refused(tmp_path: Path) -> None:
    def edit(actions: list[dict[str, object]]) -> None:
        cost = actions[0]["cost"]
        assert isinstance(cost, dict)
        cost["low"], cost["high"] = 5000, 10

    message = _broken(tmp_path, edit)
    assert "shade_trees" in message and "fourchette de coût inversée" in message


def test_unknown_indicator_is_refused(tmp_path: Path) -> None:
    def edit(actions: list[dict[str, object]]) -> None:
        actions[2]["targets"] = ["temperature_ressentie"]

    message = _broken(tmp_path, edit)
    assert "desealing" in message and "indicateur inconnu" in message


def test_duplicate_id_and_unquantified_lever(tmp_path: Path) -> None:
    def duplicate(actions: list[dict[str, object]]) -> None:
        actions[3]["id"] = actions[0]["id"]

    assert "en double" in _broken(tmp_path, duplicate)

    def effects_without_lever(actions: list[dict[str, object]]) -> None:
        register = next(a for a in actions if a["id"] == "heatwave_register")
        register["effects"] = [
            {"indicator": "share_80p", "low": -0.1, "high": 0, "scope": "x", "source": "y"}
        ]

    assert "sans levier" in _broken(tmp_path, effects_without_lever)


def test_unreadable_yaml_and_unknown_action() -> None:
    with pytest.raises(InputError, match="YAML illisible"):
        parse_catalogue("actions: [\n", source="x.yaml")
    with pytest.raises(InputError, match="action inconnue « planter »"):
        default_catalogue().get("planter")
