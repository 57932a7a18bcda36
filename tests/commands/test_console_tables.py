"""The tables and notes ``quartiers diagnose`` prints stay readable for 1,600 QPV."""

from __future__ import annotations

import pandas as pd
import pytest

from quartiers.commands import _tables
from quartiers.commands._tables import LISTED_CODES, robustness_table, summary_table

_MISSING = "l'indice n'a pas la dimension exposition, que les autres QPV ont : publié à part"


def _apart(n_same: int) -> pd.DataFrame:
    codes = [f"QZ{i:05d}A" for i in range(n_same)] + ["QZ99999A"]
    return pd.DataFrame(
        {
            "code_qp": codes,
            "lib_qp": [f"Quartier {c}" for c in codes],
            "status_detail": [_MISSING] * n_same + ["l'indice n'a pas la dimension ressources"],
        }
    )


def test_one_line_per_reason_naming_the_first_codes() -> None:
    lines = _tables._apart_lines(_apart(LISTED_CODES + 5), zones=False)
    assert len(lines) == 2
    first, single = lines
    assert first.startswith(f"{LISTED_CODES + 5} QPV publiés à part (QZ00000A, QZ00001A,")
    assert f"QZ{LISTED_CODES - 1:05d}A… ; liste complète dans qpv.csv" in first
    assert f"QZ{LISTED_CODES:05d}A" not in first and first.endswith(f") : {_MISSING}")
    assert single == (
        "QPV QZ99999A (Quartier QZ99999A) publié à part : l'indice n'a pas la dimension ressources"
    )


def test_a_few_qpv_with_the_same_reason_are_all_named() -> None:
    lines = _tables._apart_lines(_apart(3), zones=True)
    assert lines[0] == f"3 zones publiées à part (QZ00000A, QZ00001A, QZ00002A) : {_MISSING}"
    assert lines[1].startswith("Zone QZ99999A (Quartier QZ99999A) publiée à part : ")


def test_long_tables_show_the_first_rows_and_say_where_the_others_are(
    demo_run: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    diag = demo_run.diagnostic  # type: ignore[attr-defined]
    n = len(diag.qpv)
    whole = summary_table(diag)
    assert whole.row_count == n and not str(whole.caption).startswith("Les ")
    monkeypatch.setattr(_tables, "CONSOLE_ROWS", n - 1)
    cut = summary_table(diag)
    assert cut.row_count == n - 1
    assert str(cut.caption).startswith(f"Les {n - 1} premiers des {n} QPV ; tous dans qpv.csv")
    robust = robustness_table(diag)
    assert robust is not None
    ranked = int(diag.qpv_table()["rank"].notna().sum())
    assert robust.row_count == min(ranked, n - 1)
