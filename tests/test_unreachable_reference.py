"""``unreachable: worst`` against a reference file: the file's largest distance counts too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.diagnostic._reference_run import RunReference
from quartiers.diagnostic.reference_file import ReferenceFile
from quartiers.indicators.resources import access_indicators

IDS = ["c1", "c2", "c3"]


def _access() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "idcar_200m": IDS,
            **{
                f"dist_{c}_m": [100.0, 300.0, np.nan]
                for c in ("cool_outdoor", "cool_indoor", "care", "information", "drinking_water")
            },
        }
    )
    return table.set_index("idcar_200m")


def _file(high: float) -> ReferenceFile:
    rows = pd.DataFrame(
        {
            "indicator": ["dist_care", "dist_care", "poverty_rate"],
            "vintage": ["2021"] * 3,
            "value": [50.0, high, 0.2],
            "weight": [1.0, 1.0, 1.0],
            "exact": [True] * 3,
            "low": [50.0, 50.0, 0.2],
            "high": [high, high, 0.2],
            "mean": [0.0] * 3,
            "std": [0.0] * 3,
            "total_weight": [2.0, 2.0, 1.0],
            "cells": [2, 2, 1],
        }
    )
    return ReferenceFile(path=Path("ref.parquet"), rows=rows, meta={}, sha256="")


def test_the_run_fills_with_its_own_largest_distance_by_default() -> None:
    values, _ = access_indicators(IDS, _access(), unreachable="worst")
    assert values["dist_care"].tolist() == [100.0, 300.0, 300.0]
    dropped, _ = access_indicators(IDS, _access(), unreachable="drop")
    assert np.isnan(dropped["dist_care"][2])


def test_a_reference_file_with_a_larger_distance_sets_the_worst() -> None:
    ref = RunReference(kind="file", file=_file(1200.0), vintage="2021")
    worst = ref.worst_distances()
    assert worst == {"dist_care": 1200.0}  # only the categories the file holds
    values, _ = access_indicators(IDS, _access(), unreachable="worst", worst=worst)
    assert values["dist_care"].tolist() == [100.0, 300.0, 1200.0]
    assert values["dist_information"].tolist() == [100.0, 300.0, 300.0]


@pytest.mark.parametrize("high", [200.0])
def test_a_smaller_reference_distance_never_lowers_the_worst(high: float) -> None:
    worst = RunReference(kind="file", file=_file(high), vintage="2021").worst_distances()
    values, _ = access_indicators(IDS, _access(), unreachable="worst", worst=worst)
    assert values["dist_care"][2] == 300.0
    assert RunReference(kind="run").worst_distances() == {}
