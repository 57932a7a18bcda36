"""Archive members: zip, shapefile sidecars, nested archives, 7z (IGN layout), bad archives."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from quartiers.errors import SourceError
from quartiers.sources._archive import extract_member, is_archive


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_member_by_glob_in_subfolder(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "r942d",  # data.gouv short links have no extension: found by content
        {"GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson": b"{}", "LISEZMOI.txt": b""},
    )
    assert is_archive(archive)
    got = extract_member(
        archive, "*QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson", tmp_path / "x"
    )
    assert got.read_bytes() == b"{}" and got.name.endswith(".geojson")
    # A second call reuses the extraction.
    assert extract_member(archive, "*.geojson", tmp_path / "x") == got


def test_shapefile_comes_with_sidecars_and_skips_rasters(tmp_path: Path) -> None:
    members = {
        f"lcz/LCZ_SPOT_2022_La Rochelle.{ext}": ext.encode() for ext in ("shp", "shx", "dbf", "prj")
    }
    members["lcz/LCZ_SPOT_2022_La Rochelle_raster_1m5.tif"] = b"0" * 1000
    archive = _zip(tmp_path / "lcz-spot-2022-la-rochelle.zip", members)
    shp = extract_member(archive, "LCZ_SPOT_2022_*.shp", tmp_path / "x")
    assert sorted(p.suffix for p in shp.parent.iterdir()) == [".dbf", ".prj", ".shp", ".shx"]


def test_nested_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("carreaux_200m_met.csv", b"idcar_200m\n")
    archive = _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    got = extract_member(archive, "carreaux_200m_met.csv", tmp_path / "x")
    assert got.read_bytes() == b"idcar_200m\n"


def test_missing_member_lists_content(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "a.zip", {"autre.csv": b""})
    with pytest.raises(SourceError, match=r"a\.zip : aucun fichier « BPE24\.csv ».*autre\.csv"):
        extract_member(archive, "BPE24.csv", tmp_path / "x")


def _7z(path: Path, members: dict[str, bytes]) -> Path:
    import py7zr

    with py7zr.SevenZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return path


def test_7z_member_in_the_ign_delivery_layout(tmp_path: Path) -> None:
    root = "ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA_2026-01-01/ADMIN-EXPRESS-COG"
    gpkg = f"{root}/1_DONNEES_LIVRAISON_2026-01-00001/ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01"
    archive = _7z(
        tmp_path / "ADMIN-EXPRESS-COG_4-0__GPKG_WGS84G_FRA_2026-01-01.7z",
        {
            f"{root}/LISEZ-MOI.txt": "Réservé".encode("cp1252"),
            f"{gpkg}/ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01.gpkg": b"SQLite format 3\x00",
            f"{root}/3_SUPPLEMENTS_LIVRAISON_2026-01-00001/ADE-COG_4-0_GPKG.md5": b"0",
        },
    )
    assert is_archive(archive)
    got = extract_member(archive, "*.gpkg", tmp_path / "x")
    assert got.name == "ADE-COG_4-0_GPKG_WGS84G_FRA-ED2026-01-01.gpkg"
    assert got.read_bytes() == b"SQLite format 3\x00"
    assert extract_member(archive, "*.gpkg", tmp_path / "x") == got  # reused


def test_truncated_7z_is_a_french_source_error(tmp_path: Path) -> None:
    archive = _7z(tmp_path / "a.7z", {"d/x.gpkg": bytes(range(256)) * 400})
    cut = tmp_path / "cut.7z"
    cut.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(SourceError, match=r"cut\.7z : archive 7z illisible"):
        extract_member(cut, "*.gpkg", tmp_path / "x")


def test_truncated_zip(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "t.zip", {"f.csv": b"x" * 10_000})
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"t\.zip : archive zip illisible"):
        extract_member(archive, "f.csv", tmp_path / "x")


def test_zip_slip_members_are_ignored(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "evil.zip", {"../../evil.csv": b"x"})
    with pytest.raises(SourceError, match="aucun fichier"):
        extract_member(archive, "*.csv", tmp_path / "x")
    assert not (tmp_path / "evil.csv").exists()
