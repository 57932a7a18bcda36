"""``finite_columns``: Arrow text parsed only where it could be a number, same answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quartiers.outputs.legends import finite_columns

TEXTS = [" 1", "inf", "-inf", "nan", "NaN", "1e3", "Infinity", "abc", "", " x", "+.5", "é1"]
TEXTS += ["_1", "\t2", "-Infinity", "e5", "0x10", "1,5", "CRS3035RES200mN2029800E4252400"]


def _reference(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce")
    return bool(np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan)).any())


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", object])
def test_finite_columns_answers_as_parsing_every_value(dtype: object) -> None:
    frame = pd.DataFrame(
        {f"c{i}": pd.Series([text, "zz", None], dtype=dtype) for i, text in enumerate(TEXTS)}
    )
    frame["n"] = [1.0, np.nan, np.inf]
    frame["empty"] = [np.nan, np.inf, -np.inf]
    expected = {c for c in frame.columns if _reference(frame[c])}
    assert finite_columns(frame) == expected
    assert "c0" in expected and "c1" not in expected  # " 1" is a number, "inf" is not
