"""Sensitivity indicators: ratios of Filosofi counts per cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _synthetic import make_cells
from quartiers.errors import InputError
from quartiers.indicators.sensitivity import sensitivity_indicators


def test_rates_are_count_ratios() -> None:
    cells = make_cells()
    ind, missing = sensitivity_indicators(cells)
    assert missing == {}
    ok = cells["men"] > 0
    np.testing.assert_allclose(
        ind["poverty_rate"].value[ok], (cells["men_pauv"] / cells["men"])[ok]
    )
    np.testing.assert_allclose(ind["share_65p"].num, cells["ind_65_79"] + cells["ind_80p"])
    np.testing.assert_allclose(ind["share_pre1970"].num, cells["log_av45"] + cells["log_45_70"])
    np.testing.assert_allclose(ind["living_standard"].den, cells["ind"])


def test_zero_households_give_nan_value_and_zero_weight() -> None:
    cells = make_cells()
    ind, _ = sensitivity_indicators(cells)
    empty = (cells["men"] == 0).to_numpy()
    assert empty.any()
    assert np.isnan(ind["poverty_rate"].value[empty]).all()
    assert (ind["poverty_rate"].den[empty] == 0).all()
    assert np.isfinite(ind["poverty_rate"].value[~empty]).all()


def test_missing_standard_of_living_is_reported() -> None:
    cells = make_cells()
    cells["ind_snv"] = np.nan
    ind, missing = sensitivity_indicators(cells)
    assert "living_standard" not in ind
    assert "ind_snv" in missing["living_standard"]


def test_a_missing_count_leaves_the_cell_out() -> None:
    cells = make_cells()
    cells.loc[5, "men_pauv"] = np.nan
    ind, _ = sensitivity_indicators(cells)
    assert np.isnan(ind["poverty_rate"].value[5])
    assert ind["poverty_rate"].num[5] == 0 and ind["poverty_rate"].den[5] == 0


def test_text_counts_are_read_as_numbers() -> None:
    cells = pd.DataFrame(make_cells().drop(columns="geometry"))
    cells["men"] = cells["men"].astype(str)
    ind, _ = sensitivity_indicators(cells)
    assert np.isfinite(ind["poverty_rate"].value[0])


def test_missing_column_is_named() -> None:
    with pytest.raises(InputError, match="men_1ind"):
        sensitivity_indicators(make_cells().drop(columns=["men_1ind"]), source="grille.csv")
