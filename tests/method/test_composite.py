"""Weights and aggregation: renormalisation, AM–GM, and the direction of a weight change."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.method.composite import CompiledMethod, compile_method, composite
from quartiers.method.spec import packaged_method


def _compiled(
    weights: list[float], dims: list[int], dim_weights: list[float], how: str = "arithmetic"
) -> CompiledMethod:
    k = len(weights)
    return CompiledMethod(
        indicator_ids=tuple(f"i{j}" for j in range(k)),
        dimension_ids=tuple(f"d{j}" for j in range(len(dim_weights))),
        dimension_of=np.asarray(dims, dtype=np.int64),
        directions=np.ones(k),
        kinds=("percentile",) * k,
        bounds=(None,) * k,
        indicator_weights=np.asarray(weights),
        dimension_weights=np.asarray(dim_weights),
        within=how,
        across=how,
        dropped={},
    )


def test_compile_renormalises_over_available_indicators() -> None:
    method = packaged_method("v1")
    available = ["poverty_rate", "share_0_3", "heat_wave_days"]
    compiled = compile_method(method, available, {"lcz_heat": "couche LCZ absente"})
    assert compiled.indicator_ids == ("poverty_rate", "share_0_3", "heat_wave_days")
    assert compiled.dimension_ids == ("sensitivity", "exposure")
    np.testing.assert_allclose(compiled.indicator_weights, [0.20 / 0.28, 0.08 / 0.28, 1.0])
    np.testing.assert_allclose(compiled.dimension_weights, [0.4 / 0.7, 0.3 / 0.7])
    assert compiled.dropped["lcz_heat"] == "couche LCZ absente"
    assert "canopy_share" in compiled.dropped
    assert compiled.kinds[2] == "bounds" and compiled.bounds[2] == (0.0, 40.0)


def test_arithmetic_and_geometric_means() -> None:
    x = np.array([[0.2, 0.8, 0.5], [0.0, 1.0, np.nan]])
    c = _compiled([0.5, 0.5, 1.0], [0, 0, 1], [0.6, 0.4])
    index, scores = composite(x, c)
    np.testing.assert_allclose(scores[0], [0.5, 0.5])
    assert index[0] == pytest.approx(0.5)
    assert np.isnan(scores[1, 1]) and index[1] == pytest.approx(0.5)  # row renormalised
    g_index, g_scores = composite(x, dataclasses.replace(c, within="geometric", across="geometric"))
    assert g_scores[0, 0] == pytest.approx(np.sqrt(0.2 * 0.8))
    assert (g_index <= index + 1e-12).all()  # AM–GM
    assert g_scores[1, 0] == pytest.approx(np.sqrt(0.01 * 1.0))  # zero floored at 0.01


def test_all_missing_row_gives_nan() -> None:
    index, _ = composite(np.array([[np.nan, np.nan]]), _compiled([0.5, 0.5], [0, 0], [1.0]))
    assert np.isnan(index[0])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
    st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3),
    st.floats(0.01, 2.0),
)
def test_raising_a_weight_moves_index_toward_that_indicator(
    values: list[float], weights: list[float], bump: float
) -> None:
    x = np.asarray([values])
    base = _compiled(weights, [0, 0, 0], [1.0])
    before, _ = composite(x, base)
    raised = np.asarray(weights, dtype=float)
    raised[0] += bump
    after, _ = composite(x, dataclasses.replace(base, indicator_weights=raised))
    # the index moves toward indicator 0's normalised value
    if x[0, 0] > before[0] + 1e-9:
        assert after[0] > before[0]
    elif x[0, 0] < before[0] - 1e-9:
        assert after[0] < before[0]
    else:
        assert after[0] == pytest.approx(before[0], abs=1e-9)
