"""Validation against health outcomes (``--source sante``): rate ratios of the index.

The index and its dimension scores are aggregated to the units of the health file (QPV as
published; communes and IRIS as the population-weighted mean of their cells, IRIS through
the exact overlap of their contours with the cells). For each outcome, counts are modelled
with a Poisson regression with the population as offset (one term per period when there
are several), on the index, then on the dimension scores; when the counts are
over-dispersed (Pearson χ² / ddl > 1.5) a negative binomial replaces it. Rate ratios are
given per +0.1 of score with their 95 % confidence interval, with Pearson residuals per
unit (mapped on the method page) and a plain-French reading. ``run.json`` gains
``validation_sante``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from quartiers.spatial.grid import CELL_CRS, overlap_shares

if TYPE_CHECKING:
    from quartiers.diagnostic.result import Diagnostic

__all__ = ["DISPERSION_LIMIT", "SCALE", "add_health_validation", "health_units"]

#: Pearson χ² / degrees of freedom above which the negative binomial replaces Poisson.
DISPERSION_LIMIT = 1.5
_LIMIT_FR = f"{DISPERSION_LIMIT:g}".replace(".", ",")
#: Rate ratios are given per this increase of the index or of a dimension score.
SCALE = 0.1
_SCORES = ("index", "score_sensitivity", "score_exposure", "score_resources")
_LABELS = {
    "index": "indice",
    "score_sensitivity": "sensibilité",
    "score_exposure": "exposition",
    "score_resources": "ressources",
}
FloatArray = NDArray[np.float64]


def _weighted(matrix: Any, cells: pd.DataFrame, codes: list[str], kind: str) -> pd.DataFrame:
    """Return population and population-weighted scores of units (matrix units × cells)."""
    pop = np.nan_to_num(cells["population"].to_numpy(dtype="float64"))
    out = pd.DataFrame({"unit_type": kind, "unit_code": codes})
    out["population"] = matrix @ pop
    for col in _SCORES:
        v = (
            cells[col].to_numpy(dtype="float64")
            if col in cells.columns
            else np.full(len(pop), np.nan)
        )
        ok = np.isfinite(v)
        w = matrix @ np.where(ok, pop, 0.0)
        s = matrix @ np.where(ok, pop * np.nan_to_num(v), 0.0)
        out[col] = np.divide(s, w, out=np.full(len(w), np.nan), where=w > 0)
    return out


def health_units(diag: Diagnostic, health: pd.DataFrame) -> pd.DataFrame:
    """Return the index, dimension scores and population of every unit of ``health``."""
    from scipy import sparse

    cells = pd.DataFrame(diag.cells.drop(columns="geometry"))
    frames = []
    q = diag.qpv
    if (health["unit_type"] == "qpv").any():
        part = pd.DataFrame({"unit_type": "qpv", "unit_code": q["code_qp"].astype(str).str.upper()})
        part["population"] = q["population"].to_numpy(dtype="float64")
        for col in _SCORES:
            part[col] = q[col].to_numpy(dtype="float64") if col in q.columns else np.nan
        frames.append(part)
    if (health["unit_type"] == "commune").any():
        codes, inverse = np.unique(cells["insee_com"].astype(str).to_numpy(), return_inverse=True)
        m = sparse.csr_array(
            (np.ones(len(cells)), (inverse, np.arange(len(cells)))), shape=(len(codes), len(cells))
        )
        frames.append(_weighted(m, cells, [str(c) for c in codes], "commune"))
    iris = health[health["unit_type"] == "iris"].drop_duplicates("unit_code")
    if len(iris):
        geoms = gpd.GeoSeries(list(iris["geometry"]), crs="EPSG:2154").to_crs(CELL_CRS)
        xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
        pairs = overlap_shares(xy, geoms)
        m = sparse.csr_array(
            (pairs["share"], (pairs["zone"], pairs["cell"])), shape=(len(iris), len(cells))
        )
        frames.append(_weighted(m, cells, list(iris["unit_code"]), "iris"))
    return pd.concat(frames, ignore_index=True)


def _fit(
    y: FloatArray, x: FloatArray, names: list[str], pop: FloatArray, periods: NDArray[Any]
) -> dict[str, Any]:
    """Fit Poisson (negative binomial if over-dispersed); rate ratios per +SCALE."""
    import statsmodels.api as sm

    levels = sorted(set(periods.tolist()))
    dummies = [(periods == p).astype("float64") for p in levels[1:]]
    design = np.column_stack([np.ones(len(y)), x / SCALE, *dummies])
    poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(pop)).fit()
    dispersion = float(poisson.pearson_chi2 / max(poisson.df_resid, 1))
    model, fitted = "poisson", poisson
    if dispersion > DISPERSION_LIMIT:
        nb = sm.NegativeBinomial(y, design, offset=np.log(pop)).fit(disp=0, maxiter=200)
        alpha = float(nb.params[-1])
        fitted = sm.GLM(
            y, design, family=sm.families.NegativeBinomial(alpha=alpha), offset=np.log(pop)
        ).fit()
        model = "binomiale négative"
    ci = np.asarray(fitted.conf_int())
    params = np.asarray(fitted.params)
    terms = [
        {
            "term": n,
            "label": _LABELS[n],
            "rate_ratio": round(float(np.exp(params[k + 1])), 4),
            "ci_low": round(float(np.exp(ci[k + 1, 0])), 4),
            "ci_high": round(float(np.exp(ci[k + 1, 1])), 4),
            "p_value": round(float(np.asarray(fitted.pvalues)[k + 1]), 4),
        }
        for k, n in enumerate(names)
    ]
    expected = np.asarray(fitted.fittedvalues, dtype="float64")
    residual = np.asarray(fitted.resid_pearson, dtype="float64")
    return {
        "model": model,
        "dispersion": round(dispersion, 3),
        "terms": terms,
        "expected": expected,
        "residual": residual,
    }


def _fmt(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _reading(outcome: str, term: dict[str, Any]) -> str:
    rr, lo, hi = term["rate_ratio"], term["ci_low"], term["ci_high"]
    fmt = _fmt
    text = (
        f"{outcome} : quand l'{term['label']} augmente de 0,1, le taux est multiplié par "
        f"{fmt(rr)} (intervalle de confiance à 95 % : {fmt(lo)} à {fmt(hi)})"
    )
    if lo > 1:
        return text + " : plus l'indice est élevé, plus il y a d'événements, comme attendu."
    if hi < 1:
        return text + " : l'inverse de ce qu'on attend ; l'indice ne le prédit pas ici."
    return text + " : l'intervalle contient 1, ce lien n'est pas établi avec ces données."


def _outcome(rows: pd.DataFrame, units: pd.DataFrame, outcome: str) -> dict[str, Any]:
    data = rows.merge(units, on=["unit_type", "unit_code"], how="left", suffixes=("", "_diag"))
    pop = data["population"].fillna(data["population_diag"]).to_numpy(dtype="float64")
    ok = np.isfinite(data["index"].to_numpy(dtype="float64")) & (pop > 0)
    dims = [c for c in _SCORES[1:] if np.isfinite(data.loc[ok, c].to_numpy(dtype=float)).all()]
    dims = dims if ok.any() else []
    d = data[ok]
    y, p, per = d["count"].to_numpy(float), pop[ok], d["period"].to_numpy(dtype=object)
    result: dict[str, Any] = {
        "outcome": outcome,
        "units": int(d["unit_code"].nunique()),
        "rows": int(ok.sum()),
        "left_out": sorted(set(data.loc[~ok, "unit_code"].astype(str))),
        "periods": sorted(set(per.tolist())),
        "events": int(y.sum()),
    }
    needed = 1 + len(dims) + max(len(result["periods"]) - 1, 0) + 3
    if ok.sum() < needed or y.sum() == 0:
        result["note"] = (
            f"Trop peu d'unités avec un indice et des événements ({int(ok.sum())} lignes, "
            f"{needed} au moins) : pas de modèle."
        )
        return result
    index_fit = _fit(y, d[["index"]].to_numpy(float), ["index"], p, per)
    result["index_model"] = {
        k: v for k, v in index_fit.items() if k not in ("expected", "residual")
    }
    if dims:
        dim_fit = _fit(y, d[dims].to_numpy(float), dims, p, per)
        result["dimension_model"] = {
            k: v for k, v in dim_fit.items() if k not in ("expected", "residual")
        }
    result["reading"] = _reading(outcome, index_fit["terms"][0])
    result["residuals"] = [
        {
            "unit_type": str(t),
            "unit_code": str(c),
            "period": str(pe),
            "count": int(n),
            "expected": round(float(e), 2),
            "residual": round(float(r), 3),
        }
        for t, c, pe, n, e, r in zip(
            d["unit_type"], d["unit_code"], per, y, index_fit["expected"],
            index_fit["residual"], strict=True,
        )
    ]  # fmt: skip
    return result


def add_health_validation(
    diag: Diagnostic, health: pd.DataFrame | None, *, simulated: bool = False
) -> Diagnostic:
    """Return the diagnostic with ``validation_sante`` in ``run.json`` (unchanged without data).

    Parameters
    ----------
    diag
        The diagnostic (cells with ``x_sw, y_sw, population, insee_com`` and scores).
    health
        Outcomes read by :func:`quartiers.sources.sante.read_health`, or None.
    simulated
        True when the outcomes are simulated (the demo): every reading says so.
    """
    if health is None or not len(health):
        return diag
    units = health_units(diag, health)
    outcomes = [
        _outcome(rows.drop(columns="geometry"), units, str(name))
        for name, rows in health.groupby("outcome", sort=True)
    ]
    if simulated:
        for o in outcomes:
            if "reading" in o:
                o["reading"] = "Données SIMULÉES (démonstration, aucun fait réel) — " + o["reading"]
    contours = {
        str(c): shapely.to_wkt(g, rounding_precision=1)
        for c, g in zip(health["unit_code"], health["geometry"], strict=True)
        if g is not None
    }
    run = dict(diag.run)
    run["validation_sante"] = {
        "simulated": simulated,
        "label": "données simulées (démonstration)" if simulated else "données fournies",
        "scale": SCALE,
        "outcomes": outcomes,
        "contours_2154": contours,
        "note": (
            "Rapports de taux pour +0,1 d'indice ou de score de dimension, population en "
            "décalage (offset), un terme par période ; binomiale négative si la surdispersion "
            f"(χ² de Pearson / ddl) dépasse {_LIMIT_FR}. Un lien établi sur un territoire "
            "n'est pas une preuve de causalité."
        ),
    }
    return replace(diag, run=run)
