"""Shared reader helpers: numbers written the French way, codes, names, CSV sniffing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.errors import InputError
from quartiers.sources._text import clean_code, column_map, parse_numbers, sniff_text
from quartiers.text import fold


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_thousands_separators_parse_back(values: list[int]) -> None:
    for sep in (" ", "\u00a0", "\u202f"):
        text = pd.Series([f"{v:,}".replace(",", sep) for v in values])
        assert parse_numbers(text, path=Path("t.csv"), field="population").tolist() == values


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: round(v, 3)))
def test_decimal_comma(value: float) -> None:
    text = pd.Series([f"{value:.3f}".replace(".", ",")])
    assert parse_numbers(text, path=Path("t.csv"), field="x").iloc[0] == pytest.approx(value)


@given(st.integers(min_value=1, max_value=99_999))
def test_codes_keep_their_leading_zeros(code: int) -> None:
    assert clean_code(pd.Series([code]), width=5).iloc[0] == f"{code:05d}"
    assert clean_code(pd.Series([f"{code}.0"]), width=5).iloc[0] == f"{code:05d}"


def test_corsica_codes_untouched() -> None:
    assert clean_code(pd.Series(["2A004", " 2B033 "]), width=5).tolist() == ["2A004", "2B033"]


@given(st.text(alphabet="abcdeéèàçô -'", min_size=1, max_size=30))
def test_fold_ignores_case_accents_and_punctuation(name: str) -> None:
    assert fold(name.upper()) == fold(name)
    assert fold(name.replace("-", " ").replace("'", " ")) == fold(name)
    assert not any(c in fold(name) for c in "éèàçô-'")


def test_column_map_is_case_insensitive_and_lists_what_is_there() -> None:
    cols = column_map(
        ["IdINSPIRE", "Ind"],
        {"id": ("idcar_200m", "idinspire"), "ind": ("ind",)},
        path=Path("f.csv"),
        what="x",
    )
    assert cols == {"id": "IdINSPIRE", "ind": "Ind"}
    with pytest.raises(
        InputError, match=r"f\.csv : champ\(s\) manquant\(s\) men .*présents : a, b"
    ):
        column_map(["a", "b"], {"men": ("men",)}, path=Path("f.csv"), what="x")


def test_sniff_text_accepts_bom_and_reports_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa;b\r\n1;2\r\n")
    assert sniff_text(path, encodings=("utf-8",), what="x") == ("utf-8-sig", "a;b")
    path.write_bytes(b"a;b\n\xe9;2\n")
    with pytest.raises(InputError, match=r"octet 0xE9 ligne 2"):
        sniff_text(path, encodings=("utf-8",), what="x")
