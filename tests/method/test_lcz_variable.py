"""« Variable » LCZ classes: a score drawn in the Monte Carlo (factor « table des scores LCZ »)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import yaml
from _territory import make_territory, with_uncertainty
from shapely.geometry import box

from quartiers.errors import MethodError
from quartiers.indicators.base import from_values
from quartiers.indicators.exposure import LCZ_HEAT_SCORES, lcz_class_fractions, lcz_heat
from quartiers.method._engine import Engine
from quartiers.method.composite import compile_method
from quartiers.method.evaluation import evaluate
from quartiers.method.problem import build_problem
from quartiers.method.spec import Method, packaged_method, parse_method
from quartiers.method.variants import choice_space, describe_space
from quartiers.spatial.geometry import CellGrid

LOW, HIGH = 1.0, 3.0


def _method() -> Method:
    """v1 (the synthetic territory's indicators) with class 10 « variable », nothing else drawn."""
    method = with_uncertainty(lcz_variable_range=(LOW, HIGH), draws=20, sobol_samples=0)
    scores = {**method.lcz_heat_scores, "10": "variable"}
    return method.model_copy(update={"lcz_heat_scores": scores})


def _territory_with(share: np.ndarray, score: float, seed: int = 3):  # type: ignore[no-untyped-def]
    """Territory whose lcz_heat = other classes' part + share × score of class 10."""
    territory = make_territory(n_qpv=6, seed=seed)
    base = territory.indicators["lcz_heat"].value * (1 - share)
    territory.indicators["lcz_heat"] = from_values(base + share * score, territory.population)
    return territory


def _problem(territory, method, share):  # type: ignore[no-untyped-def]
    compiled = compile_method(method, list(territory.indicators))
    return build_problem(
        method,
        compiled,
        territory.indicators,
        cell_population=territory.population,
        imputed=territory.imputed,
        qpv_matrix=territory.matrix,
        lcz_variable=None if share is None else {"10": share},
    )


def _share(n: int) -> np.ndarray:
    rng = np.random.default_rng(8)
    return np.where(rng.uniform(size=n) < 0.4, rng.uniform(0, 1, n), 0.0)


def test_method_runs_with_the_middle_of_the_range() -> None:
    method = _method()
    assert method.lcz_variable_classes() == ("10",)
    assert method.lcz_scores()["10"] == (LOW + HIGH) / 2
    assert packaged_method("v1").lcz_variable_classes() == ()


@pytest.mark.parametrize(
    ("section", "value", "field"),
    [
        ("lcz_heat_scores", {"10": "chaude"}, "lcz_heat_scores.10"),
        ("uncertainty", {"lcz_variable_range": [3, 1]}, "uncertainty.lcz_variable_range"),
    ],
)
def test_bad_variable_settings_are_refused_in_french(
    section: str, value: dict[str, object], field: str
) -> None:
    data = yaml.safe_load(packaged_method("v1").text)
    data[section] = {**(data.get(section) or {}), **value}
    with pytest.raises(MethodError) as err:
        parse_method(yaml.safe_dump(data, allow_unicode=True), source="méthode.yaml")
    assert field in str(err.value)


def test_each_present_variable_class_is_one_factor() -> None:
    method = _method()
    territory = make_territory(n_qpv=6, seed=3)
    share = _share(len(territory.population))
    problem = _problem(_territory_with(share, 2.0), method, share)
    space = choice_space(method, problem)
    assert problem.lcz_classes == ("10",)
    assert [g for g in space.groups if g == "lcz_scores"] == ["lcz_scores"]
    assert describe_space(space, problem.compiled)["lcz_variable_range"] == [LOW, HIGH]
    absent = _problem(_territory_with(np.zeros_like(share), 2.0), method, np.zeros_like(share))
    assert absent.lcz_classes == ()
    assert "lcz_scores" not in choice_space(method, absent).groups


@pytest.mark.parametrize("score", [LOW, 1.7, HIGH])
def test_drawn_score_gives_the_values_of_the_table_with_that_score(score: float) -> None:
    method = _method()
    territory = make_territory(n_qpv=6, seed=3)
    share = _share(len(territory.population))
    middle = _problem(_territory_with(share, 2.0), method, share)
    direct = _problem(_territory_with(share, score), method, None)
    stacked, cells = Engine(middle, 0.0, seed=0).lcz_batch(np.array([[score]]))
    j = middle.lcz_column
    expected = Engine(direct, 0.0, seed=0).stacked[:, j]
    np.testing.assert_allclose(stacked[0], expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cells[0], direct.cell_value[:, j], rtol=1e-12, atol=1e-12)


def test_draws_reproduce_the_method_at_the_middle_and_move_ranks_at_the_ends() -> None:
    method = _method()
    territory = make_territory(n_qpv=6, seed=3)
    share = _share(len(territory.population))
    problem = _problem(_territory_with(share, 2.0), method, share)
    space = choice_space(method, problem)
    assert space.names == ("lcz:0",)
    u = np.array([[0.5], [1.0], [0.0]])
    out = evaluate(problem, space, u, seed=0)
    fixed = choice_space(method, _problem(_territory_with(share, 2.0), method, None))
    assert fixed.size == 0
    for row, score in ((0, 2.0), (1, HIGH), (2, LOW)):
        direct = _problem(_territory_with(share, score), method, None)
        ref = evaluate(direct, fixed, np.zeros((1, 0)), seed=0)
        np.testing.assert_allclose(out.index[row], ref.index[0], rtol=1e-12)
        np.testing.assert_array_equal(out.rank[row], ref.rank[0])
        np.testing.assert_array_equal(out.top[row], ref.top[0])
    assert not np.allclose(out.index[1], out.index[2])


def test_class_fractions_make_lcz_heat_linear_in_a_class_score() -> None:
    x0, y0 = 3_500_000, 2_800_000
    xy = np.array([[x0 + 200 * i, y0] for i in range(3)], dtype=np.int64)
    grid = CellGrid(xy)
    blocks = gpd.GeoDataFrame(
        {"lcz": ["2", "10", "E", "D"]},
        geometry=[
            box(x0, y0, x0 + 150, y0 + 200),
            box(x0 + 150, y0, x0 + 330, y0 + 200),
            box(x0 + 330, y0, x0 + 600, y0 + 100),
            box(x0 + 330, y0 + 100, x0 + 600, y0 + 200),
        ],
        crs="EPSG:3035",
    )
    shares = lcz_class_fractions(grid, blocks, ("10", "E"))
    np.testing.assert_allclose(shares["10"], [50 / 200, 130 / 200, 0.0])
    np.testing.assert_allclose(shares["E"], [0.0, 70 / 400, 0.5])
    for s10, se in ((0.0, 0.0), (3.5, 1.0)):
        table = {**LCZ_HEAT_SCORES, "10": s10, "E": se}
        value, _ = lcz_heat(grid, blocks, table)
        zero, _ = lcz_heat(grid, blocks, {**LCZ_HEAT_SCORES, "10": 0.0, "E": 0.0})
        np.testing.assert_allclose(value, zero + shares["10"] * s10 + shares["E"] * se)
