"""LCZ reader: GeoClimate extracts of Redon, CEREMA layouts, bad classes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from quartiers.errors import InputError
from quartiers.schemas import LCZ_COLUMNS
from quartiers.sources.lcz import LCZ_LABELS, lcz_from_int, read_lcz


@pytest.mark.parametrize(
    ("name", "count", "built"),
    [("bdtopo_2_2_Redon_rsu_lcz.geojson", 1553, 276), ("osm_2022_Redon_rsu_lcz.geojson", 521, 140)],
)
def test_geoclimate_redon(shared_data: Path, name: str, count: int, built: int) -> None:
    zones = read_lcz(shared_data / "lcz" / name)
    assert list(zones.columns) == LCZ_COLUMNS
    assert len(zones) == count
    assert zones.crs.to_epsg() == 2154  # the OSM one is in UTM 30N and is reprojected
    assert set(zones["lcz"]) <= set(LCZ_LABELS)
    assert (zones["lcz_int"] <= 10).sum() == built
    # 101–107 become A–G (11–17).
    assert set(zones.loc[zones["lcz_int"] > 10, "lcz"]) <= set("ABCDEFG")
    redon = shapely.Point(-2.085, 47.651)
    centre = gpd.GeoSeries([redon], crs=4326).to_crs(2154).iloc[0]
    assert zones.distance(centre).min() < 2_000


def test_bbox_clip(shared_data: Path) -> None:
    path = shared_data / "lcz" / "osm_2022_Redon_rsu_lcz.geojson"
    everything = read_lcz(path)
    minx, miny, maxx, maxy = everything.total_bounds
    box = (minx, miny, (minx + maxx) / 2, (miny + maxy) / 2)
    part = read_lcz(path, bbox_2154=box)
    assert 0 < len(part) < len(everything)
    assert part.intersects(shapely.box(*box)).all()


def _cerema(tmp_path: Path, **fields: list[object]) -> Path:
    frame = gpd.GeoDataFrame(
        {"identifier": [1, 2, 3], "hre": [12.0, 4.0, 0.0], **fields},
        geometry=[shapely.box(i * 100, 6_700_000, i * 100 + 100, 6_700_100) for i in range(3)],
        crs="EPSG:2154",
    )
    path = tmp_path / "LCZ_SPOT_2022_La Rochelle.shp"
    frame.to_file(path)
    return path


def test_cerema_text_and_int_fields(tmp_path: Path) -> None:
    zones = read_lcz(_cerema(tmp_path, lcz=["2", "A", "10"], lcz_int=[2, 11, 10]))
    assert zones["lcz"].tolist() == ["2", "A", "10"]
    assert zones["lcz_int"].tolist() == [2, 11, 10]
    (tmp_path / "b").mkdir()
    only_int = read_lcz(_cerema(tmp_path / "b", lcz_int=[6, 17, 8]))
    assert only_int["lcz"].tolist() == ["6", "G", "8"]


def test_bad_class_and_missing_field(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"Rochelle\.shp : champ lcz — 1 ligne\(s\) : classe LCZ inconnue — attendu 1 à 10 "
        r"ou A à G ; première : identifier 2$",
    ):
        read_lcz(_cerema(tmp_path, lcz=["2", "H", "1"]))
    (tmp_path / "c").mkdir()
    with pytest.raises(InputError, match=r"champ\(s\) manquant\(s\) lcz ou lcz_int ou LCZ_PRIMARY"):
        read_lcz(_cerema(tmp_path / "c", autre=[1, 2, 3]))


def test_lcz_from_int() -> None:
    assert [lcz_from_int(i) for i in (1, 10, 11, 17)] == ["1", "10", "A", "G"]
    with pytest.raises(ValueError):
        lcz_from_int(18)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            [2, 18, 19],
            r"champ lcz_int — 2 ligne\(s\) : valeur inconnue — attendu un entier de 1 à 17",
        ),
        ([2, 0, 1], r"champ lcz_int — 1 ligne\(s\) : valeur inconnue"),
        ([2, 2.5, 1], r"champ lcz_int — 1 ligne\(s\) : valeur inconnue"),
        (["2", "x", "1"], r"champ lcz_int — 1 ligne\(s\) : valeur inconnue"),
    ],
)
def test_cerema_lcz_int_values_are_checked(
    tmp_path: Path, values: list[object], expected: str
) -> None:
    with pytest.raises(InputError, match=expected + r".* ; première : identifier 2"):
        read_lcz(_cerema(tmp_path, lcz_int=values))


def test_geoclimate_class_is_checked(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"ID_RSU": [7, 8, 9], "LCZ_PRIMARY": [101, 11, 3]},
        geometry=[shapely.box(i * 100, 6_700_000, i * 100 + 100, 6_700_100) for i in range(3)],
        crs="EPSG:2154",
    )
    path = tmp_path / "x_rsu_lcz.geojson"
    frame.to_file(path)
    with pytest.raises(
        InputError,
        match=r"rsu_lcz\.geojson : champ LCZ_PRIMARY — 1 ligne\(s\) : valeur inconnue — attendu "
        r"1 à 10 ou 101 à 107 \(classes A à G de GeoClimate\) ; première : ID_RSU 8",
    ):
        read_lcz(path)
    frame["LCZ_PRIMARY"] = [101, 10, 3]
    frame.to_file(path)
    assert read_lcz(path)["lcz"].tolist() == ["A", "10", "3"]
