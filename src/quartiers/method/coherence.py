"""Statistical coherence of the index on a territory (JRC/OECD handbook, step 4 and 7).

For each dimension: the correlations of its normalised indicators over the territory's cells
(weighted by residents), Cronbach's alpha and the share of variance of the first principal
component; pairs correlated above :data:`REDUNDANT` (one measures the other again) and
negative pairs (the indicators disagree on who is vulnerable) are flagged. For each indicator:
its *effective influence* on the index — the squared correlation of the indicator with the
index, rescaled to sum to 1 over the index's indicators, a linear estimate of its main effect
(Paruolo, Saisana & Saltelli, 2013) — beside its nominal weight (dimension weight × weight in
the dimension). A large gap says the weights do not do what they seem to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from quartiers.method.composite import CompiledMethod

__all__ = ["REDUNDANT", "coherence_audit"]

FloatArray = NDArray[np.float64]

#: Above this absolute correlation two indicators of a dimension are flagged as redundant.
REDUNDANT = 0.9


def _weighted_corr(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted Pearson correlation matrix of the columns of ``x`` (NaN for constant ones)."""
    w = w / w.sum()
    centred = x - w @ x
    cov = (centred * w[:, None]).T @ centred
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    return np.asarray(corr, dtype="float64")


def _round(x: float) -> float | None:
    return round(float(x), 4) if np.isfinite(x) else None


def _dimension(ids: list[str], x: FloatArray, w: FloatArray) -> dict[str, Any]:
    """Correlations, alpha, first component share and flagged pairs of one dimension."""
    corr = _weighted_corr(x, w)
    k = len(ids)
    out: dict[str, Any] = {
        "indicators": ids,
        "correlations": {
            a: {b: _round(corr[i, j]) for j, b in enumerate(ids)} for i, a in enumerate(ids)
        },
        "cronbach_alpha": None,
        "first_component_share": None,
        "redundant_pairs": [],
        "negative_pairs": [],
    }
    for i in range(k):
        for j in range(i + 1, k):
            r = corr[i, j]
            if not np.isfinite(r):
                continue
            rounded = _round(r)
            assert rounded is not None
            pair = {"a": ids[i], "b": ids[j], "r": rounded}
            if abs(rounded) > REDUNDANT:
                out["redundant_pairs"].append(pair)
            if rounded < 0:  # a correlation that rounds to zero is not a contradiction
                out["negative_pairs"].append(pair)
    if k >= 2 and np.isfinite(corr).all():
        wn = w / w.sum()
        var = wn @ (x - wn @ x) ** 2
        total = x.sum(axis=1)
        var_total = wn @ (total - wn @ total) ** 2
        if var_total > 0:
            out["cronbach_alpha"] = _round(k / (k - 1) * (1 - var.sum() / var_total))
        eig = np.linalg.eigvalsh(corr)
        out["first_component_share"] = _round(eig[-1] / eig.sum())
    return out


def coherence_audit(
    normalised: FloatArray,
    index: FloatArray,
    population: FloatArray,
    compiled: CompiledMethod,
) -> dict[str, Any]:
    """Return the coherence audit of the index over the cells (the ``coherence`` of run.json).

    Parameters
    ----------
    normalised
        Cells × indicators normalised as the index uses them (``compiled`` column order).
    index
        Index of each cell (NaN for cells without one: they are left out).
    population
        Residents per cell (the weights).
    compiled
        The method as run (dimensions, weights).
    """
    pop = np.nan_to_num(np.asarray(population, dtype="float64"))
    ids = list(compiled.indicator_ids)
    record: dict[str, Any] = {
        "method": "corrélations pondérées par les habitants sur les carreaux qui ont un "
        "indice ; alpha de Cronbach ; part de variance de la première composante principale ; "
        f"paires |r| > {REDUNDANT:g} (redondantes) et r < 0 (contradictoires) dans une "
        "dimension ; influence effective = r² de l'indicateur avec l'indice, ramené à un "
        "total de 1 (Paruolo, Saisana et Saltelli, 2013), à comparer au poids nominal",
        "redundant_threshold": REDUNDANT,
        "dimensions": {},
        "indicators": [],
        "cells": 0,
    }
    rows = np.isfinite(index) & (pop > 0)
    if not ids or rows.sum() < 3:
        return record
    x_all, w_all, y_all = normalised[rows], pop[rows], index[rows]
    for d, dim in enumerate(compiled.dimension_ids):
        cols = np.flatnonzero(compiled.dimension_of == d)
        sub = x_all[:, cols]
        ok = np.isfinite(sub).all(axis=1)
        if len(cols) >= 2 and ok.sum() >= 3:
            record["dimensions"][dim] = _dimension([ids[j] for j in cols], sub[ok], w_all[ok])
            record["dimensions"][dim]["cells"] = int(ok.sum())
    r2 = np.full(len(ids), np.nan)
    for j in range(len(ids)):
        ok = np.isfinite(x_all[:, j])
        if ok.sum() >= 3:
            corr = _weighted_corr(np.column_stack([x_all[ok, j], y_all[ok]]), w_all[ok])
            r2[j] = corr[0, 1] ** 2
    total = np.nansum(r2)
    nominal = compiled.dimension_weights[compiled.dimension_of] * compiled.indicator_weights
    for j, ind in enumerate(ids):
        influence = r2[j] / total if total > 0 and np.isfinite(r2[j]) else np.nan
        record["indicators"].append(
            {
                "id": ind,
                "dimension": compiled.dimension_ids[compiled.dimension_of[j]],
                "nominal_weight": _round(nominal[j]),
                "influence": _round(influence),
                "influence_ratio": _round(influence / nominal[j]) if nominal[j] > 0 else None,
            }
        )
    record["cells"] = int(rows.sum())
    return record
