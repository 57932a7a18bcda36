"""BPE reader: 2024 layout (per-row EPSG, Latin-1), ≤ 2021 layout, categories, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.errors import InputError
from quartiers.schemas import BPE_COLUMNS
from quartiers.sources.bpe import CATEGORIES, read_bpe

HEADER_2024 = (
    "AN;NOMRS;CNOMRS;TYPEQU;DEPCOM;DEP;LAMBERT_X;LAMBERT_Y;EPSG;QUALITE_XY;LONGITUDE;LATITUDE"
)
ROWS_2024 = [
    "2024;PHARMACIE DE LA GARE;;D307;85191;85;360500.2;6627800.4;2154;A;-1.43;46.67",
    "2024;MÉDIATHÈQUE BENJAMIN-RABIER;;F307;85191;85;361000;6628000;2154;A;-1.42;46.67",
    "2024;ÉCOLE;;C108;85191;85;361200;6628100;2154;B;-1.42;46.67",
    "2024;MAIRIE;;A129;85191;85;;;2154;_Z;;",
    "2024;PHARMACIE DU PORT;;D307;97411;974;338000;7689000;2975;A;55.45;-20.88",
]


def _write(path: Path, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def test_2024_layout_latin1_categories_and_overseas(tmp_path: Path) -> None:
    bpe = read_bpe(_write(tmp_path / "BPE24.csv", HEADER_2024, ROWS_2024, "latin-1"))
    assert list(bpe.columns) == BPE_COLUMNS
    assert bpe.crs.to_epsg() == 2154
    assert len(bpe) == 4  # the town hall without coordinates is dropped
    assert bpe["category"].tolist() == ["care", "cool_indoor", "", "care"]
    assert bpe.loc[1, "nomrs"] == "MÉDIATHÈQUE BENJAMIN-RABIER"
    assert bpe.loc[0, "geometry"].x == pytest.approx(360500.2)
    # Réunion (UTM 40S) reprojected to Lambert-93: far away, but finite.
    assert bpe.loc[3, "depcom"] == "97411" and bpe.loc[3, "geometry"].is_valid


def test_bbox_keeps_the_territory(tmp_path: Path) -> None:
    path = _write(tmp_path / "BPE24.csv", HEADER_2024, ROWS_2024)
    bpe = read_bpe(path, bbox_2154=(360_000, 6_627_000, 361_100, 6_628_050))
    assert bpe["typequ"].tolist() == ["D307", "F307"]
    empty = read_bpe(path, bbox_2154=(0, 0, 1, 1))
    assert empty.empty and list(empty.columns) == BPE_COLUMNS


def test_2021_layout_without_epsg_uses_old_codes(tmp_path: Path) -> None:
    header = "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY"
    rows = [
        "52;85;85191;85191_0101;2021;D301;360500;6627800;Bonne",
        "52;85;85191;85191_0101;2021;D201;360600;6627900;Acceptable",
        "52;85;85191;85191_0101;2021;D307;360700;6628000;Bonne",
    ]
    bpe = read_bpe(_write(tmp_path / "bpe21_ensemble_xy.csv", header, rows))
    assert bpe["category"].tolist() == ["care", "care", ""]
    assert bpe["nomrs"].tolist() == ["", "", ""]
    assert bpe["qualite_xy"].tolist() == ["Bonne", "Acceptable", "Bonne"]


def test_mapping_covers_the_documented_codes() -> None:
    assert {CATEGORIES[c] for c in ("D307", "D265", "D101", "D106")} == {"care"}
    assert {CATEGORIES[c] for c in ("F307", "F303", "F312", "F101")} == {"cool_indoor"}
    assert {CATEGORIES[c] for c in ("A129", "A128")} == {"information"}
    codes = ("B105", "B201", "B202", "B204", "B207", "B208")
    assert {CATEGORIES[c] for c in codes} == {"fresh_food"}
    assert set(CATEGORIES.values()) <= {"care", "cool_indoor", "information", "fresh_food"}


def test_comma_separated_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "bpe.csv", HEADER_2024.replace(";", ","), [])
    with pytest.raises(InputError, match=r"bpe\.csv : séparateur « , ».*attendu « ; »"):
        read_bpe(path)


def test_missing_coordinates_column(tmp_path: Path) -> None:
    header = HEADER_2024.replace("LAMBERT_Y", "Y")
    path = _write(tmp_path / "bpe.csv", header, ROWS_2024[:1])
    with pytest.raises(InputError, match=r"bpe\.csv : champ\(s\) manquant\(s\) LAMBERT_Y"):
        read_bpe(path)


def test_bad_coordinate_and_unknown_epsg(tmp_path: Path) -> None:
    row = ROWS_2024[0].replace("360500.2", "3605OO")
    with pytest.raises(InputError, match=r"'3605OO' dans le champ LAMBERT_X"):
        read_bpe(_write(tmp_path / "a.csv", HEADER_2024, [row]))
    row = ROWS_2024[0].replace(";2154;", ";999999;")
    with pytest.raises(InputError, match="code EPSG 999999 inconnu"):
        read_bpe(_write(tmp_path / "b.csv", HEADER_2024, [row]))


def test_no_facility_at_all(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="aucun équipement géolocalisé"):
        read_bpe(_write(tmp_path / "vide.csv", HEADER_2024, [ROWS_2024[3]]))
