"""Opening a cool room on the demo territory shortens walks around it and nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from quartiers.access import compute_access
from quartiers.actions.levers import PlaceOpening, open_places
from quartiers.actions.workshop import Workshop, inputs_from_run
from quartiers.schemas import TerritoryInputs
from quartiers.spatial.grid import CELL_SIZE_M

# Origins lie inside their 200 m cell: at most half a diagonal from its centre (m).
HALF_DIAGONAL_M = CELL_SIZE_M * np.sqrt(2) / 2


@pytest.fixture(scope="module")
def demo_inputs(demo_workshop: Workshop) -> TerritoryInputs:
    assert demo_workshop.loader is not None
    return demo_workshop.loader()


def test_inputs_reload_from_run_json_and_rerun_gives_the_stored_diagnostic(
    demo_workshop: Workshop,
) -> None:
    inputs = inputs_from_run(demo_workshop.diagnostic.record)
    assert len(inputs.cells) == len(demo_workshop.diagnostic.cells)
    base = demo_workshop._prepare()  # reload, access with the city's cooled rooms, rerun
    assert base.inputs.extra_places is not None and len(base.inputs.extra_places)
    stored = demo_workshop.diagnostic.qpv.set_index("code_qp")
    rerun = base.before.qpv.set_index("code_qp").reindex(stored.index)
    for column in ("index", "dist_cool_indoor", "canopy_share", "poverty_rate"):
        np.testing.assert_allclose(rerun[column], stored[column], rtol=0, atol=1e-9)


def test_a_cool_room_only_shortens_cool_indoor_walks_near_it(
    demo_workshop: Workshop, demo_inputs: TerritoryInputs
) -> None:
    before = compute_access(demo_inputs)
    cells = demo_workshop.diagnostic.cells.set_index("idcar_200m").reindex(before.index)
    # open the room at the centre of the inhabited cell farthest from any cool indoor place
    dist = pd.to_numeric(before["dist_cool_indoor_m"], errors="coerce")
    target = dist[pd.to_numeric(cells["population"], errors="coerce") > 0].idxmax()
    x = float(cells.at[target, "x_sw"]) + CELL_SIZE_M / 2
    y = float(cells.at[target, "y_sw"]) + CELL_SIZE_M / 2
    lon, lat = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True).transform(x, y)
    opened = open_places(
        demo_inputs, [PlaceOpening("cool_indoor", "salle_rafraichie", "Salle test", lon, lat)]
    )
    after = compute_access(opened).reindex(before.index)

    column = "dist_cool_indoor_m"
    b = pd.to_numeric(before[column], errors="coerce").to_numpy(dtype="float64")
    a = pd.to_numeric(after[column], errors="coerce").to_numpy(dtype="float64")
    assert np.array_equal(np.isnan(a), np.isnan(b))
    known = ~np.isnan(b)
    assert (a[known] <= b[known] + 1e-9).all(), "no walk gets longer"
    shorter = a[known] < b[known] - 1e-9
    assert shorter.sum() >= 3, "the cells around the room are closer to a cool place"
    assert a[before.index.get_loc(target)] < b[before.index.get_loc(target)]

    # a cell can only gain if the new room is nearer on foot than its old nearest place,
    # and a walk is never shorter than the straight line from the cell
    centres = cells[["x_sw", "y_sw"]].to_numpy(dtype="float64") + CELL_SIZE_M / 2
    straight = np.hypot(centres[:, 0] - x, centres[:, 1] - y) - HALF_DIAGONAL_M
    far = known & (straight > b)
    assert far.sum() > 100
    np.testing.assert_array_equal(a[far], b[far])

    # every other category, count and connection is untouched
    others = [c for c in before.columns if "cool_indoor" not in c]
    pd.testing.assert_frame_equal(after[others], before[others])
