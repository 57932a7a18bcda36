"""Normalisations: oriented, bounded, weighted by the reference cells."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.method.normalise import Reference, normalise, normalise_column

REF = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
W = np.array([1.0, 1.0, 1.0, 1.0, 5.0])


def test_percentile_is_weighted_mid_rank() -> None:
    x = np.array([0.0, 2.0, 2.5, 9.0, np.nan])
    p = normalise_column(x, REF, W, kind="percentile", direction=1)
    np.testing.assert_allclose(p[:4], [0.0, 0.375, 0.5, 1.0])
    assert np.isnan(p[4])
    heavy = normalise_column(
        x, REF, np.array([1.0, 1.0, 1.0, 5.0, 1.0]), kind="percentile", direction=1
    )
    assert heavy[2] == pytest.approx(2 / 8)  # most weight lies above 2.5


def test_direction_flips_order() -> None:
    x = np.array([1.5, 3.5])
    up = normalise_column(x, REF, W, kind="percentile", direction=1)
    down = normalise_column(x, REF, W, kind="percentile", direction=-1)
    np.testing.assert_allclose(down, 1 - up)
    mm = normalise_column(x, REF, W, kind="minmax", direction=-1)
    np.testing.assert_allclose(mm, [(4 - 1.5) / 3, (4 - 3.5) / 3])


def test_minmax_zscore_bounds() -> None:
    x = np.array([0.0, 2.5, 10.0])
    np.testing.assert_allclose(normalise_column(x, REF, W, kind="minmax", direction=1), [0, 0.5, 1])
    z = normalise_column(REF[:4], REF, W, kind="zscore", direction=1)
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1)
    b = normalise_column(x, REF, W, kind="bounds", direction=1, bounds=(0.0, 5.0))
    np.testing.assert_allclose(b, [0.0, 0.5, 1.0])
    b = normalise_column(x, REF, W, kind="bounds", direction=-1, bounds=(0.0, 5.0))
    np.testing.assert_allclose(b, [1.0, 0.5, 0.0])


def test_constant_or_empty_reference() -> None:
    const = np.ones(4)
    w = np.ones(4)
    assert normalise_column(np.array([1.0]), const, w, kind="minmax", direction=1)[0] == 0.5
    assert normalise_column(np.array([1.0]), const, w, kind="percentile", direction=1)[0] == 0.5
    assert normalise_column(np.array([1.0]), const, w, kind="zscore", direction=1)[0] == 0.0
    empty = normalise_column(
        np.array([1.0]), np.array([np.nan]), np.ones(1), kind="minmax", direction=1
    )
    assert np.isnan(empty[0])


def test_matrix_normalises_each_column() -> None:
    values = np.column_stack([[1.0, 4.0], [1.0, 4.0]])
    ref = np.column_stack([REF, REF])
    w = np.column_stack([W, W])
    out = normalise(
        values,
        ref,
        w,
        kinds=["minmax", "minmax"],
        directions=np.array([1.0, -1.0]),
        bounds=[None, None],
    )
    np.testing.assert_allclose(out, [[0.0, 1.0], [1.0, 0.0]])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50),
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=20),
    st.sampled_from(["percentile", "minmax"]),
    st.sampled_from([1.0, -1.0]),
)
def test_bounded_and_monotone(
    ref: list[float], x: list[float], kind: str, direction: float
) -> None:
    r = np.asarray(ref)
    xs = np.sort(np.asarray(x))
    out = normalise_column(xs, r, np.ones_like(r), kind=kind, direction=direction)
    assert ((out >= 0) & (out <= 1)).all()
    steps = np.diff(out) * direction
    assert (steps >= -1e-12).all()  # higher raw value → higher (or lower, if −1) score


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-5, 5), min_size=1, max_size=30),
    st.lists(st.integers(-6, 6), min_size=1, max_size=10),
)
def test_reversed_percentile_equals_percentile_of_negated(ref: list[int], x: list[int]) -> None:
    r = np.asarray(ref, dtype=float)
    xs = np.asarray(x, dtype=float)
    w = np.linspace(1, 2, len(r))
    down = normalise_column(xs, r, w, kind="percentile", direction=-1)
    negated = normalise_column(-xs, -r, w, kind="percentile", direction=1)
    np.testing.assert_allclose(down, negated, atol=1e-12)


def test_prebuilt_reference_gives_same_result() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(200, 3))
    w = rng.uniform(0, 3, size=(200, 3))
    values = rng.normal(size=(20, 3))
    args = {"kinds": ["percentile", "minmax", "zscore"], "directions": np.array([1.0, -1.0, 1.0])}
    a = normalise(values, ref, w, bounds=[None] * 3, **args)
    b = normalise(values, Reference.build(ref, w), bounds=[None] * 3, **args)
    np.testing.assert_array_equal(a, b)


def test_percentile_ties_survive_floating_point_rounding() -> None:
    # A commune-wide value (same in every cell) averaged over a zone comes back a hair off.
    ref = np.full(5, 0.82)
    zone_mean = np.array([np.mean(np.full(7, 0.82)) + 1e-16, 0.82 * (1 + 1e-12)])
    out = normalise_column(zone_mean, ref, np.ones(5), kind="percentile", direction=1)
    assert out.tolist() == pytest.approx([0.5, 0.5])
    clearly_above = normalise_column(
        np.array([0.83]), ref, np.ones(5), kind="percentile", direction=1
    )
    assert clearly_above.tolist() == [1.0]
