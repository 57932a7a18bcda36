from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.report._format import (
    NOT_AVAILABLE,
    count,
    display_value,
    gap,
    number,
    percent,
    ratio,
)


def _parse(text: str) -> float:
    return float(text.replace("\u202f", "").replace("\u2212", "-").replace(",", "."))


@pytest.mark.parametrize("missing", [None, math.nan, float("inf"), pd.NA, "abc"])
def test_missing_values_are_never_zero(missing: object) -> None:
    for out in (
        number(missing),
        count(missing),
        percent(missing),
        ratio(missing),
        display_value(missing, "m"),
        gap(missing, "part (0–1)"),
    ):
        assert out == NOT_AVAILABLE


def test_french_notation() -> None:
    assert number(12345.67, 1) == "12\u202f345,7"
    assert number(-1234.5, 1) == "\u22121\u202f234,5"
    assert percent(0.3499) == "35,0\u202f%"
    assert display_value(14120.4, "€ par an et par personne") == "14\u202f120\u202f€/an"
    assert display_value(2.0, "score 0–4") == "2,00\u202fsur 4"
    assert gap(-0.348, "part (0–1)") == "\u221234,8\u202fpt"
    assert gap(0.12, "") == "+0,12"
    assert ratio(1.349) == "×\u202f1,35"


def test_gap_rounding_to_zero_has_no_sign() -> None:
    assert gap(-1e-6, "jours par an") == "0,0\u202fj/an"
    assert gap(2e-5, "part (0–1)") == "0,0\u202fpt"
    assert number(-0.0001, 1) == "0,0"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_number_round_trips(value: float, digits: int) -> None:
    assert _parse(number(value, digits)) == pytest.approx(round(value, digits), abs=10**-digits)
