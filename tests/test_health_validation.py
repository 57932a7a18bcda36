"""Validation against health outcomes: a planted rate ratio is recovered, with its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from _synthetic import X0, Y0, environment_layers, make_territory
from quartiers.diagnostic.health_validation import add_health_validation, health_units
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.diagnostic.run import run_diagnostic

_FAST = RobustnessOptions(uncertainty=False, hotspots=False)
_TO_2154 = Transformer.from_crs("EPSG:3035", "EPSG:2154", always_xy=True)


@pytest.fixture(scope="module")
def diag():  # type: ignore[no-untyped-def]
    return run_diagnostic(make_territory(**environment_layers()), robustness=_FAST)


def _iris(size: int = 400) -> list[tuple[str, shapely.Geometry]]:
    out = []
    for i in range(0, 2000, size):
        for j in range(0, 2000, size):
            box = shapely.box(X0 + i, Y0 + j, X0 + i + size, Y0 + j + size)
            box = shapely.transform(
                box, lambda c: np.column_stack(_TO_2154.transform(c[:, 0], c[:, 1]))
            )
            out.append((f"99999{i // size:02d}{j // size:02d}", box))
    return out


def _health(diag, rr: float, *, seed: int, overdispersed: bool) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    iris = _iris()
    base = pd.DataFrame(
        {
            "unit_type": "iris",
            "unit_code": [c for c, _ in iris],
            "period": "p",
            "outcome": "o",
            "count": 0.0,
            "population": np.nan,
            "geometry": [g for _, g in iris],
        }
    )
    units = health_units(diag, base)
    rng = np.random.default_rng(seed)
    rows = []
    for period in ("2022", "2023"):
        mu = units["population"] * 0.05 * np.exp(np.log(rr) * units["index"] / 0.1)
        if overdispersed:
            mu = mu * rng.gamma(4.0, 0.25, len(mu))
        part = base.copy()
        part["period"] = period
        part["count"] = rng.poisson(mu.fillna(0)).astype(float)
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def test_planted_rate_ratio_recovered(diag) -> None:  # type: ignore[no-untyped-def]
    out = add_health_validation(diag, _health(diag, 1.3, seed=1, overdispersed=False))
    o = out.run["validation_sante"]["outcomes"][0]
    term = o["index_model"]["terms"][0]
    assert o["index_model"]["model"] == "poisson"
    assert term["ci_low"] < 1.3 < term["ci_high"]
    assert term["ci_low"] > 1.0
    assert "multiplié par" in o["reading"] and "comme attendu" in o["reading"]
    assert {t["term"] for t in o["dimension_model"]["terms"]} <= {
        "score_sensitivity",
        "score_exposure",
        "score_resources",
    }
    assert len(o["residuals"]) == o["rows"]
    assert not out.run["validation_sante"]["simulated"]


def test_overdispersion_switches_to_negative_binomial(diag) -> None:  # type: ignore[no-untyped-def]
    out = add_health_validation(
        diag, _health(diag, 1.0, seed=2, overdispersed=True), simulated=True
    )
    o = out.run["validation_sante"]["outcomes"][0]
    assert o["index_model"]["model"] == "binomiale négative"
    assert o["index_model"]["dispersion"] > 1.5
    assert o["reading"].startswith("Données SIMULÉES")


def test_too_few_units_says_so(diag) -> None:  # type: ignore[no-untyped-def]
    codes = diag.qpv["code_qp"].astype(str).tolist()
    h = pd.DataFrame(
        {
            "unit_type": "qpv",
            "unit_code": codes,
            "period": "p",
            "outcome": "o",
            "count": [3.0] * len(codes),
            "population": np.nan,
            "geometry": [None] * len(codes),
        }
    )
    o = add_health_validation(diag, h).run["validation_sante"]["outcomes"][0]
    assert "index_model" not in o
    assert "Trop peu d'unités" in o["note"]


def test_no_file_no_section(diag) -> None:  # type: ignore[no-untyped-def]
    assert "validation_sante" not in add_health_validation(diag, None).run
