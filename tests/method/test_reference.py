"""Normalisation against a stored reference (method key ``reference``, issue 13)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic.reference_file import (
    COLUMNS,
    build_table,
    read_reference,
    write_reference,
)
from quartiers.errors import InputError, MethodError
from quartiers.method.normalise import Reference, normalise
from quartiers.method.reference import from_points, moments, summarise
from quartiers.method.spec import default_method, parse_method

KINDS = ("percentile", "minmax", "zscore")


def _stored(values: np.ndarray, weights: np.ndarray, max_points: int) -> Reference:
    points, w, _ = summarise(values, weights, max_points)
    low, high, mean, std = moments(values, weights)
    return from_points([(points, w)], [low], [high], [mean], [std])


def test_exact_points_normalise_as_the_cells() -> None:
    rng = np.random.default_rng(3)
    # ties (rounded values) and unknown or unweighted cells, as in Filosofi shares
    values = np.round(rng.beta(2, 5, 400), 2)
    values[::37] = np.nan
    weights = rng.integers(0, 60, 400).astype(float)
    x = np.concatenate([values[:50], [-1.0, 0.0, 0.5, 2.0]])
    points, _, exact = summarise(values, weights, 10_001)
    assert exact and points.size < 101  # rounded to 2 decimals: ≤ 101 distinct values
    stored = _stored(values, weights, 10_001)
    cells = Reference.build(values[:, None], weights[:, None])
    for kind in KINDS:
        for direction in (1.0, -1.0):
            args = {"kinds": [kind], "directions": np.array([direction]), "bounds": [None]}
            got = normalise(x[:, None], stored, **args)
            want = normalise(x[:, None], cells, **args)
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, equal_nan=True)


def test_quantile_summary_is_within_one_point_of_the_exact_percentile() -> None:
    rng = np.random.default_rng(5)
    values = rng.lognormal(0, 1, 5_000)
    weights = rng.uniform(1, 30, 5_000)
    points, w, exact = summarise(values, weights, 101)
    assert not exact and points.size <= 101
    assert w.sum() == pytest.approx(weights.sum())
    x = np.quantile(values, np.linspace(0, 1, 57))[:, None]
    args = {"directions": np.array([1.0]), "bounds": [None]}
    stored = _stored(values, weights, 101)
    cells = Reference.build(values[:, None], weights[:, None])
    err = np.abs(
        normalise(x, stored, kinds=["percentile"], **args)
        - normalise(x, cells, kinds=["percentile"], **args)
    )
    assert err.max() <= 1 / 101 + 1e-12
    assert err.max() > 0  # the summary is not the distribution itself
    for kind in ("minmax", "zscore"):  # moments are kept exactly
        np.testing.assert_allclose(
            normalise(x, stored, kinds=[kind], **args),
            normalise(x, cells, kinds=[kind], **args),
            atol=1e-12,
        )


def test_method_key_reference() -> None:
    assert default_method().reference == "run"
    text = default_method().text
    for value in ("territory", "ref/national.parquet"):
        assert parse_method(text + f"\nreference: {value}\n", source="m.yaml").reference == value
    with pytest.raises(MethodError, match=r"m\.yaml.*reference.*run, territory"):
        parse_method(text + "\nreference: national\n", source="m.yaml")


def _cells() -> pd.DataFrame:
    from quartiers.schemas import FILOSOFI_COUNTS

    rng = np.random.default_rng(8)
    n = 30
    frame = pd.DataFrame({c: rng.integers(0, 5, n).astype(float) for c in FILOSOFI_COUNTS})
    frame["ind"] = rng.integers(20, 200, n).astype(float)
    frame["men"] = np.ceil(frame["ind"] / 2.2)
    frame["men_pauv"] = np.floor(frame["men"] * rng.uniform(0, 0.5, n))
    frame["idcar_200m"] = [f"CRS3035RES200mN{2_000_000 + 200 * i}E{3_000_000}" for i in range(n)]
    return frame


def test_file_round_trip_and_refusals(tmp_path: Path) -> None:
    table = build_table(_cells(), vintage="2021")
    assert list(table.columns) == list(COLUMNS)
    out = write_reference(table, tmp_path / "ref.parquet", sources=[{"source_id": "filosofi"}])
    ref = read_reference(out)
    assert ref.vintages == ["2021"] and ref.pick_vintage(None) == "2021"
    got = ref.reference_for(["poverty_rate", "share_65p"], "2021")
    assert got.values[0].size == table[table["indicator"] == "poverty_rate"].shape[0]
    with pytest.raises(InputError, match=r"ref\.parquet.*millésime Filosofi 2019 absent"):
        ref.pick_vintage("2019")
    with pytest.raises(InputError, match=r"ref\.parquet : indicateur\(s\) absent\(s\).*lcz_heat"):
        ref.reference_for(["poverty_rate", "lcz_heat"], "2021")
    with pytest.raises(InputError, match="le fichier existe"):
        write_reference(table, out, sources=[])
    with pytest.raises(InputError, match=r"absent\.parquet : fichier de référence introuvable"):
        read_reference(tmp_path / "absent.parquet")
    other = tmp_path / "autre.parquet"
    table.drop(columns="weight").to_parquet(other)
    with pytest.raises(InputError, match=r"autre\.parquet.*quartiers_reference"):
        read_reference(other)
    broken = table.copy()
    broken.loc[3, "weight"] = -1.0
    bad = write_reference(broken, tmp_path / "bad.parquet", sources=[])
    with pytest.raises(InputError, match=r"bad\.parquet : colonne weight, 1 valeur"):
        read_reference(bad)


def test_draws_normalise_each_territory_against_its_own_cells() -> None:
    # Monte Carlo with ``reference: territory``: every draw gives each QPV the index it has
    # in the ranking problem of its territory alone (same draw coordinates, no noise).

    from _territory import make_territory, with_uncertainty

    from quartiers.indicators.base import CellIndicator
    from quartiers.method.composite import compile_method
    from quartiers.method.uncertainty import build_problem, choice_space, evaluate

    territory = make_territory(n_qpv=8, seed=4, imputed_share=0.3)
    settings = {
        "draws": 30, "seed": 3, "normalisations": ["percentile", "minmax"],
        "aggregations": ["arithmetic", "geometric"], "weight_range": 0.5,
        "indicator_dropout": 0.2, "imputed_precision": 0.0, "sobol_samples": 0,
    }  # fmt: skip
    method = with_uncertainty(**settings)
    compiled = compile_method(method, list(territory.indicators))
    ids = compiled.indicator_ids
    half = territory.xy[:, 0] < np.median(territory.xy[:, 0])
    cell_group = np.where(half, 0, 1).astype(np.int64)
    qpv_group = np.asarray([cell_group[c[0]] for c in territory.qpv_cells], dtype=np.int64)
    assert set(qpv_group) == {0, 1}
    num = np.column_stack([territory.indicators[i].num for i in ids])
    den = np.column_stack([territory.indicators[i].den for i in ids])
    q_num, q_den = territory.matrix @ num, territory.matrix @ den
    q_pop = territory.matrix @ territory.population

    def problem(cells: np.ndarray, qpv: np.ndarray, grouped: bool):  # type: ignore[no-untyped-def]
        indicators = {
            k: CellIndicator(v.value[cells], v.num[cells], v.den[cells])
            for k, v in territory.indicators.items()
        }
        return build_problem(
            method, compiled, indicators,
            cell_population=territory.population[cells], imputed=territory.imputed[cells],
            qpv_matrix=territory.matrix[qpv][:, cells], qpv_num=q_num[qpv], qpv_den=q_den[qpv],
            qpv_population=q_pop[qpv],
            cell_group=cell_group[cells] if grouped else None,
            qpv_group=qpv_group[qpv] if grouped else None,
        )  # fmt: skip

    every, all_qpv = np.arange(len(half)), np.arange(len(qpv_group))
    joint = problem(every, all_qpv, grouped=True)
    space = choice_space(method, joint)
    u = np.random.default_rng(1).random((40, space.size))
    out = evaluate(joint, space, u, seed=0)
    for g in (0, 1):
        alone = problem(np.flatnonzero(cell_group == g), np.flatnonzero(qpv_group == g), False)
        assert choice_space(method, alone).size == space.size
        own = evaluate(alone, choice_space(method, alone), u, seed=0)
        np.testing.assert_allclose(out.index[:, qpv_group == g], own.index, rtol=1e-12)
    single = evaluate(problem(every, all_qpv, grouped=False), space, u, seed=0)
    assert np.abs(single.index - out.index).max() > 1e-6  # one scale differs


def test_one_territory_draws_equal_the_run_draws_with_perturbed_cells() -> None:
    # the per-territory path of perturbed (imputed) cells reduces to the run's with one group
    from _territory import make_territory, problem_of, with_uncertainty

    from quartiers.method.uncertainty import choice_space, evaluate

    territory = make_territory(n_qpv=6, seed=5, imputed_share=0.4)
    method = with_uncertainty(
        draws=20, seed=3, normalisations=["percentile", "minmax"], weight_range=0.5,
        imputed_precision=0.3, sobol_samples=0,
    )  # fmt: skip
    run = problem_of(territory, method)
    grouped = replace(
        run,
        cell_group=np.zeros(len(territory.population), dtype=np.int64),
        qpv_group=np.zeros(run.n_qpv, dtype=np.int64),
    )
    space = choice_space(method, run)
    assert "noise" in " ".join(space.names) or space.precision > 0
    u = np.random.default_rng(2).random((150, space.size))
    a, b = evaluate(run, space, u, seed=0), evaluate(grouped, space, u, seed=0)
    np.testing.assert_allclose(b.index, a.index, rtol=1e-12)
    np.testing.assert_array_equal(b.rank, a.rank)
