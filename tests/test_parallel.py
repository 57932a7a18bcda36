"""Runs beyond one process on Dask (issue 16, point 3): same ``qpv.csv`` bytes in three modes.

Without ``--workers`` / ``--scheduler`` (or ``QUARTIERS_SCHEDULER``) nothing imports Dask;
with ``--workers 2`` a ``LocalCluster`` computes the régions' zones and overlaps and the
blocks of Monte Carlo and Sobol draws; with ``--scheduler`` an existing cluster does. The
parts are cut the same way in the three modes, so the files are identical, byte for byte.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quartiers import parallel
from quartiers.cli import main
from quartiers.demo.national import FILES
from quartiers.diagnostic import RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose
from quartiers.errors import InputError
from quartiers.method.blocks import evaluate_blocks
from quartiers.method.evaluation import evaluate
from quartiers.settings import get_settings
from quartiers.sources.load import load_inputs

SKIP = ("osm", "lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")
REGIONS = ["reg:11", "reg:84", "reg:93"]


class Recording:
    """An executor computing in this process that says it has ``workers`` and counts parts."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self.parts: list[int] = []

    @property
    def workers(self) -> int:
        return self._workers

    def map(self, fn: Any, items: Any, **shared: Any) -> list[Any]:
        self.parts.append(len(items))
        return [fn(item, **shared) for item in items]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """An existing cluster (scheduler and 2 workers in this process): its address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",
        scheduler_port=0,
    ) as local:
        yield str(local.scheduler_address)


def _sources(essai: Path) -> dict[str, Path]:
    return {k: essai / rel for k, rel in FILES.items()}


def _cli_sources(essai: Path) -> list[str]:
    args = [a for k, rel in FILES.items() for a in ("--source", f"{k}={essai / rel}")]
    return args + [a for s in SKIP for a in ("--skip", s)]


def test_no_dask_without_options(essai: Path, tmp_path: Path) -> None:
    """A CLI run without the options is single-process and never imports Dask."""
    args = ["diagnose", "-t", "reg:11", "--out", str(tmp_path / "out"), "--offline"]
    args += ["--workspace", str(tmp_path / "ws"), "--no-uncertainty", *_cli_sources(essai)]
    code = (
        "import sys\nfrom quartiers.cli import main\n"
        f"rc = main({args!r})\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "print('RC', rc, 'DASK', loaded)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert "RC 0 DASK []" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "out" / "qpv.csv").is_file()


def test_blocks_of_draws_give_the_draws_of_one_process(essai: Path, tmp_path: Path) -> None:
    """Blocks of whole batches, each draw with its own seed: the same outcomes bit for bit."""
    from quartiers.diagnostic.robustness import uncertainty as unc_step

    captured: dict[str, Any] = {}
    real = unc_step.explore

    class CapturedError(Exception):
        pass

    def spy(method: Any, problem: Any, **kwargs: Any) -> Any:
        captured["problem"] = problem
        captured["space"] = real(method, problem, **kwargs)[2]
        raise CapturedError

    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    monkey = pytest.MonkeyPatch()
    monkey.setattr(unc_step, "explore", spy)
    try:
        with pytest.raises(CapturedError):
            diagnose(
                REGIONS, sources=_sources(essai), skip=SKIP, settings=settings,
                robustness=RobustnessOptions(hotspots=False, draws=1),
            )  # fmt: skip
    finally:
        monkey.undo()
    problem, space = captured["problem"], captured["space"]
    u = np.random.default_rng(7).random((600, space.size))
    alone = evaluate(problem, space, u, seed=3, keep_cells=40)
    for workers in (2, 3):
        executor = Recording(workers)
        split = evaluate_blocks(problem, space, u, seed=3, keep_cells=40, executor=executor)
        assert executor.parts and executor.parts[0] > 1
        for name in ("index", "rank", "top", "position", "resident_share", "cells"):
            np.testing.assert_array_equal(getattr(split, name), getattr(alone, name), name)


def test_regions_are_built_apart_with_the_same_weights(essai: Path, tmp_path: Path) -> None:
    """Three régions: three tasks; the weights equal an all-at-once build (to 1e-12)."""
    from quartiers.diagnostic._prepare import prepare_cells, region_groups
    from quartiers.sources.multi import merge_inputs
    from quartiers.spatial.overlaps import compute_overlaps
    from quartiers.spatial.zones import to_cell_crs

    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    inputs = merge_inputs(
        [load_inputs(r, _sources(essai), settings=settings, skip=list(SKIP)) for r in REGIONS]
    )
    _, xy = prepare_cells(inputs.cells)
    qpv = to_cell_crs(inputs.qpv, name="QPV").sort_values("code_qp").reset_index(drop=True)
    com = to_cell_crs(inputs.communes, name="c").sort_values("insee_com").reset_index(drop=True)
    groups = region_groups(qpv, com)
    assert np.unique(groups).size == 3
    executor = Recording(2)
    apart = compute_overlaps(xy, qpv, com, groups=groups, executor=executor)
    whole = compute_overlaps(xy, qpv, com)
    assert executor.parts == [3]
    assert apart.zones["zone_id"].tolist() == whole.zones["zone_id"].tolist()
    assert (apart.matrix.indices == whole.matrix.indices).all()
    assert (apart.matrix.indptr == whole.matrix.indptr).all()
    np.testing.assert_allclose(apart.matrix.data, whole.matrix.data, rtol=0, atol=1e-12)
    assert apart.commune_shares[["cell", "insee_com"]].equals(
        whole.commune_shares[["cell", "insee_com"]]
    )


@pytest.mark.slow
def test_three_modes_same_bytes_on_three_regions(essai: Path, tmp_path: Path, cluster: str) -> None:
    """One process, ``--workers 2``, ``--scheduler``: the same ``qpv.csv`` bytes."""
    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    files = []
    for mode in ({}, {"workers": 2}):
        diag = diagnose(REGIONS, sources=_sources(essai), skip=SKIP, settings=settings, **mode)  # type: ignore[arg-type]
        diag.write(tmp_path / f"out{len(files)}")
        files.append((tmp_path / f"out{len(files)}" / "qpv.csv").read_bytes())
    args = ["diagnose", "--out", str(tmp_path / "cli"), "--offline", "--scheduler", cluster]
    args += ["--workspace", str(tmp_path / "ws"), *_cli_sources(essai)]
    assert main([*args, *(a for r in REGIONS for a in ("-t", r))]) == 0
    files.append((tmp_path / "cli" / "qpv.csv").read_bytes())
    assert files[0] == files[1] == files[2]
    assert b"rank_median" in files[0]


@pytest.mark.slow
def test_three_modes_same_bytes_on_the_demo(
    demo_run: Any, tmp_path: Path, cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo (walking access, Monte Carlo, Sobol, hotspots): same bytes on Dask."""
    from quartiers.demo.pipeline import DEMO_TERRITORY
    from quartiers.sources.load import city_file_provenance

    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    sources = {k: p for k, p in demo_run.sources.items() if k != "places"}
    expected = (demo_run.out_dir / "qpv.csv").read_bytes()
    monkeypatch.setenv("QUARTIERS_SCHEDULER", cluster)
    for mode in ({"workers": 2}, {}):
        inputs = load_inputs(DEMO_TERRITORY, sources, settings=settings, use_workspace=False)
        places = demo_run.sources["places"]
        inputs.provenance.append(city_file_provenance("places", places, title="salles"))
        diag = diagnose(inputs, places=places, **mode)  # type: ignore[arg-type]
        out = tmp_path / f"demo{len(mode)}"
        diag.write(out)
        assert (out / "qpv.csv").read_bytes() == expected, mode


def test_unreachable_scheduler_is_a_french_error(
    essai: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 1.0)
    args = ["diagnose", "-t", "reg:11", "--out", str(tmp_path / "o"), "--offline"]
    args += ["--workspace", str(tmp_path / "ws"), "--no-uncertainty", *_cli_sources(essai)]
    assert main([*args, "--scheduler", "tcp://127.0.0.1:18299"]) == 2
    err = capsys.readouterr().err
    assert "planificateur Dask injoignable à tcp://127.0.0.1:18299" in " ".join(err.split())
    assert not (tmp_path / "o").exists()


def test_options_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="s'excluent"):  # noqa: SIM117
        with parallel.open_executor(workers=2, scheduler="tcp://127.0.0.1:18298"):
            pass
    with pytest.raises(InputError, match="attendu tcp://HÔTE:PORT"):  # noqa: SIM117
        with parallel.open_executor(scheduler="127.0.0.1"):
            pass
    with pytest.raises(InputError, match="≥ 1"):  # noqa: SIM117
        with parallel.open_executor(workers=0):
            pass
    with parallel.open_executor() as executor:
        assert executor is parallel.SERIAL
