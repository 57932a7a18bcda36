"""Census tables by IRIS (rp_iris): reading, allocation to cells by population, diagnostic."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from quartiers.diagnostic import run_diagnostic
from quartiers.diagnostic.robustness import RobustnessOptions
from quartiers.errors import InputError
from quartiers.indicators.census import allocate_by_population, census_indicators
from quartiers.settings import Settings, get_settings
from quartiers.sources.load import load_inputs
from quartiers.sources.rp_iris import read_rp_iris
from quartiers.sources.workspace import read_workspace, write_workspace
from quartiers.spatial.geometry import CellGrid

_NO_ROBUSTNESS = RobustnessOptions(uncertainty=False, hotspots=False)

# INSEE layout of « base-ic-couples-familles-menages-2021.CSV » (subset of its columns)
CFM = (
    "IRIS;REG;DEP;UU2020;COM;LIBCOM;TRIRIS;GRD_QUART;LIBIRIS;TYP_IRIS;MODIF_IRIS;LAB_IRIS;"
    "P21_POP15P;P21_POP80P;P21_POP80P_PSEUL\n"
    "{a};52;85;85701;85191;La Roche-sur-Yon;ZZZZZZ;8519101;Nord;H;00;1;3000;400;120\n"
    "{b};52;85;85701;85191;La Roche-sur-Yon;ZZZZZZ;8519101;Sud;H;00;1;2500;150;30\n"
)
# INSEE layout of « base-ic-logement-2021.CSV » (subset)
LOG = (
    "IRIS;COM;P21_RP;P21_NPER_RP;P21_NBPI_RP\n{a};85191;1500;3000;6000\n{b};85191;1000;2500;2500\n"
)


def _two_iris(path: Path, west: float, south: float, side: float) -> Path:
    """Two IRIS side by side (west half 851910101, east half 851910102), EPSG:3035."""
    half = side / 2
    layer = gpd.GeoDataFrame(
        {"CODE_IRIS": ["851910101", "851910102"], "NOM_IRIS": ["Nord", "Sud"]},
        geometry=[
            shapely.box(west, south, west + half, south + side),
            shapely.box(west + half, south, west + side, south + side),
        ],
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    layer.to_file(path, driver="GPKG")
    return path


def _tables(folder: Path, cfm: str = CFM, log: str = LOG) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    codes = {"a": "851910101", "b": "851910102"}
    (folder / "base-ic-couples-familles-menages-2021.CSV").write_text(cfm.format(**codes))
    (folder / "base-ic-logement-2021.CSV").write_text(log.format(**codes))
    (folder / "meta_base-ic-logement-2021.CSV").write_text("COD_VAR;LIB_VAR\nP21_RP;x\n")
    return folder


def test_allocation_keeps_iris_totals_and_mixes_straddling_cells(tmp_path: Path) -> None:
    # four cells in a row; the IRIS boundary cuts the third cell in half
    xy = np.array([[0, 0], [200, 0], [400, 0], [600, 0]], dtype=np.int64)
    pop = np.array([100.0, 300.0, 200.0, 0.0])
    iris = gpd.GeoDataFrame(
        {"code_iris": ["a", "b"], "pop80p_alone": [50.0, 10.0]},
        geometry=[shapely.box(0, 0, 500, 200), shapely.box(500, 0, 800, 200)],
        crs="EPSG:3035",
    )
    counts, covered = allocate_by_population(CellGrid(xy), pop, iris, ["pop80p_alone"])
    got = counts["pop80p_alone"]
    # IRIS a: residents 100 + 300 + 100 (half of cell 3) = 500; IRIS b: 100 (other half)
    assert got == pytest.approx([10.0, 30.0, 10.0 + 10.0, 0.0])
    assert got.sum() == pytest.approx(60.0)  # every IRIS total kept
    assert covered == pytest.approx([1.0, 1.0, 1.0, 1.0])


def test_cells_outside_the_iris_get_no_value() -> None:
    xy = np.array([[0, 0], [200, 0], [400, 0]], dtype=np.int64)
    iris = gpd.GeoDataFrame(
        {"pop80p_alone": [8.0], "rp_persons": [np.nan], "rp_rooms": [np.nan]},
        geometry=[shapely.box(0, 0, 300, 200)],  # covers cell 1 and half of cell 2
        crs="EPSG:3035",
    )
    found, missing, covered = census_indicators(CellGrid(xy), np.array([60.0, 60.0, 60.0]), iris)
    share = found["share_80p_alone"].value
    assert share[0] == pytest.approx(8.0 * 60 / 90 / 60)
    assert share[1] == pytest.approx(8.0 * 30 / 90 / 60)  # half covered: kept (≥ 50 %)
    assert np.isnan(share[2])
    assert covered == pytest.approx([1.0, 0.5, 0.0])
    assert "persons_per_room" in missing and "P21_NPER_RP" in missing["persons_per_room"]


def test_reader_joins_tables_and_contours(tmp_path: Path) -> None:
    folder = _tables(tmp_path / "rp")
    _two_iris(folder / "contours_iris.gpkg", 3_700_000, 2_700_000, 800)
    layer = read_rp_iris([folder])
    assert layer.crs.to_epsg() == 2154
    assert list(layer["code_iris"]) == ["851910101", "851910102"]
    assert list(layer["pop80p_alone"]) == [120.0, 30.0]
    assert list(layer["rp_persons"]) == [3000.0, 2500.0]
    assert list(layer["rp_rooms"]) == [6000.0, 2500.0]


@pytest.mark.parametrize(
    ("cfm", "message"),
    [
        ("CODE;P21_POP80P_PSEUL\n{a};3\n", r"champ IRIS manquant"),
        ("IRIS;P21_POP80P_PSEUL\n{a};trois\n", r"champ P21_POP80P_PSEUL, 1 valeur\(s\) invalide"),
        ("IRIS;P21_POP80P_PSEUL\n{a};-2\n", r"champ P21_POP80P_PSEUL.*attendu un effectif positif"),
        ("IRIS;P21_POP80P_PSEUL\n85191;2\n", r"champ IRIS, 1 code\(s\) invalide"),
    ],
)
def test_bad_tables_are_refused_naming_file_and_field(
    tmp_path: Path, cfm: str, message: str
) -> None:
    folder = _tables(tmp_path / "rp", cfm=cfm)
    _two_iris(folder / "contours_iris.gpkg", 3_700_000, 2_700_000, 800)
    with pytest.raises(
        InputError, match=r"base-ic-couples-familles-menages-2021\.CSV : " + message
    ):
        read_rp_iris([folder])


def test_tables_without_contours_are_refused(tmp_path: Path) -> None:
    folder = _tables(tmp_path / "rp")
    with pytest.raises(InputError, match=r"il manque les contours des IRIS"):
        read_rp_iris([folder])


def _settings(tmp_path: Path) -> Settings:
    return get_settings(
        cache_dir=tmp_path / "cache", workspace_dir=tmp_path / "ws", offline=True, http_retries=1
    )


def test_la_roche_diagnostic_with_census_tables(tmp_path: Path, shared_data: Path) -> None:
    local = {
        "communes": shared_data / "admin" / "communes_4epci.geojson",
        "qpv": shared_data / "qpv" / "qpv2024_4territories.geojson",
        "filosofi": shared_data / "filosofi" / "filosofi2021_200m_la_roche_sur_yon_core.csv",
    }
    communes = gpd.read_file(local["communes"]).to_crs("EPSG:3035")
    town = communes.loc[communes["insee_com"].astype(str) == "85191"].geometry.iloc[0]
    west, south, east, north = town.bounds
    folder = _tables(tmp_path / "rp")
    _two_iris(folder / "iris.gpkg", west, south, max(east - west, north - south))
    sources = {**local, "rp_iris": folder}
    inputs = load_inputs("85191", sources, settings=_settings(tmp_path), skip=["bpe", "osm", "lcz"])
    assert inputs.rp_iris is not None and len(inputs.rp_iris) == 2
    assert inputs.notes.layers["rp_iris"] == "rp_iris"
    write_workspace(inputs, tmp_path / "ws" / "85191")
    back = read_workspace(tmp_path / "ws" / "85191")
    assert back.rp_iris is not None and list(back.rp_iris["pop80p_alone"]) == [120.0, 30.0]
    diag = run_diagnostic(inputs, robustness=_NO_ROBUSTNESS)
    cells = diag.cells
    # the town's residents in the cells carry the 150 people aged 80+ living alone
    alone = (cells["share_80p_alone"] * cells["population"]).sum()
    assert 100 < alone <= 150
    assert cells["persons_per_room"].dropna().between(0.5, 1.0).all()
    assert diag.qpv["share_80p_alone"].notna().all()
    missing = diag.run["missing_indicators"]
    assert "share_80p_alone" not in missing and "persons_per_room" not in missing
