from __future__ import annotations

import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from _synthetic import X0, Y0, make_cells, make_territory
from quartiers.diagnostic import run_diagnostic
from quartiers.method.hotspots import local_moran, queen_pairs, zone_shares


def _grid(nx: int, ny: int) -> np.ndarray:
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    return np.column_stack([X0 + 200 * gx.ravel(), Y0 + 200 * gy.ravel()]).astype(np.int64)


def test_queen_neighbours_of_a_block() -> None:
    xy = _grid(3, 3)
    i, _ = queen_pairs(xy)
    degree = np.bincount(i, minlength=9)
    centre = 4
    assert degree[centre] == 8
    assert sorted(degree.tolist()) == [3, 3, 3, 3, 5, 5, 5, 5, 8]


@settings(max_examples=30, deadline=None)
@given(keep=st.lists(st.booleans(), min_size=48, max_size=48))
def test_queen_pairs_match_brute_force(keep: list[bool]) -> None:
    xy = _grid(6, 8)[np.asarray(keep)]
    i, j = queen_pairs(xy)
    got = set(zip(i.tolist(), j.tolist(), strict=True))
    want = {
        (a, b)
        for a in range(len(xy))
        for b in range(len(xy))
        if a != b and np.abs(xy[a] - xy[b]).max() <= 200
    }
    assert got == want


def _planted(
    nx: int = 30, ny: int = 30, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = _grid(nx, ny)
    values = rng.normal(size=len(xy))
    gx = (xy[:, 0] - X0) // 200
    gy = (xy[:, 1] - Y0) // 200
    block = (gx >= 10) & (gx < 16) & (gy >= 12) & (gy < 18)
    values[block] += 3.0
    return xy, values, block


def test_planted_cluster_is_found() -> None:
    xy, values, block = _planted()
    lisa = local_moran(values, xy, permutations=999, fdr=0.05, seed=1)
    assert lisa.hotspot[block].mean() >= 0.8
    # outside the block, only cells touching it may be called hot
    i, j = queen_pairs(xy)
    touching = np.zeros(len(xy), dtype=bool)
    touching[i[block[j]]] = True
    assert not (lisa.hotspot & ~block & ~touching).any()
    assert lisa.cluster.max() == 1
    assert (lisa.cluster[lisa.hotspot] == 1).all() and (lisa.cluster[~lisa.hotspot] == 0).all()
    record = lisa.record()
    assert record["hotspot_cells"] == int(lisa.hotspot.sum()) and record["clusters"] == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_permutation_finds_nothing(seed: int) -> None:
    xy, values, _ = _planted(seed=seed)
    shuffled = np.random.default_rng(100 + seed).permutation(values)
    lisa = local_moran(shuffled, xy, permutations=999, fdr=0.05, seed=seed)
    assert lisa.tested.all()
    assert not lisa.hotspot.any()
    assert lisa.cluster.max() == 0


def test_same_seed_same_p_values() -> None:
    xy, values, _ = _planted(nx=15, ny=15)
    a = local_moran(values, xy, permutations=199, seed=4)
    b = local_moran(values, xy, permutations=199, seed=4)
    np.testing.assert_array_equal(a.p_value, b.p_value)
    np.testing.assert_array_equal(a.hotspot, b.hotspot)


def test_cells_without_index_or_neighbours_are_not_tested() -> None:
    xy = np.vstack([_grid(5, 5), [[X0 + 4000, Y0 + 4000]]])  # one isolated cell
    values = np.random.default_rng(0).normal(size=len(xy))
    values[0] = np.nan
    lisa = local_moran(values, xy, permutations=99, seed=0)
    assert not lisa.tested[0] and not lisa.tested[-1]
    assert np.isnan(lisa.p_value[[0, -1]]).all()
    assert lisa.tested[1:-1].all()


def test_zone_shares_by_hand() -> None:
    # zone 0 holds all of cells 0 and 1 and half of cell 2; zone 1 holds half of cell 2
    matrix = sparse.csr_array(np.array([[1.0, 1.0, 0.5, 0.0], [0.0, 0.0, 0.5, 0.0]]))
    hot = np.array([True, False, True, True])
    pop = np.array([100.0, 300.0, 200.0, 50.0])
    cell_share, pop_share = zone_shares(matrix, hot, pop)
    np.testing.assert_allclose(cell_share, [1.5 / 2.5, 1.0])
    np.testing.assert_allclose(pop_share, [(100 + 100) / (100 + 300 + 100), 1.0])


# ---------------------------------------------------------------- in the diagnostic

PLANT = (range(1, 6), range(1, 6))  # a 5 × 5 block inside the large synthetic QPV


def _vulnerable_block(n: int = 20, *, shuffle: int | None = None) -> pd.DataFrame:
    cells = make_cells(n, seed=5)
    gx = (cells["x_sw"] - X0) // 200
    gy = (cells["y_sw"] - Y0) // 200
    block = gx.isin(list(PLANT[0])) & gy.isin(list(PLANT[1]))
    men, ind = 60.0, 150.0
    extreme = {
        "men": men,
        "ind": ind,
        "men_pauv": 0.6 * men,
        "men_1ind": 0.6 * men,
        "men_fmp": 0.3 * men,
        "men_coll": men,
        "men_surf": 10 * ind,
        "log_soc": men,
        "log_av45": 0.5 * men,
        "log_45_70": 0.5 * men,
        "ind_0_3": 0.1 * ind,
        "ind_65_79": 0.25 * ind,
        "ind_80p": 0.15 * ind,
        "ind_snv": 8000 * ind,
    }
    for col, value in extreme.items():
        cells.loc[block, col] = value
    cells.loc[block, "imputed"] = False
    cells["planted"] = block
    if shuffle is not None:
        order = np.random.default_rng(shuffle).permutation(len(cells))
        counts = [*extreme, "imputed", "planted"]
        cells[counts] = cells[counts].to_numpy()[order]
    return cells


def test_hotspot_layer_finds_the_planted_block(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cells = _vulnerable_block()
    diag = run_diagnostic(make_territory(cells=cells))
    assert diag.hotspots is not None
    planted = set(cells.loc[cells["planted"], "idcar_200m"].astype(str))
    found = set(diag.hotspots["idcar_200m"].astype(str))
    assert len(found & planted) >= 0.8 * len(planted)
    assert len(found - planted) <= 0.25 * len(found)
    big = diag.qpv.set_index("code_qp").loc["QN99901M"]
    assert big["hotspot_cell_share"] > 0.3 and big["hotspot_population_share"] > 0.3
    assert diag.run["hotspots"]["hotspot_cells"] == len(diag.hotspots)
    paths = diag.write(tmp_path)
    layer = pyogrio.read_dataframe(paths["diagnostic.gpkg"], layer="hotspots")
    assert set(layer["idcar_200m"]) == found
    assert pyogrio.read_info(paths["diagnostic.gpkg"], layer="hotspots")["crs"] == "EPSG:3035"


def test_hotspot_layer_is_empty_on_a_random_permutation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cells = _vulnerable_block(shuffle=7)
    diag = run_diagnostic(make_territory(cells=cells))
    assert diag.hotspots is not None and len(diag.hotspots) == 0
    assert (diag.qpv_table()["hotspot_cell_share"] == 0).all()
    paths = diag.write(tmp_path)  # an empty layer is still written, with its columns
    layer = pyogrio.read_dataframe(paths["diagnostic.gpkg"], layer="hotspots")
    assert len(layer) == 0 and "q_value" in layer.columns


def test_share_of_draws_in_which_a_cell_is_a_hotspot() -> None:
    from quartiers.method.hotspot_draws import hotspot_draw_share

    xy = _grid(15, 15)
    rng = np.random.default_rng(0)
    gx = (xy[:, 0] - X0) // 200
    gy = (xy[:, 1] - Y0) // 200
    block = (gx < 4) & (gy < 4)
    base = np.where(block, 1.0, 0.2)
    draws = base[None, :] + rng.normal(0, 0.02, (30, len(xy)))
    tested = np.ones(len(xy), dtype=bool)
    share = hotspot_draw_share(draws, xy, tested, fdr=0.05)
    inner = block & (gx < 3) & (gy < 3)
    assert (share[inner] == 1.0).all()  # high among high in every draw
    assert (share[~block] == 0.0).all()  # low cells are never high-high
    # half the draws flatten the block away: its cells are hotspots in about half of them
    flat = draws.copy()
    flat[::2] = 0.2 + rng.normal(0, 0.02, (15, len(xy)))
    half = hotspot_draw_share(flat, xy, tested, fdr=0.05)
    assert 0.4 <= half[inner].mean() <= 0.6
    untested = tested.copy()
    untested[0] = False
    assert np.isnan(hotspot_draw_share(draws, xy, untested, fdr=0.05)[0])
