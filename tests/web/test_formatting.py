"""French display of numbers, values, gaps, ratios and amounts (the one formatter)."""

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
    display_unit,
    format_date,
    format_euro_range,
    format_euros,
    format_gap,
    format_number,
    format_ratio,
    format_share,
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
        (-0.04, 1, "0,0"),
        (-1234.5, 1, f"−1{THIN}234,5"),
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
    assert format_share(missing) == MISSING
    assert format_euros(missing) == MISSING


def test_units() -> None:
    assert format_value(0.3468, "part (0–1)") == f"34,7{NBSP}%"
    assert format_value(14119.9, "€ par an et par personne") == f"14{THIN}120{NBSP}€/an"
    assert format_value(25.76, "m² par personne") == f"25,8{NBSP}m²/pers."
    assert format_value(7.17, "jours par an") == f"7,2{NBSP}j/an"
    assert format_value(2.0, "score 0–4") == f"2,00{NBSP}sur 4"
    assert format_value(412.4, "m") == f"412{NBSP}m"
    assert format_value(0.4776, "indice 0–1") == "0,48"
    assert format_value(0.4776, "0–1") == "0,48"
    assert format_value(0.4776, "") == "0,48"
    assert format_value(12.0, "rang") == "12"
    assert format_value(1.54, "unité inconnue") == f"1,5{NBSP}unité inconnue"
    assert display_unit("part (0–1)") == "%" and display_unit("jours par an") == "j/an"
    assert format_share(0.3499) == f"35,0{NBSP}%" and format_share(0.8, 0) == f"80{NBSP}%"


def test_gaps_are_signed_and_shares_in_points() -> None:
    assert format_gap(0.348, "part (0–1)") == f"+34,8{NBSP}pt"
    assert format_gap(-0.348, "part (0–1)") == f"−34,8{NBSP}pt"
    assert format_gap(-5237.2, "€ par an et par personne") == f"−5{THIN}237{NBSP}€/an"
    assert format_gap(0.12, "") == "+0,12"
    assert format_gap(0.0, "m") == f"0{NBSP}m"


def test_gap_rounding_to_zero_has_no_sign() -> None:
    assert format_gap(-1e-6, "jours par an") == f"0,0{NBSP}j/an"
    assert format_gap(2e-5, "part (0–1)") == f"0,0{NBSP}pt"


def test_euros_round_to_the_hundred_from_ten_thousand() -> None:
    assert format_euros(1234.4) == f"1{THIN}234{NBSP}€"
    assert format_euros(12_345) == f"12{THIN}300{NBSP}€"
    assert format_euro_range(0.0, 0.0) == f"0{NBSP}€"
    assert format_euro_range(500, 12_345) == f"500{NBSP}€ à 12{THIN}300{NBSP}€"


def test_ratio_and_ordinal_and_date() -> None:
    assert format_ratio(3.8288) == "×3,83"
    assert format_ratio(1.349) == "×1,35"
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
