from __future__ import annotations

import numpy as np
import pytest
from _territory import make_territory, problem_of, with_uncertainty

from quartiers.method.sensitivity import SobolResult, sobol_indices
from quartiers.method.spec import parse_method
from quartiers.method.variants import choice_space

# One dimension, three indicators: two informative ones and one constant everywhere.
ONE_DIMENSION = """
name: test
version: "1"
dimensions:
  sensitivity:
    weight: 1.0
    indicators:
      poverty_rate: 0.4
      share_single_person: 0.3
      share_65p: 0.3
"""


def _flat_65p(seed: int):  # type: ignore[no-untyped-def]
    territory = make_territory(n_qpv=6, seed=seed, imputed_share=0.0)
    ind = territory.indicators["share_65p"]
    # whole counts and a quarter: every sum is exact, so every unit has exactly 0.25 (the
    # percentile rank of a value one ulp off a constant reference would jump to 0 or 1)
    den = np.round(ind.den)
    territory.indicators["share_65p"] = type(ind)(
        value=np.full_like(den, 0.25), num=den / 4, den=den
    )
    return territory


def test_a_choice_without_effect_gets_no_index_and_the_one_that_matters_gets_it_all() -> None:
    # Under an arithmetic mean, the weight of an indicator that is the same everywhere shifts
    # and rescales every unit's index alike: the QPV's place among residents cannot move.
    territory = _flat_65p(seed=1)
    method = with_uncertainty(
        parse_method(ONE_DIMENSION, source="t.yaml"),
        normalisations=["percentile", "minmax"],
        weight_ranges={"share_65p": [0.05, 0.9]},
    )
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    assert space.groups == ("normalisation", "weights")
    result = sobol_indices(problem, space, samples=64, seed=2)
    assert result is not None
    assert result.groups == ("normalisation", "weights")
    assert result.evaluations == 64 * (2 + 2)
    moving = np.isfinite(result.total[:, 0])
    assert moving.any()
    np.testing.assert_allclose(result.total[moving, 1], 0.0, atol=1e-9)
    np.testing.assert_allclose(result.first[moving, 1], 0.0, atol=1e-9)
    np.testing.assert_allclose(result.first[moving, 0], 1.0, atol=1e-9)
    np.testing.assert_allclose(result.total[moving, 0], 1.0, atol=1e-9)
    assert set(result.main_driver()) <= {"normalisation", None}


def test_indices_are_reproducible_with_a_seed() -> None:
    territory = make_territory(n_qpv=6, seed=3)
    method = with_uncertainty(
        normalisations=["percentile", "minmax"],
        aggregations=["arithmetic", "geometric"],
        weight_range=0.5,
        indicator_dropout=0.1,
        imputed_precision=0.3,
    )
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    a = sobol_indices(problem, space, samples=16, seed=5)
    b = sobol_indices(problem, space, samples=16, seed=5)
    c = sobol_indices(problem, space, samples=16, seed=6)
    assert a is not None and b is not None and c is not None
    assert a.groups == (
        "normalisation",
        "aggregation",
        "weights",
        "dimension_weights",
        "indicators",
        "imputed",
    )
    np.testing.assert_array_equal(a.total, b.total)
    np.testing.assert_array_equal(a.first_conf, b.first_conf)
    assert not np.array_equal(a.total, c.total, equal_nan=True)
    rows = a.records([f"Q{k}" for k in range(6)])
    assert len(rows) == 6 * 6
    assert {r["label"] for r in rows} >= {"poids des indicateurs", "poids des dimensions"}


def test_main_driver_is_named_only_when_clearly_first() -> None:
    total = np.array([[0.8, 0.1, 0.05], [0.5, 0.45, 0.1], [np.nan] * 3])
    conf = np.array([[0.05, 0.05, 0.05], [0.1, 0.1, 0.1], [np.nan] * 3])
    res = SobolResult(
        groups=("aggregation", "weights", "imputed"),
        first=total,
        first_conf=conf,
        total=total,
        total_conf=conf,
        samples=1024,
        evaluations=1024 * 5,
        seed=0,
    )
    assert res.main_driver() == ["aggregation", "aggregation", None]
    assert res.runner_up() == [None, "weights", None]


def test_nothing_varies_no_analysis() -> None:
    territory = make_territory(n_qpv=4, seed=0)
    method = with_uncertainty()
    problem = problem_of(territory, method)
    assert sobol_indices(problem, choice_space(method, problem), samples=16, seed=0) is None


@pytest.mark.parametrize("samples", [0])
def test_zero_samples_switches_the_analysis_off(samples: int) -> None:
    territory = make_territory(n_qpv=4, seed=0)
    method = with_uncertainty(weight_range=0.5)
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    assert sobol_indices(problem, space, samples=samples, seed=0) is None
