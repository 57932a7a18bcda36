"""Fast path of the national Filosofi read (issue 16): the same table as the general rules.

A clean block (valid ids, 0/1 flags, alphanumeric commune lists, plain numbers) is converted
straight from Arrow, and the value rules are checked in numpy before pandera; any other block
or value goes through the general reader. These tests read each file both ways and compare.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.errors import InputError
from quartiers.schemas import FILOSOFI_COUNTS
from quartiers.sources import filosofi
from quartiers.sources import validation as v

EXTRACT = "filosofi/filosofi2021_200m_la_roche_sur_yon_core.csv"


def _table(n: int = 4) -> pd.DataFrame:
    rows = []
    for i in range(n):
        row: dict[str, object] = {
            "idcar_200m": f"CRS3035RES200mN2680000E{3_450_000 + 200 * i}",
            "i_est_200": i % 2,
            "lcog_geo": "8519185008",
        }
        row.update({name: float(i + 1) + 0.1 for name in FILOSOFI_COUNTS})
        row.update({"ind": 50.5 + i, "men": 20.0 + i})
        rows.append(row)
    return pd.DataFrame(rows)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Read ``path`` with the fast path, then with the general rules only; fast blocks used."""
    used = []
    clean = filosofi.clean_block

    def counting(*args: object) -> pd.DataFrame | None:
        out = clean(*args)  # type: ignore[arg-type]
        used.append(out is not None)
        return out

    monkeypatch.setattr(filosofi, "clean_block", counting)
    fast = filosofi.read_filosofi(path)
    monkeypatch.setattr(filosofi, "clean_block", lambda *args: None)
    monkeypatch.setattr(filosofi, "_rules_hold", lambda cells: False)
    general = filosofi.read_filosofi(path)
    return fast, general, sum(used)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    assert bool((a.geometry.values == b.geometry.values).all())


def test_real_extract_same_table_both_ways(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, general, used = _both(shared_data / EXTRACT, monkeypatch)
    assert used == 1
    _same(fast, general)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("idcar_200m", " CRS3035RES200mN2680000E3450000 "),  # spaces around an id
        ("i_est_200", "true"),  # a flag spelt otherwise
        ("lcog_geo", " 85191"),  # a commune list with a space
        ("men_pauv", "1,5"),  # a decimal comma
        ("men_pauv", ""),  # an empty count
        ("men_pauv", " 2.5 "),  # spaces around a number
    ],
)
def test_unusual_values_take_the_general_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: str
) -> None:
    table = _table().astype(str)
    table.loc[0, column] = value
    path = tmp_path / "carreaux.csv"
    table.to_csv(path, index=False)
    fast, general, used = _both(path, monkeypatch)
    _same(fast, general)
    assert used == (1 if column == "men_pauv" and value == " 2.5 " else 0)


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("men_pauv", "-1", "valeur négative"),
        ("men_pauv", "30", "ménages pauvres plus nombreux que les ménages"),
        ("ind_0_3", "20000", "valeur supérieure à 10"),
        ("men_surf", "inf", "valeur infinie"),
    ],
)
def test_broken_rules_still_named_by_pandera(
    tmp_path: Path, column: str, value: str, said: str
) -> None:
    table = _table().astype(str)
    table.loc[1, column] = value
    path = tmp_path / "carreaux.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match=said) as err:
        filosofi.read_filosofi(path)
    assert f"champ {column}" in str(err.value)


def test_duplicate_cell_still_refused(tmp_path: Path) -> None:
    table = _table()
    table.loc[2, "idcar_200m"] = table.loc[0, "idcar_200m"]
    path = tmp_path / "carreaux.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match="en double"):
        filosofi.read_filosofi(path)


_NUMBER = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(-float("inf")),
    st.floats(min_value=-5, max_value=30, allow_nan=False),
    st.floats(min_value=9_990, max_value=10_010, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_NUMBER, min_size=4, max_size=4), min_size=1, max_size=4))
def test_numpy_rules_pass_only_when_pandera_passes(rows: list[list[float]]) -> None:
    frame = pd.DataFrame({name: np.full(len(rows), 5.0) for name in FILOSOFI_COUNTS})
    frame["ind"], frame["men"] = 100.0, 40.0
    for column, values in zip(
        ("ind", "men", "men_pauv", "ind_snv"), zip(*rows, strict=True), strict=True
    ):
        frame[column] = np.asarray(values, dtype="float64")
    frame.insert(0, "idcar_200m", [f"c{i}" for i in range(len(rows))])
    try:
        v.check_values(frame, filosofi.value_rules(), path="f", id_column="idcar_200m")
    except InputError:
        assert not filosofi._rules_hold(frame)
    else:
        assert filosofi._rules_hold(frame)
