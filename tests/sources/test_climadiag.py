"""Climadiag reader: official entities.jsonl layout and the CSV extract."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.schemas import CLIMATE_COLUMNS, HORIZONS
from quartiers.sources.climadiag import read_climadiag

S3 = {  # data README: heat-wave days, reference → 2030 / 2050 / 2100
    "49007": (0.67, 7.35, 10.45, 17.55),
    "29232": (0.0, 6.2, 9.65, 18.6),
    "44184": (0.23, 6.65, 9.15, 17.5),
    "85191": (0.8, 6.95, 11.55, 20.15),
}


def _record(code: str = "85191", indicators: list[dict] | None = None) -> dict:
    if indicators is None:
        indicators = [
            {
                "id": "S3",
                "data": [
                    [{"ref": 0.8, "min": 3.1, "mean": 6.95, "max": 10.2}],
                    [{"ref": 0.8, "min": 6.0, "mean": 11.55, "max": 16.0}],
                    [{"ref": 0.8, "min": 12.5, "mean": 20.15, "max": 28.0}],
                ],
            },
            {
                "id": "S9",
                "data": [[{"ref": 2, "min": 3, "mean": 4, "max": 5}]] * 3,
            },
        ]
    return {
        "nom": "La Roche-sur-Yon",
        "identifiant_insee": code,
        "code_recherche": "85000",
        "identifiant_epci_parent": "248500589",
        "population": 57683,
        "indicateurs": indicators,
    }


def _pivot(table, indicator: str) -> dict[str, tuple[float, ...]]:
    sub = table[table["indicator"] == indicator].set_index(["insee_com", "horizon"])["value"]
    return {
        code: tuple(float(sub[(code, h)]) for h in HORIZONS)
        for code in sorted(set(table["insee_com"]))
    }


def test_real_csv_extract_heat_wave_days(shared_data: Path) -> None:
    table = read_climadiag(shared_data / "climate" / "climadiag_tracc_4communes.csv")
    assert list(table.columns) == CLIMATE_COLUMNS
    assert set(table["horizon"]) == set(HORIZONS)
    got = _pivot(table, "S3")
    assert set(got) == set(S3)
    for code, values in S3.items():
        assert got[code] == pytest.approx(values)
    assert {"S1", "S2", "S3", "S4", "R5_ete", "G4_ete", "icu"} <= set(table["indicator"])
    assert (table["source"] == "climadiag").all()
    only = read_climadiag(
        shared_data / "climate" / "climadiag_tracc_4communes.csv", codes=["85191"]
    )
    assert set(only["insee_com"]) == {"85191"}


def test_entities_jsonl_layout(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    lines = [json.dumps(_record()), "", json.dumps(_record("49007"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_climadiag(path)
    s3 = table[(table["insee_com"] == "85191") & (table["indicator"] == "S3")].set_index("horizon")
    assert s3.loc["ref", "value"] == 0.8 and math.isnan(s3.loc["ref", "low"])
    assert s3.loc["2050", ["value", "low", "high"]].tolist() == [11.55, 6.0, 16.0]
    assert s3.loc["2100", "value"] == 20.15
    assert set(table["indicator"]) == {"S3", "S9"}
    assert len(read_climadiag(path, codes=["49007"])) == 8


def test_single_json_record_and_epci_entities_skipped(tmp_path: Path) -> None:
    epci = _record("248500589")
    (tmp_path / "commune.json").write_text(json.dumps([_record(), epci]), encoding="utf-8")
    table = read_climadiag(tmp_path / "commune.json")
    assert set(table["insee_com"]) == {"85191"}


def test_bad_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    path.write_text(json.dumps(_record()) + "\n{pas du json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"entities\.jsonl : ligne 2 illisible"):
        read_climadiag(path)
    record = _record()
    del record["identifiant_insee"]
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(InputError, match="sans champ identifiant_insee"):
        read_climadiag(path)
    short = _record(indicators=[{"id": "S3", "data": [[{"ref": 1, "mean": 2}]]}])
    path.write_text(json.dumps(short), encoding="utf-8")
    with pytest.raises(
        InputError, match=r"indicateur S3 : champ data avec 1 horizon\(s\) — attendu 3"
    ):
        read_climadiag(path)
    nomean = _record(indicators=[{"id": "S3", "data": [[{"ref": 1}]] * 3}])
    path.write_text(json.dumps(nomean), encoding="utf-8")
    with pytest.raises(InputError, match="sans champ mean"):
        read_climadiag(path)


def test_bad_csv(tmp_path: Path) -> None:
    path = tmp_path / "climat.csv"
    path.write_text("nom;code_insee;s3_ref\nX;85191;1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"climat\.csv : séparateur « ; »"):
        read_climadiag(path)
    path.write_text("nom,code_insee,s3_ref\nX,85191,beaucoup\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'beaucoup' dans le champ s3_ref"):
        read_climadiag(path)
    path.write_text("nom,code_insee,autre\nX,85191,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="aucune colonne <indicateur>"):
        read_climadiag(path)
