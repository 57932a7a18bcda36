"""French display of numbers, values, gaps and ratios."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.outputs.formatting import (
    MISSING,
    as_float,
    format_date,
    format_gap,
    format_number,
    format_ratio,
    format_value,
    is_number,
    ordinal,
)

THIN, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12345.678, 1, f"12{THIN}345,7"),
        (0.5, 2, "0,50"),
        (-3.25, 1, "−3,2"),
        (1_000_000, 0, f"1{THIN}000{THIN}000"),
        (-0.001, 1, "0,0"),  # no "−0,0"
    ],
)
def test_format_number_is_french(value: float, decimals: int, expected: str) -> None:
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA, "texte", math.inf])
def test_missing_values_read_non_disponible(missing: object) -> None:
    assert not is_number(missing)
    assert as_float(missing) is None
    assert format_number(missing) == MISSING
    assert format_value(missing, "part (0–1)") == MISSING
    assert format_gap(missing, "m") == MISSING
    assert format_ratio(missing) == MISSING


def test_units() -> None:
    assert format_value(0.3468, "part (0–1)") == f"34,7{NBSP}%"
    assert format_value(14119.9, "€ par an et par personne") == f"14{THIN}120{NBSP}€"
    assert format_value(25.76, "m² par personne") == f"25,8{NBSP}m²"
    assert format_value(7.17, "jours par an") == f"7,2{NBSP}j/an"
    assert format_value(412.4, "m") == f"412{NBSP}m"
    assert format_value(0.4776, "indice 0–1") == "0,48"
    assert format_value(1.5, "unité inconnue") == f"1,500{NBSP}unité inconnue"


def test_gaps_are_signed_and_shares_in_points() -> None:
    assert format_gap(0.348, "part (0–1)") == f"+34,8{NBSP}pts"
    assert format_gap(-5237.2, "€ par an et par personne") == f"−5{THIN}237{NBSP}€"
    assert format_gap(0.0, "m") == f"0{NBSP}m"


def test_ratio_and_ordinal_and_date() -> None:
    assert format_ratio(3.8288) == "×3,83"
    assert ordinal(1) == "1er"
    assert ordinal(2.0) == "2e"
    assert ordinal(None) == "non classé"
    assert format_date("2026-11-25T22:21:28+00:00") == "25/11/2026"
    assert format_date("") == MISSING


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_format_number_round_trips(value: float) -> None:
    text = format_number(value, 2)
    parsed = float(text.replace(THIN, "").replace(",", ".").replace("−", "-"))
    assert parsed == pytest.approx(round(value, 2), abs=0.0051)
    assert "." not in text
