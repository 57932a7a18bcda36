from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from quartiers.errors import InputError
from quartiers.participation.territories import Territory, load_territory, territory_lookup

from .helpers import ROCHE


def test_qpv_at_and_representative_point() -> None:
    assert ROCHE.qpv_at(-1.43, 46.67) == "QN08503I"
    assert ROCHE.qpv_at(-1.48, 46.64) is None
    point = ROCHE.qpv_point("QN08503I")
    assert point is not None and ROCHE.qpv_at(*point) == "QN08503I"
    assert ROCHE.qpv_point("QN00000X") is None


def test_lookup_accepts_bbox_geometry_territory_and_callback() -> None:
    lookup = territory_lookup({"a": (0.0, 0.0, 1.0, 1.0), "b": box(10, 10, 11, 11), "85191": ROCHE})
    a, b, roche = lookup("a"), lookup("b"), lookup("85191")
    assert a is not None and a.contains(0.5, 0.5) and not a.contains(2, 2)
    assert b is not None and b.contains(10.5, 10.5)
    assert roche is ROCHE
    assert lookup("zz") is None
    called = territory_lookup(lambda code: (0.0, 0.0, 1.0, 1.0) if code == "x" else None)
    x = called("x")
    assert x is not None and x.code == "x" and called("y") is None
    with pytest.raises(ValueError, match="emprise invalide"):
        Territory.from_bbox("bad", (1.0, 0.0, 0.0, 1.0))


def _write(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.to_file(path, driver="GeoJSON")
    return path


def test_load_territory_filters_by_code_and_reprojects(tmp_path: Path) -> None:
    communes = gpd.GeoDataFrame(
        {"insee_com": ["85191", "85001"]},
        geometry=[box(-1.5, 46.6, -1.4, 46.7), box(-1.4, 46.6, -1.3, 46.7)],
        crs=4326,
    ).to_crs(2154)
    qpv = gpd.GeoDataFrame(
        {"code_qp": ["QN08503I", "QN99999Z"]},
        geometry=[box(-1.45, 46.65, -1.44, 46.66), box(5, 45, 5.1, 45.1)],
        crs=4326,
    )
    territory = load_territory(
        "85191", _write(communes, tmp_path / "c.geojson"), qpv=_write(qpv, tmp_path / "q.geojson")
    )
    assert territory.contains(-1.45, 46.65) and not territory.contains(-1.35, 46.65)
    assert set(territory.qpv) == {"QN08503I"}
    with pytest.raises(InputError, match="aucune entité dont insee_com"):
        load_territory("12345", tmp_path / "c.geojson")
    with pytest.raises(InputError, match="introuvable"):
        load_territory("85191", tmp_path / "absent.geojson")


@pytest.mark.shared
def test_load_territory_from_real_extracts(shared_data: Path) -> None:
    territory = load_territory(
        "248500589",
        shared_data / "admin" / "communes_4epci.geojson",
        qpv=shared_data / "qpv" / "qpv2024_4territories.geojson",
    )
    # La Roche-sur-Yon Agglomération holds the three QPV of La Roche-sur-Yon, and only them.
    assert sorted(territory.qpv) == ["QN08501I", "QN08502I", "QN08503I"]
    for code in territory.qpv:
        point = territory.qpv_point(code)
        assert point is not None
        assert territory.qpv_at(*point) == code and territory.contains(*point)
    assert shapely.area(territory.area) > 0
