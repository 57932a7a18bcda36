"""What a golden snapshot holds: the published numbers of an output directory, nothing else.

Kept: ``qpv.csv``, the attribute tables of the cells, zones and hotspots layers (geometry
left out: it is checked by the layer tests), ``dictionnaire.csv`` and ``run.json`` without
what changes from one run to the next by nature (retrieval times, absolute paths, code
version, output hashes).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TABLES", "compare_json", "compare_table", "read_tables", "run_record"]

#: Output file → golden file name (attribute tables as Parquet, CSV kept as CSV).
TABLES = {
    "qpv.csv": "qpv.csv",
    "cells.parquet": "cells.parquet",
    "zones.parquet": "zones.parquet",
    "hotspots.parquet": "hotspots.parquet",
    "dictionnaire.csv": "dictionnaire.csv",
}

_VOLATILE_KEYS = {"retrieved", "location", "code_version", "outputs"}


def read_tables(directory: Path) -> dict[str, pd.DataFrame]:
    """Return the attribute tables of an output (or golden) directory, by golden name."""
    out: dict[str, pd.DataFrame] = {}
    for name in TABLES.values():
        path = directory / name
        if not path.is_file():
            continue
        if name.endswith(".csv"):
            out[name] = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path)
            out[name] = frame.drop(columns=["geometry"], errors="ignore")
    return out


def run_record(directory: Path) -> dict[str, Any]:
    """Return ``run.json`` without its volatile parts."""
    record = json.loads((directory / "run.json").read_text(encoding="utf-8"))
    return _strip(record)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _VOLATILE_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _as_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare_table(mine: pd.DataFrame, golden: pd.DataFrame, *, name: str, rtol: float) -> None:
    """Assert two tables hold the same columns, rows and values (floats to ``rtol``)."""
    assert list(mine.columns) == list(golden.columns), f"{name}: columns differ"
    assert len(mine) == len(golden), f"{name}: {len(mine)} rows, golden {len(golden)}"
    for col in golden.columns:
        a, b = mine[col], golden[col]
        if a.dtype == object or pd.api.types.is_string_dtype(a):
            left = a.astype(str).to_numpy()
            right = b.astype(str).to_numpy()
            numeric = [(_as_number(x), _as_number(y)) for x, y in zip(left, right, strict=True)]
            if all(x is not None and y is not None for x, y in numeric):
                np.testing.assert_allclose(
                    [x for x, _ in numeric], [y for _, y in numeric], rtol=rtol, err_msg=col
                )
            else:
                assert (left == right).all(), f"{name}: column {col} differs"
        elif pd.api.types.is_bool_dtype(a):
            assert a.fillna(False).equals(b.fillna(False)), f"{name}: column {col} differs"
        else:
            np.testing.assert_allclose(
                a.astype("float64").to_numpy(),
                b.astype("float64").to_numpy(),
                rtol=rtol,
                atol=1e-12,
                equal_nan=True,
                err_msg=f"{name}: {col}",
            )


def compare_json(mine: Any, golden: Any, *, path: str = "run.json", rtol: float) -> None:
    """Assert two JSON values are equal, floats to ``rtol``."""
    if isinstance(golden, dict):
        assert isinstance(mine, dict), path
        assert sorted(mine) == sorted(golden), f"{path}: keys {sorted(set(mine) ^ set(golden))}"
        for key in golden:
            compare_json(mine[key], golden[key], path=f"{path}.{key}", rtol=rtol)
    elif isinstance(golden, list):
        assert isinstance(mine, list) and len(mine) == len(golden), path
        for i, (x, y) in enumerate(zip(mine, golden, strict=True)):
            compare_json(x, y, path=f"{path}[{i}]", rtol=rtol)
    elif isinstance(golden, float) and isinstance(mine, (int, float)):
        same = math.isclose(mine, golden, rel_tol=rtol, abs_tol=1e-12)
        assert same or (math.isnan(mine) and math.isnan(golden)), f"{path}: {mine} ≠ {golden}"
    else:
        assert mine == golden, f"{path}: {mine!r} ≠ {golden!r}"
