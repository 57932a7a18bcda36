"""Benchmark: Monte Carlo over the method's choices, 1,000 draws, 20 QPV, 5,000 cells.

Builds a synthetic territory (a 50 × 100 grid of 200 m cells, 45 % of them imputed by INSEE,
every indicator of the registry, 20 QPV of 16 cells each) and times, under the default
method file (two normalisations, two aggregations, weights ± 50 %, 10 % dropout, imputed
values ± 30 %):

1. :func:`quartiers.method.uncertainty.explore` with 1,000 draws — target < 30 s;
2. the obvious route on the same draws: per draw, perturb the cells table, re-aggregate
   cells → QPV with a pandas merge + groupby on the long overlap table, then normalise,
   aggregate, rank and classify with pandas; timed on ``--naive`` draws and extrapolated
   linearly (said in the output), after checking that both routes give the same index,
   ranks and top-quintile flags on those draws;
3. the same draws one by one with the method's own functions (the engine before draws were
   evaluated in batches, method v1), checked equal;
4. the Sobol analysis at the default run size and the local Moran's I of the cells;
5. on a demo-sized territory (576 cells, 2 QPV), the whole robustness workload (draws +
   Sobol design): v1 settings one draw at a time (as the demo ran before method v2), v1
   settings in batches, and v2 settings (N = 1,024) in batches.

Run: ``.venv/bin/python benchmarks/bench_uncertainty.py [--draws 1000] [--naive 20]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import sparse

from quartiers.indicators.base import CellIndicator, from_counts, from_values
from quartiers.indicators.registry import REGISTRY
from quartiers.method._engine import Engine
from quartiers.method.composite import GEOMETRIC_FLOOR, compile_method, composite
from quartiers.method.hotspots import local_moran
from quartiers.method.normalise import normalise_column
from quartiers.method.rank import QUINTILES, classify, rank_descending, weighted_breaks
from quartiers.method.sensitivity import sobol_indices
from quartiers.method.spec import Method, default_method, packaged_method
from quartiers.method.uncertainty import (
    Outcomes,
    RankingProblem,
    build_problem,
    evaluate,
    explore,
)
from quartiers.method.variants import ChoiceSpace, choice_space

X0, Y0 = 3_500_000, 2_800_000
NX, NY, N_QPV, BLOCK = 50, 100, 20, 4


def territory(
    seed: int = 0, nx: int = NX, ny: int = NY, n_qpv: int = N_QPV
) -> tuple[dict[str, CellIndicator], np.ndarray, np.ndarray, sparse.csr_array, np.ndarray]:
    """Return indicators, population, imputed flags, QPV matrix and corners of the cells."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    xy = np.column_stack([X0 + 200 * gx.ravel(), Y0 + 200 * gy.ravel()]).astype(np.int64)
    n = len(xy)
    pop = rng.lognormal(4.5, 0.8, n)
    men = pop / rng.uniform(1.8, 2.6, n)
    imputed = rng.uniform(size=n) < 0.45
    smooth = rng.normal(size=(nx, ny)).cumsum(axis=0).cumsum(axis=1).ravel()
    smooth = (smooth - smooth.min()) / np.ptp(smooth)  # a spatial gradient of vulnerability
    indicators: dict[str, CellIndicator] = {}
    for ind_id, ind in REGISTRY.items():
        base = np.clip(smooth * ind.direction + rng.normal(0, 0.3, n), -2, 2)
        if "Filosofi" in ind.source:
            den = pop if ind.unit != "part (0–1)" or "share_0_3" in ind_id else men
            share = 1 / (1 + np.exp(-base)) * (0.6 if ind.unit == "part (0–1)" else 60)
            indicators[ind_id] = from_counts(share * den, den)
        elif ind_id in ("heat_wave_days", "warm_nights", "very_hot_days"):
            indicators[ind_id] = from_values(np.full(n, 12.0), pop)
        else:
            indicators[ind_id] = from_values(
                np.abs(base) * 300 if ind.unit == "m" else np.abs(base), pop
            )
    starts = [
        (i, j) for i in range(0, nx - BLOCK, BLOCK + 2) for j in range(0, ny - BLOCK, BLOCK + 2)
    ]
    pick = rng.choice(len(starts), size=n_qpv, replace=False)
    rows, cols, shares = [], [], []
    for q, k in enumerate(pick):
        i0, j0 = starts[k]
        for a in range(BLOCK):
            for b in range(BLOCK):
                rows.append(q)
                cols.append((i0 + a) * ny + (j0 + b))
                shares.append(rng.uniform(0.3, 1.0) if a in (0, BLOCK - 1) else 1.0)
    matrix = sparse.csr_array((shares, (rows, cols)), shape=(n_qpv, n))
    return indicators, pop, imputed, matrix, xy


# ---------------------------------------------------------------- one draw at a time


def per_draw(problem: RankingProblem, space: ChoiceSpace, u: np.ndarray, seed: int) -> Outcomes:
    """Evaluate draws one by one with the method's own functions (the engine before batching).

    Per draw: normalised columns from the same cache, :func:`composite`, then
    :func:`weighted_breaks`, :func:`classify`, :func:`rank_descending` and
    :func:`normalise_column` for the position, as the Monte Carlo did until method v2.
    """
    draws = space.decode(u)
    m, n_q = u.shape[0], problem.n_qpv
    engine = Engine(problem, space.precision, seed)
    base = problem.compiled
    out = Outcomes(
        index=np.full((m, n_q), np.nan),
        rank=np.full((m, n_q), np.nan),
        top=np.zeros((m, n_q), dtype=bool),
        position=np.full((m, n_q), np.nan),
        resident_share=np.full((m, n_q), np.nan),
    )
    cols = engine.cols.tolist()
    for i in range(m):
        norm = space.normalisations[draws.normalisation[i]]
        kinds = tuple(
            norm if d else k for d, k in zip(problem.drawn_normalisation, base.kinds, strict=True)
        )
        x = np.column_stack([engine.column(j, kinds[j]) for j in range(len(kinds))])
        if draws.noise_key is not None and cols:
            values, reference = engine.perturbed(int(draws.noise_key[i]))
            x[:, cols] = engine.normalise(values, reference, cols, tuple(kinds[j] for j in cols))
        compiled = replace(
            base,
            kinds=kinds,
            indicator_weights=draws.indicator_weights[i],
            dimension_weights=draws.dimension_weights[i],
            within=space.within_options[draws.within[i]],
            across=space.across_options[draws.across[i]],
        )
        index, _ = composite(x, compiled)
        q_index, c_index = index[:n_q], index[n_q:]
        c_index[engine.small] = np.nan
        breaks = weighted_breaks(c_index, problem.cell_population)
        out.index[i] = q_index
        out.rank[i] = rank_descending(q_index, problem.eligible)
        out.top[i] = classify(q_index, breaks) == 5
        out.position[i] = normalise_column(
            q_index, c_index, problem.cell_population, kind="percentile", direction=1.0
        )
    return out


def demo_sized(method_v1: object, method_v2: object) -> None:
    """Time the robustness workload of a demo-sized territory: v1 one by one, v2 batched."""
    indicators, pop, imputed, matrix, _ = territory(seed=1, nx=24, ny=24, n_qpv=2)
    rows = []
    for label, method, batched in (
        ("v1, tirages un par un", method_v1, False),
        ("v1, par paquets", method_v1, True),
        ("v2, par paquets", method_v2, True),
    ):
        assert isinstance(method, Method)
        compiled = compile_method(method, list(indicators))
        problem = build_problem(
            method, compiled, indicators, cell_population=pop, imputed=imputed, qpv_matrix=matrix
        )
        unc = method.uncertainty
        space = choice_space(method, problem, unc)
        groups = len(set(space.groups))
        u = np.vstack(
            [
                np.random.default_rng(unc.seed).random((unc.draws, space.size)),
                np.random.default_rng(unc.seed).random(
                    (unc.sobol_samples * (groups + 2), space.size)
                ),
            ]
        )
        start = _clock()
        if batched:
            evaluate(problem, space, u, seed=unc.seed)
        else:
            per_draw(problem, space, u, unc.seed)
        wall, cpu = _since(start)
        rows.append((label, len(u), wall, cpu))
    print(f"territoire de la taille de la démo : {len(pop)} carreaux, 2 QPV")
    for label, n, wall, cpu in rows:
        print(
            f"  {label} : {n} variantes (tirages + plan de Sobol) en {wall:.2f} s "
            f"(processeur {cpu:.2f} s, {1000 * cpu / n:.2f} ms par variante)"
        )
    print(
        f"  v2 par paquets (N = 1 024) / v1 un par un (N = 64) : temps processeur × "
        f"{rows[2][3] / rows[0][3]:.2f}"
    )


# ---------------------------------------------------------------- the obvious route


def naive_draws(
    problem: RankingProblem, space: ChoiceSpace, u: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """Score every draw with pandas tables: perturb, merge + groupby, normalise, aggregate."""
    c = problem.compiled
    ids = list(c.indicator_ids)
    draws = space.decode(u)
    coo = sparse.coo_array(problem.qpv_matrix)
    pairs = pd.DataFrame({"qpv": coo.row, "cell": coo.col, "share": coo.data})
    cells = pd.DataFrame(
        {
            **{f"num_{i}": problem.cell_num[:, j] for j, i in enumerate(ids)},
            **{f"den_{i}": problem.cell_den[:, j] for j, i in enumerate(ids)},
            **{f"val_{i}": problem.cell_value[:, j] for j, i in enumerate(ids)},
        }
    )
    pop = pd.Series(problem.cell_population)
    qpv_pop = (
        pairs.assign(p=pairs["share"] * pop[pairs["cell"]].to_numpy()).groupby("qpv")["p"].sum()
    )
    pert = [i for j, i in enumerate(ids) if problem.perturbable[j]]
    imputed = np.flatnonzero(problem.imputed)
    out = {k: np.full((len(u), problem.n_qpv), np.nan) for k in ("index", "rank")}
    out["top"] = np.zeros((len(u), problem.n_qpv), dtype=bool)
    for d in range(len(u)):
        table = cells.copy()
        if draws.noise_key is not None:
            rng = np.random.default_rng([seed, int(draws.noise_key[d])])
            factor = 1.0 + space.precision * rng.uniform(-1.0, 1.0, (imputed.size, len(pert)))
            for k, i in enumerate(pert):
                new = table.loc[imputed, f"num_{i}"] * factor[:, k]
                if REGISTRY[i].unit == "part (0–1)":
                    new = np.minimum(new, table.loc[imputed, f"den_{i}"])
                table.loc[imputed, f"num_{i}"] = new
                den = table[f"den_{i}"]
                table[f"val_{i}"] = (table[f"num_{i}"] / den).where(den > 0)
        merged = pairs.merge(table, left_on="cell", right_index=True)
        sums = {}
        for i in ids:
            sums[f"num_{i}"] = merged[f"num_{i}"] * merged["share"]
            sums[f"den_{i}"] = merged[f"den_{i}"] * merged["share"]
        grouped = pd.DataFrame(sums).groupby(merged["qpv"]).sum()
        qpv = pd.DataFrame(
            {
                i: (grouped[f"num_{i}"] / grouped[f"den_{i}"]).where(grouped[f"den_{i}"] > 0)
                for i in ids
            }
        )
        cellv = pd.DataFrame({i: table[f"val_{i}"] for i in ids})
        for j, i in enumerate(ids):
            floor = problem.display_floor[j]
            qpv.loc[qpv_pop < floor, i] = np.nan
            cellv.loc[pop < floor, i] = np.nan
        units = pd.concat([qpv, cellv], ignore_index=True)
        norm = pd.DataFrame(index=units.index)
        kind_drawn = space.normalisations[draws.normalisation[d]]
        for j, i in enumerate(ids):
            kind = kind_drawn if problem.drawn_normalisation[j] else c.kinds[j]
            norm[i] = _pandas_normalise(
                units[i], table[f"val_{i}"], table[f"den_{i}"], kind, c.directions[j], c.bounds[j]
            )
        within = space.within_options[draws.within[d]]
        across = space.across_options[draws.across[d]]
        weights = pd.Series(draws.indicator_weights[d], index=ids)
        dims = pd.Series([c.dimension_ids[k] for k in c.dimension_of], index=ids)
        scores = pd.DataFrame(
            {
                dim: _pandas_mean(norm[cols], weights[cols], within)
                for dim, cols in dims.groupby(dims).groups.items()
            }
        )
        dweights = pd.Series(draws.dimension_weights[d], index=list(c.dimension_ids))
        index = _pandas_mean(scores[list(c.dimension_ids)], dweights, across)
        q_index = index.iloc[: problem.n_qpv].reset_index(drop=True)
        c_index = (
            index.iloc[problem.n_qpv :].reset_index(drop=True).where(pop >= problem.cell_floor)
        )
        eligible = pd.Series(problem.eligible)
        out["index"][d] = q_index.to_numpy()
        out["rank"][d] = q_index.where(eligible).rank(method="min", ascending=False).to_numpy()
        breaks = _pandas_breaks(c_index, pop)
        out["top"][d] = (q_index > breaks[-1]).to_numpy()
    return out


def _pandas_normalise(
    x: pd.Series,
    ref: pd.Series,
    w: pd.Series,
    kind: str,
    direction: float,
    bounds: tuple[float, float] | None,
) -> pd.Series:
    if kind == "bounds":
        assert bounds is not None
        v = ((x - bounds[0]) / (bounds[1] - bounds[0])).clip(0, 1)
        return v if direction > 0 else 1 - v
    ok = ref.notna() & (w > 0)
    r = (direction * ref[ok]).sort_values(kind="stable")
    cum = pd.concat([pd.Series([0.0]), w[ok][r.index].cumsum()], ignore_index=True)
    xv = direction * x
    if kind == "percentile":
        lo = r.searchsorted(xv.fillna(0), side="left")
        hi = r.searchsorted(xv.fillna(0), side="right")
        v = (cum.to_numpy()[lo] + 0.5 * (cum.to_numpy()[hi] - cum.to_numpy()[lo])) / cum.iloc[-1]
        return pd.Series(v, index=x.index).where(x.notna())
    assert kind == "minmax", kind
    low, high = r.min(), r.max()
    if high <= low:
        return pd.Series(0.5, index=x.index).where(x.notna())
    return ((xv - low) / (high - low)).clip(0, 1)


def _pandas_mean(x: pd.DataFrame, w: pd.Series, how: str) -> pd.Series:
    known = x.notna()
    wk = known.mul(w, axis=1)
    terms = np.log(x.clip(lower=GEOMETRIC_FLOOR)) if how == "geometric" else x
    num = terms.where(known, 0.0).mul(wk).sum(axis=1)
    den = wk.sum(axis=1)
    mean = (num / den).where(den > 0)
    return np.exp(mean) if how == "geometric" else mean


def _pandas_breaks(index: pd.Series, pop: pd.Series) -> np.ndarray:
    ok = index.notna() & (pop > 0)
    s = pd.DataFrame({"v": index[ok], "w": pop[ok]}).sort_values("v", kind="stable")
    cum = s["w"].cumsum() / s["w"].sum()
    pos = np.searchsorted(cum.to_numpy(), np.asarray(QUINTILES), side="left")
    return s["v"].to_numpy()[np.minimum(pos, len(s) - 1)]


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    """Return (wall, CPU) seconds since ``start`` (the machine is shared: CPU is steadier)."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=20, help="draws timed on the pandas route")
    args = parser.parse_args()
    method = default_method()
    unc = method.uncertainty.model_copy(update={"draws": args.draws})
    indicators, pop, imputed, matrix, xy = territory()
    compiled = compile_method(method, list(indicators))
    problem = build_problem(
        method, compiled, indicators, cell_population=pop, imputed=imputed, qpv_matrix=matrix
    )
    print(
        f"territoire : {len(pop)} carreaux ({imputed.sum()} estimés), {problem.n_qpv} QPV, "
        f"{len(compiled.indicator_ids)} indicateurs"
    )

    start = _clock()
    summary, _, space = explore(method, problem, settings=unc)
    wall, cpu = _since(start)
    print(
        f"Monte Carlo : {args.draws} tirages en {wall:.2f} s (processeur {cpu:.2f} s, "
        f"{1000 * cpu / args.draws:.1f} ms par tirage) ; cible < 30 s pour 1 000"
    )
    print(f"  {space.size} coordonnées, groupes {sorted(set(space.groups))}")
    robust = int(np.nansum(summary.robust_top_quintile))
    print(f"  QPV robustement dans le quintile le plus vulnérable : {robust}")

    rng = np.random.default_rng(unc.seed)
    u = rng.random((args.draws, space.size))[: args.naive]
    start = _clock()
    naive = naive_draws(problem, space, u, unc.seed)
    n_wall, n_cpu = (t / len(u) * args.draws for t in _since(start))
    mine = evaluate(problem, space, u, seed=unc.seed)
    np.testing.assert_allclose(naive["index"], mine.index, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(naive["rank"], mine.rank)
    np.testing.assert_array_equal(naive["top"], mine.top)
    print(
        f"route évidente (pandas : merge + groupby, normalisation et agrégation par tableaux), "
        f"{len(u)} tirages extrapolés à {args.draws} : {n_wall:.1f} s (processeur {n_cpu:.1f} s)"
        " ; mêmes indices, rangs et quintiles"
    )
    print(f"rapport (temps processeur) : {n_cpu / cpu:.1f}× plus rapide")

    start = _clock()
    rng = np.random.default_rng(unc.seed)
    u_all = rng.random((args.draws, space.size))
    loop = per_draw(problem, space, u_all, unc.seed)
    l_wall, l_cpu = _since(start)
    batched = evaluate(problem, space, u_all, seed=unc.seed)
    np.testing.assert_allclose(loop.index, batched.index, rtol=1e-12)
    np.testing.assert_array_equal(loop.rank, batched.rank)
    np.testing.assert_array_equal(loop.top, batched.top)
    print(
        f"mêmes {args.draws} tirages un par un (fonctions de la méthode, moteur d'avant les "
        f"paquets) : {l_wall:.2f} s (processeur {l_cpu:.2f} s) ; par paquets {cpu:.2f} s : "
        f"{l_cpu / cpu:.1f}× plus rapide ; mêmes indices, rangs et quintiles"
    )

    start = _clock()
    sobol = sobol_indices(problem, space, samples=unc.sobol_samples, seed=unc.seed)
    assert sobol is not None
    wall, cpu = _since(start)
    print(
        f"Sobol : N = {sobol.samples}, {sobol.evaluations} évaluations en {wall:.2f} s "
        f"(processeur {cpu:.2f} s)"
    )

    demo_sized(packaged_method("v1"), method)

    import esda  # noqa: F401  (imported first so its import time is not counted below)

    values = indicators["poverty_rate"].value  # spatially smooth, like a real index
    perms = method.hotspots.permutations
    start = _clock()
    lisa = local_moran(values, xy, permutations=perms, fdr=method.hotspots.fdr)
    wall, cpu = _since(start)
    print(
        f"I de Moran local : {lisa.tested.sum()} carreaux, {perms} permutations en {wall:.2f} s "
        f"(processeur {cpu:.2f} s) ; {lisa.hotspot.sum()} carreaux chauds"
    )


if __name__ == "__main__":
    main()
