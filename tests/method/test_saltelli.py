"""The numpy Sobol design and estimators give SALib's and scipy's numbers bit for bit.

``quartiers.method.saltelli`` replaces ``SALib.sample.sobol``, ``SALib.analyze.sobol`` and
``scipy.stats.qmc.Sobol`` (importing ``scipy.stats`` costs about a second at every run);
``bh_adjust`` and ``scipy.special.ndtr`` replace ``scipy.stats.false_discovery_control`` and
``scipy.stats.norm.sf``. Each is compared with the library it replaces (skipped without it),
and a real run must not import ``scipy.stats`` or SALib at all.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy.special import ndtr

from quartiers.method.hotspots import bh_adjust
from quartiers.method.saltelli import saltelli_design, sobol_estimates, sobol_points

GROUPINGS = [
    ("a", "b"),
    ("normalisation", "aggregation", "weights", "weights", "weights", "indicators", "imputed"),
    tuple(["weights"] * 12 + ["indicators"] * 9 + ["normalisation", "imputed", "aggregation"]),
    ("x", "y", "x", "z", "y", "x"),
]


@pytest.mark.parametrize(
    ("d", "n", "seed"), [(1, 8, 0), (2, 1024, 1), (40, 1024, 2026), (57, 256, 7)]
)
def test_sobol_points_are_scipys(d: int, n: int, seed: int) -> None:
    qmc = pytest.importorskip("scipy.stats.qmc")
    expected = qmc.Sobol(d=d, scramble=True, seed=seed).random(n)
    assert np.array_equal(sobol_points(d, n, seed), expected)


@pytest.mark.parametrize("groups", GROUPINGS)
@pytest.mark.parametrize(("n", "seed"), [(16, 1), (1024, 1), (512, 42)])
def test_design_is_salibs(groups: tuple[str, ...], n: int, seed: int) -> None:
    sample = pytest.importorskip("SALib.sample.sobol")
    problem = {
        "num_vars": len(groups),
        "names": [f"c{i}" for i in range(len(groups))],
        "bounds": [[0.0, 1.0]] * len(groups),
        "groups": list(groups),
    }
    expected = sample.sample(problem, n, calc_second_order=False, seed=seed)
    design = saltelli_design(groups, n, seed)
    assert design.shape == expected.shape
    assert np.array_equal(design, expected)


def _output(design: np.ndarray) -> np.ndarray:
    """A model with interactions (some inputs do nothing)."""
    x = design
    return np.sin(3 * x[:, 0]) + x[:, 1] ** 2 * x[:, -1] + 0.1 * x.sum(axis=1)


@pytest.mark.parametrize("groups", GROUPINGS)
@pytest.mark.parametrize("seed", [2, 1025])
def test_estimates_are_salibs(groups: tuple[str, ...], seed: int) -> None:
    analyze = pytest.importorskip("SALib.analyze.sobol")
    problem = {
        "num_vars": len(groups),
        "names": [f"c{i}" for i in range(len(groups))],
        "bounds": [[0.0, 1.0]] * len(groups),
        "groups": list(groups),
    }
    n_groups = len(dict.fromkeys(groups))
    design = saltelli_design(groups, 256, seed)
    y = _output(design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=seed)
    s1, s1_conf, st, st_conf = sobol_estimates(y, n_groups, resamples=100, seed=seed)
    for mine, key in ((s1, "S1"), (s1_conf, "S1_conf"), (st, "ST"), (st_conf, "ST_conf")):
        assert np.array_equal(mine, res[key]), key


def test_bh_is_scipys() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    for p in (
        rng.integers(1, 1001, 700) / 1000.0,  # permutation p-values: many ties
        rng.random(531),
        np.array([0.2]),
        np.array([0.01, 0.01, 0.5, 1.0]),
        (rng.integers(1, 1001, 300) / 1000.0).astype(np.float32),  # esda's dtype
    ):
        expected = stats.false_discovery_control(p, method="bh")
        assert bh_adjust(p).dtype == expected.dtype
        assert np.array_equal(bh_adjust(p), expected)


def test_normal_tail_is_scipys() -> None:
    stats = pytest.importorskip("scipy.stats")
    z = np.random.default_rng(4).normal(0.0, 3.0, (50, 400))
    z[0, :4] = (0.0, -0.0, 40.0, -40.0)
    assert np.array_equal(ndtr(-z), stats.norm.sf(z))


def test_a_run_imports_neither_scipy_stats_nor_salib() -> None:
    code = (
        "import sys\n"
        "import quartiers.diagnostic.run, quartiers.diagnostic.pipeline\n"
        "import quartiers.method.sensitivity, quartiers.method.hotspot_draws\n"
        "print(sorted(m for m in sys.modules if m.startswith(('scipy.stats', 'SALib'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
