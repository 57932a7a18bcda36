"""Sorting a national grid's cells without comparing strings (issue 16): the same order.

:func:`quartiers.spatial.grid.sorted_cell_order` sorts canonical INSEE ids by their corners;
:func:`quartiers.diagnostic._prepare.prepare_cells` must give the table the string sort
gives, and refuse duplicates with the same message, whichever way it sorts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic._prepare import prepare_cells
from quartiers.errors import InputError
from quartiers.indicators.sensitivity import REQUIRED_COLUMNS
from quartiers.spatial.grid import parse_cell_ids, sorted_cell_order


def _ids(xs: list[int], ys: list[int]) -> list[str]:
    return [f"CRS3035RES200mN{y}E{x}" for x, y in zip(xs, ys, strict=True)]


def _string_order(ids: list[str]) -> np.ndarray:
    return pd.Series(ids, dtype="string").sort_values(kind="stable").index.to_numpy()


def test_canonical_ids_sort_as_their_corners() -> None:
    rng = np.random.default_rng(3)
    xs = (3_000_000 + 200 * rng.integers(0, 5_000, 2_000)).tolist()
    ys = (2_000_000 + 200 * rng.integers(0, 5_000, 2_000)).tolist()
    ids = list(dict.fromkeys(_ids(xs, ys)))
    found = sorted_cell_order(ids)
    assert found is not None
    order, xy = found
    np.testing.assert_array_equal(order, _string_order(ids))
    np.testing.assert_array_equal(xy, parse_cell_ids(ids))


@pytest.mark.parametrize(
    "ids",
    [
        [*_ids([3_000_000, 3_000_200], [2_000_000] * 2), "CRS3035RES200mN02000000E3000400"],
        _ids([3_000_000, 10_000_000], [2_000_000, 2_000_000]),  # eastings of 7 and 8 digits
        _ids([3_000_000, 3_000_000], [2_000_000, 2_000_000]),  # a duplicate
        ["CRS3035RES200mN2000000E3000000", "pas un identifiant"],
        [],
    ],
)
def test_other_ids_are_left_to_the_string_sort(ids: list[str]) -> None:
    assert sorted_cell_order(ids) is None


def _cells(ids: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: np.arange(len(ids), dtype="float64") for c in REQUIRED_COLUMNS})
    frame.insert(0, "idcar_200m", pd.Series(ids, dtype="str"))
    frame["imputed"] = np.arange(len(ids)) % 2 == 0
    return frame


@pytest.mark.parametrize("leading_zero", [False, True])
def test_prepared_cells_are_the_string_sort(leading_zero: bool) -> None:
    ids = _ids(
        [3_000_400, 3_000_000, 3_000_200, 3_000_000], [2_000_200, 2_000_200, 2_000_000, 2_000_000]
    )
    if leading_zero:
        ids[0] = "CRS3035RES200mN02000200E3000400"
    cells = _cells(ids)
    table, xy = prepare_cells(cells)
    expected = cells.iloc[_string_order(ids)].reset_index(drop=True)
    expected["idcar_200m"] = expected["idcar_200m"].astype("string")
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    np.testing.assert_array_equal(xy, parse_cell_ids(expected["idcar_200m"]))


def test_sorted_input_is_not_copied() -> None:
    ids = _ids([3_000_000, 3_000_200], [2_000_000, 2_000_000])
    cells = _cells(ids)
    table, _ = prepare_cells(cells)
    assert np.shares_memory(table["ind"].to_numpy(), cells["ind"].to_numpy())


@pytest.mark.parametrize("leading_zero", [False, True])
def test_duplicates_refused_either_way(leading_zero: bool) -> None:
    ids = _ids([3_000_000, 3_000_200, 3_000_000], [2_000_000] * 3)
    if leading_zero:
        ids[1] = "CRS3035RES200mN02000000E3000200"
    with pytest.raises(InputError, match="CRS3035RES200mN2000000E3000000 en double"):
        prepare_cells(_cells(ids))
