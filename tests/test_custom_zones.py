"""``quartiers diagnose --zones FILE``: any set of neighbourhoods, diagnosed like the QPV."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from quartiers.cli import main
from quartiers.demo.pipeline import DemoRun
from quartiers.errors import InputError
from quartiers.sources.communes import read_communes
from quartiers.sources.zones import read_zones, zones_as_qpv


def _write(path: Path, ids: list[str], names: list[str], **extra: list[str]) -> Path:
    geoms = [
        shapely.box(-1.43 + k * 0.01, 46.66, -1.425 + k * 0.01, 46.665) for k in range(len(ids))
    ]
    frame = gpd.GeoDataFrame({"code": ids, "libelle": names, **extra}, geometry=geoms, crs=4326)
    frame.to_file(path, driver="GeoJSON")
    return path


def test_fields_found_or_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "z.geojson", ["A1", "B2"], ["Nord", "Sud"], quartier=["x", "y"])
    zones = read_zones(path)
    assert zones["zone_id"].tolist() == ["A1", "B2"]
    assert zones["zone_name"].tolist() == ["Nord", "Sud"]
    assert zones.crs.to_epsg() == 2154
    named = read_zones(path, id_field="quartier", name_field="libelle")
    assert named["zone_id"].tolist() == ["x", "y"]


@pytest.mark.parametrize(
    ("ids", "names", "options", "message"),
    [
        (
            ["A1", "A1"],
            ["N", "S"],
            {},
            r"z\.geojson : identifiant 'A1' en double dans le champ code",
        ),
        (["A 1", "B2"], ["N", "S"], {}, r"identifiant 'A 1' invalide dans le champ code"),
        (["A1", "B2"], ["N", ""], {}, r"champ libelle vide pour la zone 'B2'"),
        (["A1", "B2"], ["N", "S"], {"id_field": "iris"}, r"z\.geojson.*iris"),
    ],
)
def test_bad_files_are_refused_in_french(
    tmp_path: Path, ids: list[str], names: list[str], options: dict[str, str], message: str
) -> None:
    path = _write(tmp_path / "z.geojson", ids, names)
    with pytest.raises(InputError, match=message):
        read_zones(path, **options)


def test_points_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "z.geojson"
    gpd.GeoDataFrame(
        {"id": ["P"], "nom": ["Point"]}, geometry=[shapely.Point(-1.43, 46.66)], crs=4326
    ).to_file(path, driver="GeoJSON")
    with pytest.raises(InputError, match=r"zone 'P' \(champ id\) sans géométrie ou non surfacique"):
        read_zones(path)


def test_zone_lies_in_the_commune_holding_most_of_it() -> None:
    communes = gpd.GeoDataFrame(
        {"insee_com": ["00001", "00002"], "nom": ["A", "B"], "population": [1, 1],
         "siren_epci": ["200000001", "200000001"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=2154,
    )  # fmt: skip
    zones = gpd.GeoDataFrame(
        {"zone_id": ["z1", "z2", "out"], "zone_name": ["Un", "Deux", "Dehors"]},
        geometry=[shapely.box(10, 10, 120, 50), shapely.box(150, 0, 190, 10),
                  shapely.box(500, 500, 510, 510)], crs=2154,
    )  # fmt: skip
    qpv = zones_as_qpv(zones, communes, path=Path("z.geojson"))
    assert qpv["code_qp"].tolist() == ["z1", "z2"]
    assert qpv["insee_com"].tolist() == ["00001", "00002"]
    assert qpv["insee_coms"].tolist() == ["00001,00002", "00002"]
    with pytest.raises(InputError, match=r"z\.geojson : aucune zone du fichier"):
        zones_as_qpv(zones.iloc[[2]], communes, path=Path("z.geojson"))


def _iris_like(communes: gpd.GeoDataFrame, grid: shapely.Geometry, path: Path) -> Path:
    """Split each commune (within the cells' grid) in four quarters around its centroid."""
    rows = []
    for code, whole in zip(communes["insee_com"], communes.geometry, strict=True):
        geom = whole.intersection(grid)
        cx, cy = geom.centroid.x, geom.centroid.y
        xmin, ymin, xmax, ymax = geom.bounds
        quarters = [
            (xmin, ymin, cx, cy),
            (cx, ymin, xmax, cy),
            (xmin, cy, cx, ymax),
            (cx, cy, xmax, ymax),
        ]
        for k, box in enumerate(quarters, start=1):
            part = geom.intersection(shapely.box(*box))
            if not part.is_empty:
                rows.append({"code_iris": f"{code}010{k}", "nom_iris": f"IRIS {k} de {code}",
                             "geometry": part})  # fmt: skip
    gpd.GeoDataFrame(rows, crs=communes.crs).to_file(path, driver="GeoJSON")
    return path


def _demo_sources(run: DemoRun) -> list[str]:
    return [a for k, p in run.sources.items() if k != "places" for a in ("--source", f"{k}={p}")]


@pytest.mark.slow
def test_demo_with_iris_like_zones(demo_run: DemoRun, tmp_path: Path) -> None:
    communes = read_communes(demo_run.sources["communes"])
    cells = gpd.read_parquet(demo_run.out_dir / "cells.parquet").to_crs(communes.crs)
    grid = shapely.union_all(cells.geometry.to_numpy()).buffer(-1.0)
    iris = _iris_like(communes, grid, tmp_path / "iris.geojson")
    out = tmp_path / "out"
    code = main(
        ["diagnose", "--territory", "200000001", "--workspace", str(tmp_path / "ws"),
         *_demo_sources(demo_run), "--zones", str(iris), "--no-uncertainty", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    qpv = pd.read_csv(out / "qpv.csv", dtype={"code_qp": str, "insee_com": str})
    assert len(qpv) >= 12 and qpv["code_qp"].str.fullmatch(r"\d{5}010\d").all()
    assert qpv["lib_qp"].str.startswith("IRIS").all()
    ranked = qpv.loc[qpv["rank"].notna()]
    assert sorted(ranked["rank"].astype(int)) == list(range(1, len(ranked) + 1))
    assert qpv["gap_commune_poverty_rate"].notna().any()
    assert qpv["dist_fresh_food_m"].notna().any()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert "zones" in {s["source_id"] for s in run["sources"]}


@pytest.mark.shared
def test_la_roche_sur_yon_with_hand_drawn_zones(la_roche_zones_run: Path) -> None:
    out = la_roche_zones_run
    qpv = pd.read_csv(out / "qpv.csv", dtype={"code_qp": str, "insee_com": str}).set_index(
        "code_qp"
    )
    assert sorted(qpv.index) == ["LRY-CENTRE", "LRY-NORD", "LRY-SUD-OUEST"]
    assert (qpv["insee_com"] == "85191").all()
    assert qpv.loc["LRY-SUD-OUEST", "lib_qp"] == "Sud-ouest (Jean Yole, Pyramides)"
    assert qpv["population"].gt(500).all()
    assert qpv["poverty_rate"].between(0, 1).all()
    # Compared with the rest of the commune, like the QPV: the gap is the zone minus the rest.
    zones = pd.read_parquet(out / "zones.parquet")
    assert {"qpv", "reste_commune"} <= set(zones["zone_type"])
    assert qpv["gap_commune_poverty_rate"].notna().all()
    assert sorted(qpv["rank"].dropna().astype(int)) == [1, 2, 3]
