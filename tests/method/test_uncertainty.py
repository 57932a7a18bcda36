from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _territory import make_territory, problem_of, with_uncertainty
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartiers.diagnostic import Diagnostic, RobustnessOptions, run_diagnostic
from quartiers.errors import InputError, MethodError
from quartiers.indicators.base import safe_ratio
from quartiers.method._engine import Engine
from quartiers.method.composite import score
from quartiers.method.rank import classify, rank_descending, weighted_breaks
from quartiers.method.spec import default_method, packaged_method, parse_method
from quartiers.method.uncertainty import (
    ROBUST_THRESHOLD,
    evaluate,
    explore,
)
from quartiers.method.variants import choice_space

FULL = {
    "draws": 150,
    "seed": 3,
    "normalisations": ["percentile", "minmax"],
    "aggregations": ["arithmetic", "geometric"],
    "weight_range": 0.5,
    "indicator_dropout": 0.2,
    "imputed_precision": 0.3,
    "sobol_samples": 0,
}


def _deterministic(territory, method):  # type: ignore[no-untyped-def]
    """Score the QPV and cells the way the orchestrator does, independently of the draws."""
    problem = problem_of(territory, method)
    c = problem.compiled
    pop = territory.population
    qpv_values = safe_ratio(problem.qpv_num, problem.qpv_den)
    qpv_index, _, _ = score(qpv_values, problem.cell_value, problem.cell_den, c)
    cell_index, _, _ = score(problem.cell_value, problem.cell_value, problem.cell_den, c)
    cell_index[pop < method.cell_population_floor] = np.nan
    ranks = rank_descending(qpv_index, problem.eligible)
    top = classify(qpv_index, weighted_breaks(cell_index, pop)) == 5
    return qpv_index, ranks, top


def test_single_fixed_choice_collapses_interval_to_the_method_rank() -> None:
    territory = make_territory(n_qpv=8, seed=1)
    method = with_uncertainty(draws=50, seed=0)  # nothing declared: nothing varies
    index, ranks, top = _deterministic(territory, method)
    summary, outcomes, space = explore(method, problem_of(territory, method))
    assert space.size == 0
    np.testing.assert_array_equal(outcomes.index[0], index)
    np.testing.assert_array_equal(summary.rank_low, ranks)
    np.testing.assert_array_equal(summary.rank_median, ranks)
    np.testing.assert_array_equal(summary.rank_high, ranks)
    np.testing.assert_array_equal(summary.p_top_quintile, top.astype(float))
    assert summary.draws == 50


def test_draw_at_the_method_choices_reproduces_the_method() -> None:
    # Every choice varies, but a draw whose coordinates pick the method's own choices
    # (first normalisation and aggregation, weights at their centre, nothing dropped, no
    # perturbation) gives the method's index: the draws mirror the orchestrator.
    territory = make_territory(n_qpv=8, seed=2, imputed_share=0.0)
    method = with_uncertainty(**{**FULL, "imputed_precision": 0.0})
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    u = np.full((1, space.size), 0.5)
    for name in ("normalisation", "within", "across"):
        u[0, space.names.index(name)] = 0.0
    for k, name in enumerate(space.names):
        if name.startswith("drop:"):
            u[0, k] = 0.99
    out = evaluate(problem, space, u, seed=0)
    index, ranks, _ = _deterministic(territory, method)
    np.testing.assert_allclose(out.index[0], index, rtol=1e-12)
    np.testing.assert_array_equal(out.rank[0], ranks)


def test_batched_draws_match_the_method_functions_draw_by_draw() -> None:
    # the batched evaluator gives, draw by draw, what composite / weighted_breaks / classify
    # / rank_descending / normalise_column give on the same variant
    from dataclasses import replace

    from quartiers.method.composite import composite
    from quartiers.method.normalise import normalise_column

    territory = make_territory(n_qpv=6, seed=5, imputed_share=0.4)
    method = with_uncertainty(**{**FULL, "draws": 40})
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    u = np.random.default_rng(9).random((200, space.size))  # two batches
    out = evaluate(problem, space, u, seed=0)
    draws = space.decode(u)
    engine = Engine(problem, space.precision, seed=0)
    cols = engine.cols.tolist()
    assert draws.noise_key is not None and cols
    base = problem.compiled
    pop = territory.population
    for i in range(0, 200, 7):
        norm = space.normalisations[draws.normalisation[i]]
        drawn = problem.drawn_normalisation
        kinds = tuple(norm if d else k for d, k in zip(drawn, base.kinds, strict=True))
        compiled = replace(
            base,
            kinds=kinds,
            indicator_weights=draws.indicator_weights[i],
            dimension_weights=draws.dimension_weights[i],
            within=space.within_options[draws.within[i]],
            across=space.across_options[draws.across[i]],
        )
        x = np.column_stack([engine.column(j, kinds[j]) for j in range(len(kinds))])
        values, reference = engine.perturbed(int(draws.noise_key[i]))  # one draw at a time
        x[:, cols] = engine.normalise(values, reference, cols, tuple(kinds[j] for j in cols))
        index, _ = composite(x, compiled)
        q_index, c_index = index[: problem.n_qpv], index[problem.n_qpv :]
        c_index[pop < method.cell_population_floor] = np.nan
        breaks = weighted_breaks(c_index, pop)
        np.testing.assert_allclose(out.index[i], q_index, rtol=1e-12)
        np.testing.assert_array_equal(out.rank[i], rank_descending(q_index, problem.eligible))
        np.testing.assert_array_equal(out.top[i], classify(q_index, breaks) == 5)
        position = normalise_column(q_index, c_index, pop, kind="percentile", direction=1.0)
        np.testing.assert_allclose(out.position[i], position, rtol=1e-9)
        top_cells = classify(c_index, breaks) == 5
        share = [pop[c][top_cells[c]].sum() / pop[c].sum() for c in territory.qpv_cells]
        np.testing.assert_allclose(out.resident_share[i], share, rtol=1e-12)


def test_dominant_qpv_is_first_in_every_draw() -> None:
    territory = make_territory(n_qpv=10, seed=4, dominant=3)
    method = with_uncertainty(**{**FULL, "draws": 300})
    summary, outcomes, space = explore(method, problem_of(territory, method))
    assert set(space.groups) == {
        "normalisation",
        "aggregation",
        "weights",
        "dimension_weights",
        "indicators",
        "imputed",
    }
    assert (outcomes.rank[:, 3] == 1).all()
    assert summary.rank_low[3] == summary.rank_median[3] == summary.rank_high[3] == 1
    assert summary.p_top_quintile[3] == 1.0 and summary.robust_top_quintile[3] == 1.0
    # the others do move
    others = np.delete(outcomes.rank, 3, axis=1)
    assert (others.max(axis=0) > others.min(axis=0)).any()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    dominant=st.integers(0, 4),
    dropout=st.floats(0.0, 0.45),
    weight_range=st.floats(0.0, 1.0),
    precision=st.floats(0.0, 0.5),
)
def test_dominance_survives_any_declared_choices(
    seed: int, dominant: int, dropout: float, weight_range: float, precision: float
) -> None:
    territory = make_territory(nx=12, ny=12, n_qpv=5, seed=seed, dominant=dominant)
    method = with_uncertainty(
        **{
            **FULL,
            "draws": 40,
            "seed": seed,
            "indicator_dropout": dropout,
            "weight_range": weight_range,
            "imputed_precision": precision,
        }
    )
    summary, outcomes, _ = explore(method, problem_of(territory, method))
    assert (outcomes.rank[:, dominant] == 1).all()
    assert summary.p_top_quintile[dominant] == 1.0


def test_same_seed_same_numbers_other_seed_other_draws() -> None:
    territory = make_territory(n_qpv=8, seed=5)
    a = explore(with_uncertainty(**FULL), problem_of(territory, with_uncertainty(**FULL)))
    b = explore(with_uncertainty(**FULL), problem_of(territory, with_uncertainty(**FULL)))
    other = with_uncertainty(**{**FULL, "seed": 4})
    c = explore(other, problem_of(territory, other))
    np.testing.assert_array_equal(a[1].index, b[1].index)
    np.testing.assert_array_equal(a[0].p_top_quintile, b[0].p_top_quintile)
    assert not np.array_equal(a[1].index, c[1].index)


def test_summary_is_consistent_with_the_draws() -> None:
    territory = make_territory(n_qpv=10, seed=6)
    method = with_uncertainty(**FULL)
    summary, outcomes, _ = explore(method, problem_of(territory, method))
    assert (summary.rank_low <= summary.rank_median).all()
    assert (summary.rank_median <= summary.rank_high).all()
    for q in range(10):
        ranks = outcomes.rank[:, q]
        assert summary.rank_low[q] in ranks and summary.rank_high[q] in ranks
        assert np.mean(ranks < summary.rank_low[q]) <= 0.05
        assert np.mean(ranks > summary.rank_high[q]) <= 0.05
    np.testing.assert_array_equal(summary.p_top_quintile, outcomes.top.mean(axis=0))
    np.testing.assert_array_equal(
        summary.robust_top_quintile, (summary.p_top_quintile >= ROBUST_THRESHOLD).astype(float)
    )
    assert ((outcomes.position >= 0) & (outcomes.position <= 1)).all()


@settings(max_examples=30, deadline=None)
@given(
    u=st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=400, max_size=400),
    dropout=st.floats(0.0, 0.45),
)
def test_decoded_weights_sum_to_one_and_never_empty_a_dimension(
    u: list[float], dropout: float
) -> None:
    territory = make_territory(nx=8, ny=8, n_qpv=2, seed=0)
    method = with_uncertainty(**{**FULL, "indicator_dropout": dropout})
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    points = np.resize(np.asarray(u), (5, space.size))
    draws = space.decode(points)
    dim_of = problem.compiled.dimension_of
    for d in np.unique(dim_of):
        w = draws.indicator_weights[:, dim_of == d]
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
        assert ((w > 0).sum(axis=1) >= 1).all()
    assert (draws.indicator_weights >= 0).all()
    np.testing.assert_allclose(draws.dimension_weights.sum(axis=1), 1.0)
    assert set(np.unique(draws.normalisation)) <= {0, 1}


def test_weights_stay_within_declared_ranges_before_renormalising() -> None:
    territory = make_territory(nx=8, ny=8, n_qpv=2, seed=0)
    method = with_uncertainty(weight_range=0.25, weight_ranges={"poverty_rate": [0.0, 0.4]})
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    ids = problem.compiled.indicator_ids
    base = problem.compiled.indicator_weights
    j = ids.index("poverty_rate")
    raw = packaged_method("v1").choice("poverty_rate").weight  # type: ignore[union-attr]
    np.testing.assert_allclose(space.weight_bounds[j], np.array([0.0, 0.4]) * base[j] / raw)
    k = ids.index("share_65p")
    np.testing.assert_allclose(space.weight_bounds[k], [0.75 * base[k], 1.25 * base[k]])
    assert not any(name.startswith("drop:") for name in space.names)


def test_imputed_perturbation_matches_a_cell_by_cell_recomputation() -> None:
    territory = make_territory(n_qpv=5, seed=7, imputed_share=0.5)
    method = with_uncertainty(imputed_precision=0.3)
    problem = problem_of(territory, method)
    engine = Engine(problem, 0.3, seed=11)
    stacked, reference = engine.perturbed(key=12345)
    cols = np.flatnonzero(problem.perturbable)
    rng = np.random.default_rng([11, 12345])
    factor = 1 + 0.3 * rng.uniform(-1, 1, (int(problem.imputed.sum()), cols.size))
    num = problem.cell_num[:, cols].copy()
    den = problem.cell_den[:, cols]
    num[problem.imputed] *= factor
    bounded = problem.bounded[cols]
    num[:, bounded] = np.minimum(num[:, bounded], den[:, bounded])
    expected_qpv = np.zeros((problem.n_qpv, cols.size))
    for q, cells in enumerate(territory.qpv_cells):
        expected_qpv[q] = num[cells].sum(axis=0) / den[cells].sum(axis=0)
    np.testing.assert_allclose(stacked[: problem.n_qpv], expected_qpv, rtol=1e-12)
    np.testing.assert_allclose(reference, num / den, rtol=1e-12)
    # observed cells and non-Filosofi indicators never move
    observed = ~problem.imputed
    np.testing.assert_array_equal(reference[observed], problem.cell_value[observed][:, cols])
    assert not problem.perturbable[list(problem.compiled.indicator_ids).index("lcz_heat")]


def test_only_declared_imputed_precision_moves_ranks() -> None:
    territory = make_territory(n_qpv=8, seed=8, imputed_share=0.6)
    still = with_uncertainty(draws=30, imputed_precision=0.0)
    moving = with_uncertainty(draws=30, imputed_precision=0.5)
    _, out_still, _ = explore(still, problem_of(territory, still))
    _, out_moving, space = explore(moving, problem_of(territory, moving))
    assert space.groups == ("imputed",)
    assert out_still.index.shape[0] == 1
    assert np.ptp(out_moving.index, axis=0).max() > 0


# ---------------------------------------------------------------- method file


def _with_section(section: str) -> str:
    text = packaged_method("v1").text
    head, tail = text.split("\nuncertainty:", 1)
    rest = tail.split("\nhotspots:", 1)[1]
    return f"{head}\n{section}\nhotspots:{rest}"


@pytest.mark.parametrize(
    ("section", "field", "words"),
    [
        ("uncertainty: {draws: 0}", "uncertainty.draws", "supérieure ou égale à 1"),
        ("uncertainty: {normalisations: [percentile, rang]}", "uncertainty.normalisations", "rang"),
        ("uncertainty: {normalisations: [minmax]}", "uncertainty.normalisations", "percentile"),
        ("uncertainty: {aggregations: [geometric]}", "uncertainty.aggregations", "arithmetic"),
        (
            "uncertainty: {normalisations: [percentile, zscore], "
            "aggregations: [arithmetic, geometric]}",
            "uncertainty",
            "z-score",
        ),
        ("uncertainty: {weight_ranges: {poverty_rate: [0.3, 0.5]}}", "poverty_rate", "0.2"),
        ("uncertainty: {weight_ranges: {inconnu: [0.1, 0.5]}}", "inconnu", "ni une dimension"),
        ("uncertainty: {indicator_dropout: 0.5}", "indicator_dropout", "inférieure à 0.5"),
        ("uncertainty: {imputed_precision: -0.1}", "imputed_precision", "supérieure ou égale"),
        ("uncertainty: {sobol_samples: 100}", "sobol_samples", "puissance de 2"),
        ("uncertainty: {tirages: 10}", "uncertainty.tirages", "champ inconnu"),
    ],
)
def test_bad_uncertainty_section_gives_a_french_error(section: str, field: str, words: str) -> None:
    with pytest.raises(MethodError) as err:
        parse_method(_with_section(section), source="ma_methode.yaml")
    message = str(err.value)
    assert message.startswith("ma_methode.yaml")
    assert field in message and words in message


def test_default_method_declares_every_choice() -> None:
    unc = packaged_method("v1").uncertainty
    assert unc.normalisations == ("percentile", "minmax")
    assert unc.aggregations == ("arithmetic", "geometric")
    v2 = default_method().uncertainty
    assert v2.aggregations_within == ("arithmetic",)  # only what the documentation defends
    assert v2.aggregations_across == ("geometric", "arithmetic")
    assert unc.weight_range > 0 and unc.indicator_dropout > 0 and unc.imputed_precision > 0
    method = parse_method(_with_section(""), source="sans_section.yaml")
    assert method.uncertainty.normalisations is None  # absent section: nothing varies


# ---------------------------------------------------------------- in the diagnostic


@pytest.fixture(scope="module")
def diag() -> Diagnostic:
    from _synthetic import make_cells, make_territory

    return run_diagnostic(make_territory(cells=make_cells(14, seed=3)))


def test_diagnostic_publishes_rank_intervals(diag: Diagnostic, tmp_path: Path) -> None:
    q = diag.qpv_table()
    cols = ["rank_median", "rank_low", "rank_high", "p_top_quintile", "p_top_quintile_se"]
    assert cols == list(q.columns[q.columns.get_loc("quintile") + 1 :][:5])
    cols.append("robust_top_quintile")
    ranked = q["rank"].notna()
    assert ranked.any() and (~ranked).any()
    assert q.loc[~ranked, cols].isna().all().all()  # not ranked: no robustness statement
    r = q[ranked]
    assert (r["rank_low"] <= r["rank_median"]).all() and (r["rank_median"] <= r["rank_high"]).all()
    assert r["p_top_quintile"].between(0, 1).all()
    se = np.sqrt(r["p_top_quintile"] * (1 - r["p_top_quintile"]) / 200)
    np.testing.assert_allclose(r["p_top_quintile_se"], se)
    lower = r["p_top_quintile"] - 1.645 * r["p_top_quintile_se"]
    assert (r["robust_top_quintile"] == (lower >= 0.9 - 1e-12)).all()
    paths = diag.write(tmp_path)
    csv = pd.read_csv(paths["qpv.csv"])
    assert set(cols) <= set(csv.columns)
    dictionary = pd.read_csv(paths["dictionnaire.csv"]).set_index("colonne")
    assert "quintile" in dictionary.loc["p_top_quintile", "libelle"]
    run = json.loads(paths["run.json"].read_text(encoding="utf-8"))
    assert run["uncertainty"]["settings"]["draws"] == default_method().uncertainty.draws
    assert run["uncertainty"]["choices"]["normalisations"] == ["percentile", "minmax"]
    assert run["sensitivity"]["enabled"] and run["sensitivity"]["indices"]


def test_diagnostic_options_override_and_switch_off() -> None:
    from _synthetic import make_territory

    inputs = make_territory()
    off = run_diagnostic(inputs, robustness=RobustnessOptions(uncertainty=False, hotspots=False))
    assert off.qpv_table()["rank_median"].isna().all()
    assert off.run["uncertainty"] == {"enabled": False}
    assert off.hotspots is not None and len(off.hotspots) == 0
    small = run_diagnostic(inputs, robustness=RobustnessOptions(draws=20, seed=9))
    assert small.run["uncertainty"]["settings"]["draws"] == 20
    assert small.run["uncertainty"]["settings"]["seed"] == 9
    with pytest.raises(InputError, match="tirages"):
        run_diagnostic(inputs, robustness=RobustnessOptions(draws=0))


def test_fixed_method_in_the_diagnostic_collapses_to_its_rank() -> None:
    from _synthetic import make_territory

    method = parse_method(_with_section(""), source="fixe.yaml")
    d = run_diagnostic(make_territory(), method=method)
    q = d.qpv_table()
    ranked = q["rank"].notna()
    for col in ("rank_low", "rank_median", "rank_high"):
        assert (q.loc[ranked, col] == q.loc[ranked, "rank"]).all()
    top = (q.loc[ranked, "quintile"] == 5).astype(float)
    np.testing.assert_array_equal(q.loc[ranked, "p_top_quintile"], top)
    assert d.run["sensitivity"]["enabled"] is False


def test_demo_outputs_carry_rank_intervals_and_hotspots(demo_run) -> None:  # type: ignore[no-untyped-def]
    import pyogrio

    out = demo_run.out_dir
    q = pd.read_csv(out / "qpv.csv", dtype={"code_qp": str})
    for col in ("rank_median", "rank_low", "rank_high", "p_top_quintile", "robust_top_quintile"):
        assert q[col].notna().all(), col
    assert (q["rank_low"] <= q["rank_high"]).all()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["uncertainty"]["draws"] == 200 and run["sensitivity"]["evaluations"] > 0
    layers = {name for name, _ in pyogrio.list_layers(out / "diagnostic.gpkg")}
    assert "hotspots" in layers
    hot = pyogrio.read_dataframe(out / "diagnostic.gpkg", layer="hotspots")
    assert len(hot) == run["hotspots"]["hotspot_cells"]
    assert run["outputs"]["hotspots.parquet"]
    dictionary = pd.read_csv(out / "dictionnaire.csv").set_index("colonne")
    assert "hotspots" in dictionary.loc["q_value", "fichiers"]


def test_batch_size_does_not_change_the_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    from quartiers.method import evaluation

    territory = make_territory(n_qpv=6, seed=5, imputed_share=0.4)
    method = with_uncertainty(**{**FULL, "draws": 40})
    problem = problem_of(territory, method)
    space = choice_space(method, problem)
    u = np.random.default_rng(4).random((45, space.size))
    whole = evaluate(problem, space, u, seed=0)
    monkeypatch.setattr(evaluation, "batch_size", lambda n_units: 7)
    pieces = evaluate(problem, space, u, seed=0)
    for field in ("index", "rank", "top", "position", "resident_share"):
        np.testing.assert_array_equal(getattr(pieces, field), getattr(whole, field), field)
