"""INSEE-like secrecy of the demo cells: totals kept, parts coherent, small cells pooled."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.demo._imputation import SECRECY_HOUSEHOLDS, impute
from quartiers.demo._population import AGES, COUNTS

PERIODS = ["log_av45", "log_45_70", "log_70_90", "log_ap90", "log_inc"]
SUBSETS = ["men_pauv", "men_1ind", "men_5ind", "men_prop", "men_fmp", "log_soc"]


def _raw(seed: int, n: int) -> pd.DataFrame:
    """Random but coherent integer cells on a 200 m lattice."""
    rng = np.random.default_rng(seed)
    cells = rng.choice(40 * 40, size=n, replace=False)
    men = np.where(rng.random(n) < 0.5, rng.integers(1, 11, n), rng.integers(11, 200, n))
    ind = men + rng.binomial(men * 2, 0.4)
    data: dict[str, np.ndarray] = {
        "x": 3_400_000 + (cells % 40) * 200,
        "y": 2_700_000 + (cells // 40) * 200,
        "ind": ind,
        "men": men,
        "ind_snv": ind * rng.uniform(9_000, 40_000, n),
        "men_surf": men * rng.uniform(40, 120, n),
    }
    for col in SUBSETS:
        data[col] = rng.binomial(men, 0.3)
    coll = rng.binomial(men, 0.5)
    data["men_coll"], data["men_mais"] = coll, men - coll
    for cols, whole in ((PERIODS, men), ([*AGES, "ind_inc"], ind)):
        parts = rng.multinomial(whole, np.ones(len(cols)) / len(cols)).T
        for name, values in zip(cols, parts, strict=True):
            data[name] = values
    return pd.DataFrame(data)[["x", "y", *COUNTS]]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 120))
def test_impute_keeps_totals_and_coherence(seed: int, n: int) -> None:
    raw = _raw(seed, n)
    out = impute(raw)
    small = raw["men"].to_numpy() < SECRECY_HOUSEHOLDS
    assert (out["imputed"].to_numpy() == small).all()
    # Observed cells are untouched.
    pd.testing.assert_frame_equal(
        out.loc[~small, COUNTS].reset_index(drop=True),
        raw.loc[~small, COUNTS].astype("float64").reset_index(drop=True),
    )
    # Totals are kept up to rounding each imputed value to a tenth (half a tenth for values
    # rounded directly, up to a tenth and a half for parts allocated by largest remainder).
    tol = 0.05 * small.sum() + 1e-6
    for col in ["ind", "men", "ind_snv", "men_surf"]:
        assert abs(out[col].sum() - raw[col].sum()) <= tol + 1e-9 * raw[col].sum(), col
    for col in [*AGES, *PERIODS]:
        assert abs(out[col].sum() - raw[col].sum()) <= 3 * tol, col
    # Parts add up in every cell; subsets never exceed households.
    np.testing.assert_allclose(out[[*AGES, "ind_inc"]].sum(axis=1), out["ind"], atol=1e-9)
    np.testing.assert_allclose(out[PERIODS].sum(axis=1), out["men"], atol=1e-9)
    np.testing.assert_allclose(out["men_coll"] + out["men_mais"], out["men"], atol=1e-9)
    for col in SUBSETS:
        assert (out[col] <= out["men"] + 1e-9).all()
    # Values are in tenths.
    tenths = out[COUNTS].drop(columns=["ind_snv", "men_surf"]).to_numpy() * 10
    np.testing.assert_allclose(tenths, np.round(tenths), atol=1e-6)
    # Each natural-level square pools at least 11 households (unless the whole table is small).
    imputed = out[out["imputed"]]
    pooled = imputed.groupby(["nat_size", "nat_x", "nat_y"])["men"].sum()
    if raw.loc[small, "men"].sum() >= SECRECY_HOUSEHOLDS:
        assert (pooled >= SECRECY_HOUSEHOLDS - tol).all()
    sizes = imputed["nat_size"].to_numpy()
    assert np.isin(sizes, [200 * 2**k for k in range(1, 21)]).all()
    inside = (imputed["x"] >= imputed["nat_x"]) & (imputed["x"] < imputed["nat_x"] + sizes)
    assert inside.all()


def test_observed_table_is_unchanged() -> None:
    raw = _raw(1, 30)
    raw = raw[raw["men"] >= SECRECY_HOUSEHOLDS].reset_index(drop=True)
    out = impute(raw)
    assert not out["imputed"].any()
    assert (out["nat_size"] == 200).all()
