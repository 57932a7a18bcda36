"""Health outcomes file (--source sante): documented format, French refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.sources.sante import read_health

_HEAD = "unit_type;unit_code;period;outcome;count;population;geometry_wkt\n"
_SQUARE = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"


def _write(tmp_path: Path, body: str, head: str = _HEAD) -> Path:
    path = tmp_path / "sante.csv"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_reads_every_unit_type(tmp_path: Path) -> None:
    t = read_health(
        _write(
            tmp_path,
            f"iris;850010101;été 2023;passages;4;1200;{_SQUARE}\n"
            "commune;85191;été 2023;passages;30;;\n"
            "QPV;qn08503i;été 2023;deces_exces;2;;\n",
        )
    )
    assert t["unit_type"].tolist() == ["iris", "commune", "qpv"]
    assert t["unit_code"].tolist() == ["850010101", "85191", "QN08503I"]
    assert t["count"].tolist() == [4.0, 30.0, 2.0]
    assert t["geometry"].iloc[0].area == 100.0
    assert t["geometry"].iloc[1] is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("ilot;1;p;o;1;;\n", "champ unit_type (ligne 2) — attendu iris, commune ou qpv"),
        ("qpv;Q1;p;o;-1;;\n", "champ count (ligne 2) — attendu un entier ≥ 0"),
        ("qpv;Q1;p;o;1.5;;\n", "attendu un entier ≥ 0"),
        ("qpv;Q1;;o;1;;\n", "champ period (ligne 2) — attendu une valeur non vide"),
        ("qpv;Q1;p;o;1;0;\n", "champ population (ligne 2) — attendu un nombre > 0"),
        ("iris;1;p;o;1;;\n", "champ geometry_wkt (ligne 2) — attendu un contour WKT"),
        ("iris;1;p;o;1;;POLYGON ((0 0\n", "attendu un contour WKT lisible"),
        ("qpv;Q1;p;o;1;;\nqpv;Q1;p;o;2;;\n", "ligne 3 en double"),
    ],
)
def test_bad_rows_refused_in_french(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        read_health(_write(tmp_path, body))
    assert words in str(err.value)
    assert "sante.csv" in str(err.value)


def test_iris_without_contour_column_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "iris;1;p;o;1\n", head="unit_type;unit_code;period;outcome;count\n")
    with pytest.raises(InputError, match="geometry_wkt absent"):
        read_health(path)
