"""Filosofi values: impossible counts are refused with one French message (issue 13, point 2)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from quartiers.errors import InputError
from quartiers.sources.filosofi import MAX_PEOPLE_PER_CELL, read_filosofi

AGES = ["ind_0_3", "ind_4_5", "ind_6_10", "ind_11_17", "ind_18_24", "ind_25_39"]
AGES += ["ind_40_54", "ind_55_64", "ind_65_79", "ind_80p"]


def cells(n: int = 4) -> pd.DataFrame:
    """Consistent 2021-layout cells: 100 people, 40 households, 10 of them poor."""
    rows = []
    for i in range(n):
        row: dict[str, object] = {
            "idcar_200m": f"CRS3035RES200mN2680000E{3_450_000 + 200 * i}",
            "i_est_200": 0,
            "lcog_geo": "85191",
            "ind": 100.0,
            "men": 40.0,
            "men_pauv": 10.0,
            "men_1ind": 12.0,
            "men_5ind": 3.0,
            "men_prop": 15.0,
            "men_fmp": 4.0,
            "ind_snv": 2_300_000.0,
            "men_surf": 3_000.0,
            "men_coll": 30.0,
            "men_mais": 10.0,
            "log_av45": 10.0,
            "log_45_70": 10.0,
            "log_70_90": 10.0,
            "log_ap90": 10.0,
            "log_inc": 0.0,
            "log_soc": 20.0,
            "ind_inc": 0.0,
        }
        row.update(dict.fromkeys(AGES, 10.0))
        rows.append(row)
    return pd.DataFrame(rows)


def refused(tmp_path: Path, table: pd.DataFrame, name: str = "carreaux.csv") -> str:
    path = tmp_path / name
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        read_filosofi(path)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_consistent_cells_pass(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    cells().to_csv(path, index=False)
    assert len(read_filosofi(path)) == 4


def test_negative_poor_households(tmp_path: Path) -> None:
    table = cells()
    table.loc[2, "men_pauv"] = -5
    message = refused(tmp_path, table)
    assert message.startswith(f"{tmp_path / 'carreaux.csv'} : champ men_pauv — 1 ligne(s)")
    assert "valeur négative" in message
    assert "première : carreau CRS3035RES200mN2680000E3450400" in message


def test_more_poor_households_than_households(tmp_path: Path) -> None:
    table = cells()
    table.loc[[1, 3], "men_pauv"] = [41.0, 400.0]
    message = refused(tmp_path, table)
    assert "champ men_pauv — 2 ligne(s)" in message
    assert "ménages pauvres plus nombreux que les ménages (men_pauv > men)" in message
    assert "première : carreau CRS3035RES200mN2680000E3450200" in message


def test_people_above_any_plausible_cell(tmp_path: Path) -> None:
    table = cells()
    table.loc[0, "ind"] = 1e308
    message = refused(tmp_path, table)
    assert "champ ind — 1 ligne(s)" in message
    assert f"supérieure à {MAX_PEOPLE_PER_CELL:,}".replace(",", "\u202f") in message
    assert "carreau CRS3035RES200mN2680000E3450000" in message


def test_age_band_above_the_cell_maximum(tmp_path: Path) -> None:
    table = cells()
    table.loc[3, ["ind", "ind_25_39"]] = [20_000.0, 19_910.0]
    message = refused(tmp_path, table)
    assert "champ ind — 1 ligne(s)" in message
    assert "autres règles non respectées dans : ind_25_39" in message


def test_age_band_above_the_people(tmp_path: Path) -> None:
    table = cells()
    table.loc[1, "ind_80p"] = 150.0
    message = refused(tmp_path, table)
    assert "champ ind_80p — 1 ligne(s)" in message
    assert "individus de 80 ans ou plus plus nombreux que les individus" in message


def test_infinite_households(tmp_path: Path) -> None:
    table = cells()
    table["men"] = table["men"].astype(object)
    table.loc[1, "men"] = "inf"
    message = refused(tmp_path, table)
    assert "champ men — 1 ligne(s) : valeur infinie" in message
    assert "carreau CRS3035RES200mN2680000E3450200" in message


def test_message_uses_the_file_spelling(tmp_path: Path) -> None:
    table = cells().rename(columns={"men_pauv": "Men_pauv", "idcar_200m": "IdINSPIRE"})
    table.loc[0, "Men_pauv"] = -1
    assert "champ Men_pauv — 1 ligne(s)" in refused(tmp_path, table)


def test_duplicated_cells(tmp_path: Path) -> None:
    table = cells()
    table = pd.concat([table, table.iloc[[2, 3]]], ignore_index=True)
    message = refused(tmp_path, table)
    assert "champ idcar_200m — 2 ligne(s) : identifiant en double" in message
    assert "première : carreau CRS3035RES200mN2680000E3450400" in message


def test_only_cells_of_the_territory_are_checked(tmp_path: Path) -> None:
    table = cells()
    table.loc[3, "men_pauv"] = -5  # outside the box below: not read, not refused
    path = tmp_path / "national.csv"
    table.to_csv(path, index=False)
    kept = read_filosofi(path, bbox_3035=(3_450_000.0, 2_680_000.0, 3_450_500.0, 2_680_200.0))
    assert len(kept) == 3


def test_geopackage_values_are_checked(tmp_path: Path) -> None:
    table = cells()
    table.loc[0, "men"] = -3.0
    frame = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy([0] * 4, [0] * 4), crs="EPSG:3035")
    path = tmp_path / "carreaux_200m.gpkg"
    frame.to_file(path, layer="carreaux_200m_met")
    with pytest.raises(InputError, match=r"carreaux_200m\.gpkg : champ men — 1 ligne\(s\)"):
        read_filosofi(path)
