"""Issue 22 point 5: the allocation rule and the OSM coverage as uncertainty factors."""

from __future__ import annotations

import numpy as np
import pytest
from _territory import make_territory, with_uncertainty
from scipy import sparse

from quartiers.indicators.base import from_values
from quartiers.method.choices import Uncertainty, check_choices
from quartiers.method.composite import compile_method
from quartiers.method.evaluation import evaluate
from quartiers.method.osm_coverage import BLOCK_M, blocks_of, completeness, osm_batch
from quartiers.method.problem import RankingProblem, build_problem
from quartiers.method.sensitivity import sobol_indices
from quartiers.method.spec import Method, default_method
from quartiers.method.variants import choice_space

LOW = 0.5


def _method(**extra: object) -> Method:
    settings: dict[str, object] = {"draws": 16, "sobol_samples": 0}
    settings.update(extra)
    return with_uncertainty(**settings)


def _shifted(matrix: sparse.csr_array, n: int) -> sparse.csr_array:
    """Alternative shares: each QPV keeps 70 % of its cells' weight, 30 % on the next cell."""
    dense = matrix.toarray()
    out = 0.7 * dense + 0.3 * np.roll(dense, 1, axis=1)
    return sparse.csr_array(out[:, :n])


def _problem(territory, method, **kw) -> RankingProblem:  # type: ignore[no-untyped-def]
    compiled = compile_method(method, list(territory.indicators))
    return build_problem(
        method,
        compiled,
        territory.indicators,
        cell_population=territory.population,
        imputed=territory.imputed,
        qpv_matrix=kw.pop("matrix", territory.matrix),
        **kw,
    )


def test_allocation_draws_are_the_run_under_each_rule() -> None:
    method = _method(allocations=("area", "buildings"))
    territory = make_territory(n_qpv=6, seed=4)
    alt = _shifted(territory.matrix, len(territory.population))
    problem = _problem(territory, method, alternative_matrix=alt)
    space = choice_space(method, problem)
    assert space.names == ("allocation",) and space.groups == ("allocation",)
    assert problem.allocation_rules == ("area", "buildings")
    out = evaluate(problem, space, np.array([[0.2], [0.9], [0.4]]), seed=0)
    fixed = _method()
    for row, matrix in ((0, territory.matrix), (1, alt), (2, territory.matrix)):
        direct = _problem(territory, fixed, matrix=matrix)
        ref = evaluate(direct, choice_space(fixed, direct), np.zeros((1, 0)), seed=0)
        np.testing.assert_allclose(out.index[row], ref.index[0], rtol=1e-12)
        np.testing.assert_array_equal(out.rank[row], ref.rank[0])
        np.testing.assert_allclose(out.resident_share[row], ref.resident_share[0], rtol=1e-12)
    assert not np.allclose(out.index[0], out.index[1])


def test_allocation_is_not_varied_without_buildings_or_declaration() -> None:
    territory = make_territory(n_qpv=6, seed=4)
    alt = _shifted(territory.matrix, len(territory.population))
    declared = _method(allocations=("area", "buildings"))
    assert "allocation" not in choice_space(declared, _problem(territory, declared)).groups
    undeclared = _method()
    problem = _problem(territory, undeclared, alternative_matrix=alt)
    assert problem.alternative_matrix is None
    assert choice_space(undeclared, problem).size == 0


def test_blocks_are_one_kilometre_squares() -> None:
    xy = np.array([[0, 0], [800, 800], [1000, 0], [1000, 1000], [200, 1200]], dtype=np.int64)
    blocks = blocks_of(xy + 3_500_000)
    assert BLOCK_M == 1000
    assert blocks[0] == blocks[1]
    assert len({blocks[0], blocks[2], blocks[3], blocks[4]}) == 4


def test_osm_draw_raises_canopy_per_block_never_invents_it() -> None:
    method = _method(osm_completeness=(LOW, 1.0))
    territory = make_territory(n_qpv=6, seed=5)
    canopy = territory.indicators["canopy_share"].value.copy()
    canopy[::7] = 0.0
    canopy[3] = 0.9
    territory.indicators["canopy_share"] = from_values(canopy, territory.population)
    blocks = blocks_of(territory.xy)
    problem = _problem(territory, method, osm_blocks=blocks)
    assert choice_space(method, problem).names == ("osm",)
    keys = np.array([11, 12], dtype=np.int64)
    stacked, cells = osm_batch(problem, 7, keys)
    c = completeness(problem, 7, keys)
    assert c.shape == (2, blocks.max() + 1)
    assert ((c >= LOW) & (c <= 1.0)).all()
    expected = np.minimum(canopy[None, :] / c[:, blocks], 1.0)
    np.testing.assert_allclose(cells, expected, rtol=1e-12)
    assert (cells >= canopy[None, :] - 1e-12).all() and (cells <= 1.0).all()
    assert (cells[:, canopy == 0] == 0).all()
    # the QPV values are their cells' canopy, weighted by residents (whole-cell QPV)
    pop = territory.population
    for q, members in enumerate(territory.qpv_cells):
        want = (cells[:, members] * pop[members]).sum(axis=1) / pop[members].sum()
        np.testing.assert_allclose(stacked[:, q], want, rtol=1e-12)


def test_osm_draw_is_the_run_with_the_corrected_canopy() -> None:
    method = _method(osm_completeness=(LOW, 1.0))
    territory = make_territory(n_qpv=6, seed=6)
    blocks = blocks_of(territory.xy)
    problem = _problem(territory, method, osm_blocks=blocks)
    space = choice_space(method, problem)
    u = np.array([[0.25], [0.75]])
    out = evaluate(problem, space, u, seed=3)
    keys = space.decode(u).osm_key
    assert keys is not None
    _, cells = osm_batch(problem, 3, keys)
    fixed = _method()
    for row in range(2):
        changed = make_territory(n_qpv=6, seed=6)
        changed.indicators["canopy_share"] = from_values(cells[row], changed.population)
        direct = _problem(changed, fixed)
        ref = evaluate(direct, choice_space(fixed, direct), np.zeros((1, 0)), seed=0)
        np.testing.assert_allclose(out.index[row], ref.index[0], rtol=1e-10)
        np.testing.assert_array_equal(out.rank[row], ref.rank[0])


def test_osm_not_varied_without_blocks_or_range() -> None:
    territory = make_territory(n_qpv=6, seed=6)
    method = _method(osm_completeness=(LOW, 1.0))
    assert choice_space(method, _problem(territory, method)).size == 0
    plain = _method()
    problem = _problem(territory, plain, osm_blocks=blocks_of(territory.xy))
    assert problem.osm_column == -1


def test_sobol_gives_each_data_factor_its_row_with_intervals() -> None:
    method = _method(
        allocations=("area", "buildings"), osm_completeness=(0.3, 1.0), weight_range=0.3
    )
    territory = make_territory(n_qpv=6, seed=4)
    alt = _shifted(territory.matrix, len(territory.population))
    problem = _problem(
        territory, method, alternative_matrix=alt, osm_blocks=blocks_of(territory.xy)
    )
    space = choice_space(method, problem)
    result = sobol_indices(problem, space, samples=64, seed=2)
    assert result is not None
    assert {"allocation", "osm_coverage", "weights"} <= set(result.groups)
    for group in ("allocation", "osm_coverage"):
        g = result.groups.index(group)
        ranked = problem.eligible & np.isfinite(result.total[:, g])
        assert ranked.any()
        assert np.isfinite(result.total_conf[ranked, g]).all()
        assert (result.total[ranked, g] > 0).any()


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        ({"allocations": ("area", "parcelles")}, "uncertainty.allocations", "choix inconnu"),
        ({"allocations": ("buildings",)}, "uncertainty.allocations", "doit figurer"),
        ({"osm_completeness": (0.0, 1.0)}, "uncertainty.osm_completeness", "0 < min"),
        ({"osm_completeness": (0.8, 1.2)}, "uncertainty.osm_completeness", "max ≤ 1"),
    ],
)
def test_bad_settings_are_refused_in_french(
    settings: dict[str, object], field: str, words: str
) -> None:
    method = default_method()
    unc = Uncertainty.model_validate({**method.uncertainty.model_dump(), **settings})
    errors = check_choices(method.model_copy(update={"uncertainty": unc}))
    assert any(f == field and words in msg for f, msg in errors), errors


def test_default_method_declares_both_factors() -> None:
    unc = default_method().uncertainty
    assert unc.allocations == ("area", "buildings")
    assert unc.osm_completeness == (0.5, 1.0)
