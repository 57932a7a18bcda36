"""Stages of a large run shared with a forked copy (issue 16, national run time).

From :data:`~quartiers.diagnostic._prepare.PARALLEL_OVERLAP_CELLS` cells and without a
cluster, :func:`~quartiers.diagnostic._prepare.prepare_layers` hands the régions to
:func:`~quartiers.parallel.local_executor`: the weights are those of one process, also when
the copy fails. The cells are sorted column by column (:func:`rows_taken`); zones and
indicators are computed on a kept heap (same numbers).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quartiers import parallel
from quartiers.demo.national import FILES
from quartiers.diagnostic import _prepare
from quartiers.diagnostic._prepare import Layers, prepare_layers, rows_taken
from quartiers.diagnostic.run import RobustnessOptions, run_diagnostic
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.multi import merge_inputs
from quartiers.spatial import overlap_groups

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux")
SKIP = ["osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo"]


@pytest.fixture(scope="module")
def inputs(essai: Path, tmp_path_factory: pytest.TempPathFactory) -> TerritoryInputs:
    """Three régions of the small fictitious France, read as one."""
    tmp = tmp_path_factory.mktemp("fork-overlaps")
    settings = get_settings(offline=True, cache_dir=tmp / "c", workspace_dir=tmp / "w")
    sources = {k: essai / rel for k, rel in FILES.items()}
    return merge_inputs(
        [
            load_inputs(r, sources, settings=settings, skip=SKIP)
            for r in ("reg:11", "reg:84", "reg:93")
        ]
    )


def _same(a: Layers, b: Layers) -> None:
    pd.testing.assert_frame_equal(a.cells, b.cells, check_exact=True)
    pd.testing.assert_frame_equal(a.zones, b.zones, check_exact=True)
    pd.testing.assert_frame_equal(a.commune_shares, b.commune_shares, check_exact=True)
    assert (a.matrix != b.matrix).nnz == 0
    assert np.array_equal(a.matrix.indices, b.matrix.indices)
    assert np.array_equal(a.matrix.indptr, b.matrix.indptr)


@linux_only
def test_forked_regions_give_the_serial_weights(
    inputs: TerritoryInputs, monkeypatch: pytest.MonkeyPatch, forked: list[int]
) -> None:
    serial = prepare_layers(inputs)
    assert not forked  # below the size: one process
    monkeypatch.setattr(_prepare, "PARALLEL_OVERLAP_CELLS", 1)
    monkeypatch.setattr(_prepare, "local_executor", lambda: parallel.ForkExecutor(2))
    _same(prepare_layers(inputs), serial)
    assert len(forked) == 1


@linux_only
def test_a_failing_copy_leaves_its_regions_to_this_process(
    inputs: TerritoryInputs, monkeypatch: pytest.MonkeyPatch, forked: list[int]
) -> None:
    serial = prepare_layers(inputs)
    here = os.getpid()
    real = overlap_groups._group_part

    def dies_in_the_copy(part: object) -> object:
        if os.getpid() != here:
            os._exit(3)
        return real(part)  # type: ignore[arg-type]

    monkeypatch.setattr(overlap_groups, "_group_part", dies_in_the_copy)
    monkeypatch.setattr(_prepare, "PARALLEL_OVERLAP_CELLS", 1)
    monkeypatch.setattr(_prepare, "local_executor", lambda: parallel.ForkExecutor(2))
    _same(prepare_layers(inputs), serial)
    assert len(forked) == 1


def test_rows_taken_is_pandas_take() -> None:
    frame = pd.DataFrame(
        {
            "x": np.arange(6.0),
            "n": np.arange(6),
            "b": [True, False, True, True, False, False],
            "s": pd.array(list("abcdef"), dtype="string"),
            "t": pd.Series(list("uvwxyz")),
            "i": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        }
    )
    frame["y"] = frame["x"] * 2  # a second float column: one 2-D block with x
    rows = np.array([5, 2, 0, 1, 4, 3])
    taken = rows_taken(frame, rows)
    expected = frame.take(rows).reset_index(drop=True)
    pd.testing.assert_frame_equal(taken, expected, check_exact=True)
    assert list(taken.dtypes) == list(expected.dtypes)


def _run(inputs: TerritoryInputs) -> dict[str, object]:
    diag = run_diagnostic(inputs, robustness=RobustnessOptions(uncertainty=False, hotspots=False))
    run = dict(diag.run)
    run.pop("code_version")
    return run


def test_zones_and_indicators_on_a_kept_heap_same_numbers(
    inputs: TerritoryInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept heap of the zones and indicator steps changes where memory comes from only."""
    from quartiers import heap
    from quartiers.diagnostic import run as run_module

    kept = []

    def recorded(enabled: bool = True) -> Any:
        kept.append(enabled)
        return heap.reused_heap(enabled)

    monkeypatch.setattr(run_module, "reused_heap", recorded)
    with_heap = _run(inputs)
    assert kept == [True, True] and heap._open_blocks == [0]  # settings given back
    monkeypatch.setattr(run_module, "reused_heap", lambda: heap.reused_heap(False))
    assert _run(inputs) == with_heap
