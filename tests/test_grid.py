from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from quartiers.errors import InputError
from quartiers.spatial.grid import cell_boxes, cell_ids, overlap_shares, parse_cell_ids


def test_ids_round_trip() -> None:
    xy = np.array([[3458200, 2810000], [3458400, 2810000]])
    ids = cell_ids(xy)
    assert ids[0] == "CRS3035RES200mN2810000E3458200"
    assert (parse_cell_ids(ids) == xy).all()


def test_bad_id_names_field_and_file() -> None:
    with pytest.raises(InputError, match=r"grille\.csv.*idcar_200m"):
        parse_cell_ids(["CRS3035RES1000mN2810000E3458000"], source="grille.csv")


def test_boxes_are_200m_squares() -> None:
    boxes = cell_boxes(np.array([[0, 0], [200, 400]]))
    assert shapely.area(boxes).tolist() == [40000.0, 40000.0]
    assert shapely.bounds(boxes[1]).tolist() == [200.0, 400.0, 400.0, 600.0]


def test_partial_overlap_is_exact() -> None:
    xy = np.array([[0, 0], [200, 0]])
    shares = overlap_shares(xy, [shapely.box(100, 0, 300, 200)])
    assert shares["share"].tolist() == [0.5, 0.5]


@given(st.floats(-1000, 1000), st.floats(-1000, 1000), st.floats(10, 2000), st.floats(10, 2000))
def test_shares_sum_to_zone_area(x0: float, y0: float, w: float, h: float) -> None:
    gx, gy = np.meshgrid(np.arange(-1400, 3400, 200), np.arange(-1400, 3400, 200))
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    zone = shapely.box(x0, y0, x0 + w, y0 + h)
    shares = overlap_shares(xy, [zone])
    assert shares["share"].between(0, 1).all()
    # overlap_shares drops slivers of share <= 1e-9 (4e-5 m² per cell) by design.
    assert shares["share"].sum() * 40000 == pytest.approx(w * h, rel=1e-9, abs=1e-3)
