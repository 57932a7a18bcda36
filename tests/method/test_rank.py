"""Ranks (1 = most vulnerable) and population-weighted quintile classes."""

from __future__ import annotations

import numpy as np

from quartiers.method.rank import classify, rank_descending, weighted_breaks


def test_ranks_skip_ineligible_and_share_ties() -> None:
    index = np.array([0.3, 0.9, np.nan, 0.9, 0.5, 0.1])
    eligible = np.array([True, True, True, True, True, False])
    ranks = rank_descending(index, eligible)
    np.testing.assert_array_equal(ranks[[1, 3, 4, 0]], [1, 1, 3, 4])
    assert np.isnan(ranks[2]) and np.isnan(ranks[5])


def test_weighted_quintiles_split_population() -> None:
    values = np.arange(10, dtype=float)
    weights = np.ones(10)
    breaks = weighted_breaks(values, weights)
    classes = classify(values, breaks)
    np.testing.assert_array_equal(np.bincount(classes.astype(int))[1:], [2, 2, 2, 2, 2])
    heavy = weighted_breaks(values, np.r_[np.ones(9), 100.0])
    assert (heavy == 9).all()  # one cell holds most people
    assert np.isnan(classify(np.array([np.nan]), breaks)[0])
    assert np.isnan(classify(values, weighted_breaks(values, np.zeros(10)))).all()
