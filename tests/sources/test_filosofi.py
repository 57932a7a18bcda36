"""Filosofi 200 m reader: the real La Roche-sur-Yon extract, every vintage's names, bad files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from quartiers.errors import InputError
from quartiers.schemas import FILOSOFI_COLUMNS, FILOSOFI_COUNTS
from quartiers.sources.filosofi import read_filosofi

EXTRACT = "filosofi/filosofi2021_200m_la_roche_sur_yon_core.csv"


def _table(n: int = 3, *, x0: int = 3_450_000, y0: int = 2_680_000) -> pd.DataFrame:
    rows = []
    for i in range(n):
        x, y = x0 + 200 * i, y0
        row: dict[str, object] = {
            "idcar_200m": f"CRS3035RES200mN{y}E{x}",
            "idcar_1km": "CRS3035RES1000mN2680000E3450000",
            "idcar_nat": f"CRS3035RES2000mN{y}E{x}",
            "i_est_200": i % 2,
            "i_est_1km": 0,
            "lcog_geo": "8519185008",
        }
        row.update({name: float(i + 1) for name in FILOSOFI_COUNTS})
        rows.append(row)
    return pd.DataFrame(rows)


def test_real_extract_totals(shared_data: Path) -> None:
    cells = read_filosofi(shared_data / EXTRACT)
    assert list(cells.columns) == FILOSOFI_COLUMNS
    assert len(cells) == 530
    assert cells["ind"].sum() == pytest.approx(48_438, abs=0.5)
    assert round(cells["men"].sum()) == 24_514
    assert round(cells["men_pauv"].sum()) == 3_808
    assert cells["ind_snv"].sum() / cells["ind"].sum() == pytest.approx(23_436, abs=1)
    assert cells.crs.to_epsg() == 3035
    assert cells["imputed"].dtype == bool and 0 < cells["imputed"].sum() < len(cells)
    ages = [c for c in FILOSOFI_COUNTS if c.startswith("ind_") and c != "ind_snv"]
    np.testing.assert_allclose(cells[ages].sum(axis=1), cells["ind"], atol=0.6)
    # Geometry rebuilt from the id: 200 m squares whose south-west corner is (x_sw, y_sw).
    assert np.allclose(cells.geometry.area, 40_000)
    first = cells.iloc[0]
    assert first.geometry.bounds[:2] == (first["x_sw"], first["y_sw"])


def test_real_extract_bbox_keeps_only_intersecting_cells(shared_data: Path) -> None:
    all_cells = read_filosofi(shared_data / EXTRACT)
    bbox = (3_449_000.0, 2_684_000.0, 3_451_000.0, 2_686_000.0)
    cells = read_filosofi(shared_data / EXTRACT, bbox_3035=bbox)
    expected = all_cells[
        all_cells.intersects(shapely.box(*bbox)) & ~all_cells.touches(shapely.box(*bbox))
    ]
    assert set(cells["idcar_200m"]) == set(expected["idcar_200m"])
    assert 0 < len(cells) < len(all_cells)


def test_2015_capitalised_names(tmp_path: Path) -> None:
    table = _table().rename(
        columns={"idcar_200m": "IdINSPIRE", "i_est_200": "I_est_cr", "lcog_geo": "Depcom"}
    )
    table.columns = [c[0].upper() + c[1:] for c in table.columns]
    path = tmp_path / "Filosofi2015_carreaux_200m_metropole.csv"
    table.to_csv(path, index=False)
    cells = read_filosofi(path)
    assert list(cells["imputed"]) == [False, True, False]
    assert cells["men"].tolist() == [1.0, 2.0, 3.0]
    assert cells["lcog_geo"].iloc[0] == "8519185008"


def test_geopackage_with_bbox_and_other_layers(tmp_path: Path) -> None:
    table = _table(5)
    xy = table["idcar_200m"].str.extract(r"N(\d+)E(\d+)").astype(int)
    # GeoPackage geometries are ignored: the id is the truth (here points at the centre).
    frame = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(xy[1] + 100, xy[0] + 100), crs="EPSG:3035"
    )
    path = tmp_path / "carreaux_200m.gpkg"
    frame.to_file(path, layer="carreaux_200m_met")
    frame.iloc[:1].to_file(path, layer="metadonnees")
    cells = read_filosofi(path)
    assert len(cells) == 5 and cells.geometry.iloc[0].area == 40_000
    bbox = (3_450_250.0, 2_680_000.0, 3_450_500.0, 2_680_200.0)
    assert read_filosofi(path, bbox_3035=bbox)["x_sw"].tolist() == [3_450_200, 3_450_400]


def test_semicolon_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    _table().to_csv(path, index=False, sep=";")
    with pytest.raises(InputError) as err:
        read_filosofi(path)
    msg = str(err.value)
    assert "excel.csv" in msg and "séparateur « ; »" in msg and "attendu « , »" in msg


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    table = _table()
    table["lcog_geo"] = "Élancourt"
    path = tmp_path / "latin1.csv"
    table.to_csv(path, index=False, encoding="latin-1")
    with pytest.raises(InputError) as err:
        read_filosofi(path)
    msg = str(err.value)
    assert "latin1.csv" in msg and "encodage" in msg and "0xC9" in msg and "UTF-8" in msg


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sans_pauv.csv"
    _table().drop(columns="men_pauv").to_csv(path, index=False)
    with pytest.raises(InputError, match=r"sans_pauv\.csv : champ\(s\) manquant\(s\) men_pauv"):
        read_filosofi(path)


def test_bad_identifier_flag_and_number(tmp_path: Path) -> None:
    table = _table()
    table.loc[1, "idcar_200m"] = "CRS3035RES1000mN2680000E3450000"
    table.to_csv(tmp_path / "id.csv", index=False)
    with pytest.raises(InputError, match=r"id\.csv.*idcar_200m.*200 m"):
        read_filosofi(tmp_path / "id.csv")
    table = _table()
    table["i_est_200"] = table["i_est_200"].astype(object)
    table.loc[0, "i_est_200"] = "oui"
    table.to_csv(tmp_path / "flag.csv", index=False)
    with pytest.raises(InputError, match=r"'oui' dans le champ i_est_200 — attendu 0"):
        read_filosofi(tmp_path / "flag.csv")
    table = _table()
    table["men"] = table["men"].astype(object)
    table.loc[2, "men"] = "douze"
    table.to_csv(tmp_path / "num.csv", index=False)
    with pytest.raises(InputError, match=r"'douze' dans le champ men \(ligne 4\)"):
        read_filosofi(tmp_path / "num.csv")


def test_duplicate_and_empty(tmp_path: Path) -> None:
    table = _table()
    pd.concat([table, table.iloc[:1]]).to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(InputError, match="en double"):
        read_filosofi(tmp_path / "dup.csv")
    table.iloc[:0].to_csv(tmp_path / "vide.csv", index=False)
    with pytest.raises(InputError, match=r"vide\.csv : aucun carreau"):
        read_filosofi(tmp_path / "vide.csv")


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "carreaux.zip"
    path.write_bytes(b"PK")
    with pytest.raises(InputError, match="décompressez"):
        read_filosofi(path)


@settings(max_examples=25, deadline=None)
@given(
    cells=st.sets(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=40),
    people=st.floats(40, 500, allow_nan=False),  # at least the households (≤ 40)
    window=st.tuples(st.integers(0, 6200), st.integers(0, 6200), st.integers(1, 3000)),
)
def test_bbox_filter_conserves_the_cells_it_keeps(
    tmp_path_factory: pytest.TempPathFactory,
    cells: set[tuple[int, int]],
    people: float,
    window: tuple[int, int, int],
) -> None:
    x0, y0 = 3_400_000, 2_600_000
    table = _table(len(cells))
    xs = [x0 + 200 * i for i, _ in sorted(cells)]
    ys = [y0 + 200 * j for _, j in sorted(cells)]
    table["idcar_200m"] = [f"CRS3035RES200mN{y}E{x}" for x, y in zip(xs, ys, strict=True)]
    table["ind"] = people
    path = tmp_path_factory.mktemp("f") / "grid.csv"
    table.to_csv(path, index=False)
    full = read_filosofi(path)
    assert full["ind"].sum() == pytest.approx(people * len(cells))
    wx, wy, size = window
    bbox = (x0 + wx, y0 + wy, x0 + wx + size, y0 + wy + size)
    kept = read_filosofi(path, bbox_3035=bbox)
    inside = [
        x + 200 > bbox[0] and x < bbox[2] and y + 200 > bbox[1] and y < bbox[3]
        for x, y in zip(xs, ys, strict=True)
    ]
    assert len(kept) == sum(inside)
    assert kept["ind"].sum() == pytest.approx(people * sum(inside))
