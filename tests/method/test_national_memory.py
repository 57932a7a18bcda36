"""Memory at national size (issue 16, point 2): bounded draw batches, shared cell squares.

The Monte Carlo batches shrink above 50,000 units so that 2.3 million cells need one draw's
work arrays at a time, with the same outcomes; the cells layer reuses the Filosofi layer's
squares when they are exactly the grid's, and builds them otherwise; large freed arrays go
back to the system.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _territory import make_territory, problem_of, with_uncertainty

from quartiers.method import evaluation
from quartiers.method.evaluation import MAX_BATCH_UNITS, batch_size, evaluate
from quartiers.method.variants import choice_space
from quartiers.spatial.grid import CELL_CRS, cell_boxes, cell_squares

DRAWS = {
    "draws": 40,
    "seed": 3,
    "normalisations": ["percentile", "minmax"],
    "aggregations": ["arithmetic", "geometric"],
    "weight_range": 0.5,
    "indicator_dropout": 0.2,
    "imputed_precision": 0.3,
    "sobol_samples": 0,
}


def test_batch_size_is_bounded_in_draws_times_units() -> None:
    # Unchanged up to 50,000 units (64 to 1,024 draws), then fewer, down to one draw.
    assert batch_size(100) == 1024 and batch_size(5_000) == 64 and batch_size(50_000) == 64
    assert batch_size(50_001) == 32 and batch_size(587_205) == 4
    assert batch_size(2_323_200 + 1_632) == 1
    for n in (50_001, 200_000, 587_205, 2_324_832, 10_000_000):
        size = batch_size(n)
        assert size >= 1 and (size == 1 or size * n <= MAX_BATCH_UNITS)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_one_draw_per_batch_gives_the_same_outcomes(
    monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    territory = make_territory(n_qpv=6, seed=5, imputed_share=0.4)
    method = with_uncertainty(**DRAWS)
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    u = np.random.default_rng(4).random((9, space.size))
    whole = evaluate(problem, space, u, seed=0, keep_cells=9)
    monkeypatch.setattr(evaluation, "batch_size", lambda n_units: size)
    pieces = evaluate(problem, space, u, seed=0, keep_cells=9)
    for field in ("index", "rank", "top", "position", "resident_share", "cells"):
        np.testing.assert_array_equal(getattr(pieces, field), getattr(whole, field), field)


def _squares(xy: np.ndarray) -> gpd.GeoSeries:
    return gpd.GeoSeries(cell_boxes(xy), crs=CELL_CRS)


XY = np.array([[3_000_000, 2_000_000], [3_000_200, 2_000_000], [3_000_000, 2_000_200]])


def test_cell_squares_reuses_the_input_squares_in_order() -> None:
    source = _squares(XY[::-1])  # the input layer in another order
    rows = np.array([2, 1, 0])
    out = cell_squares(source, rows, XY)
    assert all(a is b for a, b in zip(out, source.to_numpy()[rows], strict=True))
    assert shapely.to_wkb(out).tolist() == shapely.to_wkb(cell_boxes(XY)).tolist()


@pytest.mark.parametrize(
    "change",
    ["shifted", "other_crs", "reversed_ring", "null", "with_z", "not_polygon", "no_crs"],
)
def test_cell_squares_builds_them_when_the_input_differs(change: str) -> None:
    source = _squares(XY)
    geoms = source.to_numpy().copy()
    if change == "shifted":
        geoms[1] = shapely.box(3_000_201, 2_000_000, 3_000_401, 2_000_200)
    elif change == "reversed_ring":
        geoms[1] = shapely.box(3_000_200, 2_000_000, 3_000_400, 2_000_200, ccw=False)
    elif change == "null":
        geoms[2] = None
    elif change == "with_z":
        geoms[0] = shapely.force_3d(geoms[0])
    elif change == "not_polygon":
        geoms[0] = shapely.MultiPolygon([geoms[0]])
    crs = {"other_crs": "EPSG:2154", "no_crs": None}.get(change, CELL_CRS)
    source = gpd.GeoSeries(geoms, crs=crs)
    out = cell_squares(source, np.arange(3), XY)
    assert not any(a is b for a, b in zip(out, source.to_numpy(), strict=True))
    assert shapely.to_wkb(out).tolist() == shapely.to_wkb(cell_boxes(XY)).tolist()


def test_cell_squares_without_input_geometry() -> None:
    out = cell_squares(None, np.arange(3), XY)
    assert shapely.equals_exact(out, cell_boxes(XY)).all()


_FREED = """
import ctypes
import numpy as np
from quartiers.heap import release_large_arrays
libc = ctypes.CDLL(None)
libc.sbrk.restype = ctypes.c_void_p
# glibc raises its mmap threshold as large blocks are freed (up to 32 MiB), depending on the
# history of the process: set it there explicitly so the test starts from that state
libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
{call}
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
before = rss()
keep, small = [], []
for _ in range(40):
    keep.append(np.ones(6 << 17))  # 6 MiB columns, small arrays between them
    small.append(np.ones(1000))
brk = libc.sbrk(0)  # end of the heap: blocks below it come from the heap, not a mapping
in_heap = sum(1 for k in keep if k.ctypes.data < brk)
del keep
print(in_heap, round(rss() - before))
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_freed_large_arrays_go_back_to_the_system() -> None:
    def run(call: str) -> tuple[int, int]:
        code = _FREED.format(call=call)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        in_heap, kept = out.stdout.split()
        return int(in_heap), int(kept)

    # with the fix every 6 MiB column has its own mapping, given back when freed
    in_heap, kept = run("assert release_large_arrays()")
    assert in_heap == 0 and kept < 24  # 240 MiB allocated, all given back
    # without it (threshold raised by glibc's own rule) they come from the heap, which may
    # keep them once freed
    assert run("")[0] == 40
