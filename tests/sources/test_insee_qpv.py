"""INSEE per-QPV figures: reader (INSEE spellings, secret values, errors) and comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from _synthetic import environment_layers, make_territory
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.diagnostic.run import run_diagnostic
from quartiers.errors import InputError
from quartiers.sources.insee_qpv import read_insee_qpv

_FAST = RobustnessOptions(uncertainty=False, hotspots=False)


def _write(tmp_path: Path, text: str, name: str = "insee.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_insee_layout_with_secret_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "CODGEO;LIBGEO;POP_MUN;DISP_TP6021\n"
        "QN08503I;Liberté;2 345;41,5\n"
        "qn08502i;Jean-Yole;1200;s\n",
    )
    t = read_insee_qpv(path)
    assert list(t.columns) == ["code_qp", "population", "poverty_rate"]
    assert t["code_qp"].tolist() == ["QN08503I", "QN08502I"]
    np.testing.assert_allclose(t["population"], [2345.0, 1200.0])
    assert t["poverty_rate"].iloc[0] == pytest.approx(0.415)
    assert np.isnan(t["poverty_rate"].iloc[1])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("code_qp;autre\nQN1;3\n", "aucun indicateur reconnu"),
        ("nom;poverty_rate\nx;3\n", "champ(s) manquant(s) code_qp ou CODGEO"),
        ("code_qp;poverty_rate\nQN1;130\n", "hors de 0–100 dans le champ poverty_rate"),
        ("code_qp;poverty_rate\nQN1;abc\n", "valeur non numérique 'abc' dans le champ"),
        ("code_qp;population\nQN1;3\nQN1;4\n", "QPV QN1 en double (champ code_qp)"),
    ],
)
def test_bad_files_refused_in_french(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        read_insee_qpv(_write(tmp_path, text))
    assert words in str(err.value)
    assert "insee.csv" in str(err.value)


def test_comparison_columns_and_table(tmp_path: Path) -> None:
    inputs = make_territory(**environment_layers())
    codes = sorted(inputs.qpv["code_qp"].astype(str))
    lines = ["code_qp;population;poverty_rate;share_65p"]
    lines += [f"{c};{1000 + 10 * i};{30 + i};{12}" for i, c in enumerate(codes)]
    inputs.insee_qpv = read_insee_qpv(_write(tmp_path, "\n".join(lines) + "\n"))
    diag = run_diagnostic(inputs, robustness=_FAST)
    qpv = diag.qpv
    for col in ("insee_population", "insee_poverty_rate", "insee_share_65p"):
        assert col in qpv.columns
    record = diag.run["validation_insee"]
    assert record["indicators"] == ["population", "poverty_rate", "share_65p"]
    rows = {(r["code_qp"], r["indicator"]): r for r in record["rows"]}
    first = rows[(codes[0], "population")]
    assert first["gap_area"] == pytest.approx(first["ours_area"] - 1000.0)
    assert first["ours_area"] == pytest.approx(float(qpv["population_area"].iloc[0]))
    assert first["ours_buildings"] == pytest.approx(float(qpv["population_buildings"].iloc[0]))
    # poverty: persons (INSEE) vs households (ours): ranks only, no level gap
    assert rows[(codes[0], "poverty_rate")]["comparable"] == "rang"
    assert rows[(codes[0], "poverty_rate")]["gap_area"] is None
    assert "personnes" in record["ranks"]["poverty_rate"]["note"]
    assert record["missing"] == []


def test_no_file_no_columns() -> None:
    diag = run_diagnostic(make_territory(), robustness=_FAST)
    assert "insee_population" not in diag.qpv.columns
    assert "validation_insee" not in diag.run
