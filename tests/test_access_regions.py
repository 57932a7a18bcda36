"""Walking access région by région (issue 16, point 2): one network per région's extract.

Three régions of the small fictitious France with its OpenStreetMap extracts (one per
région): each région gets its own network, so every région has connected cells (one
network of the three would leave all but its main component unconnected); a région is
computed apart from the others (its cells have the same values when the other régions
have no streets); a 2-worker Dask cluster gives the same table, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quartiers.access import walk_access
from quartiers.access.regions import cell_regions
from quartiers.demo.national import FILES
from quartiers.diagnostic import RobustnessOptions
from quartiers.diagnostic.pipeline import diagnose, read_territories
from quartiers.parallel import SERIAL, DaskExecutor, Executor
from quartiers.progress import NullProgress
from quartiers.schemas import TerritoryInputs
from quartiers.settings import get_settings

SKIP = ("lcz", "chaleur_nuit", "couvert_arbore", "drias", "bdtopo")
REGIONS = ["reg:11", "reg:84", "reg:93"]


def _sources(essai: Path, osm: list[Path]) -> dict[str, Path | list[Path]]:
    sources: dict[str, Path | list[Path]] = {k: essai / rel for k, rel in FILES.items()}
    sources["osm"] = osm
    return sources


def _inputs(
    essai: Path, tmp: Path, osm: list[Path], executor: Executor = SERIAL
) -> TerritoryInputs:
    settings = get_settings(offline=True, cache_dir=tmp / "c", workspace_dir=tmp / "w")
    return read_territories(
        REGIONS, sources=_sources(essai, osm), skip=SKIP, settings=settings,
        progress=NullProgress(), executor=executor,
    )  # fmt: skip


@pytest.fixture(scope="module")
def three(essai: Path, tmp_path_factory: pytest.TempPathFactory) -> TerritoryInputs:
    osm = sorted((essai / "osm").glob("*.osm.pbf"))
    return _inputs(essai, tmp_path_factory.mktemp("three"), osm)


@pytest.fixture(scope="module")
def serial(three: TerritoryInputs) -> pd.DataFrame:
    return walk_access(three).table


def test_each_region_walks_on_its_own_network(three: TerritoryInputs, serial: pd.DataFrame) -> None:
    regions = cell_regions(three.cells, three.communes)
    assert regions is not None
    assert sorted(set(regions)) == ["11", "84", "93"]
    assert (serial.index == three.cells["idcar_200m"].astype(str)).all()
    for code in ("11", "84", "93"):
        mine = serial[regions == code]
        assert mine["connected"].mean() > 0.2, code
        assert mine["dist_care_m"].notna().sum() > 50, code
    assert walk_access(three).network is None  # no single network for several régions


def test_a_region_is_computed_apart_from_the_others(
    essai: Path, tmp_path: Path, three: TerritoryInputs, serial: pd.DataFrame
) -> None:
    """With the extract of région 11 alone, its cells keep their values; the others: NaN."""
    alone = _inputs(essai, tmp_path, [essai / "osm" / "11.osm.pbf"])
    table = walk_access(alone).table
    regions = cell_regions(three.cells, three.communes)
    assert regions is not None
    eleven = regions == "11"
    pd.testing.assert_frame_equal(table[eleven], serial[eleven], check_exact=True)
    others = table[~eleven]
    assert not others["connected"].any()
    assert others["dist_care_m"].isna().all() and (others["connected_share"] == 0).all()


def test_one_region_runs_as_before(essai: Path, three: TerritoryInputs) -> None:
    one = three.communes[three.communes["insee_com"].str.startswith("75")]
    assert cell_regions(three.cells, one) is None


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A 2-process LocalCluster (ports chosen by the system: a fixed one may be taken)."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            scheduler_port=0, dashboard_address=":0",
        ) as local,
        Client(local, set_as_default=False) as client,
    ):  # fmt: skip
        yield client


@pytest.mark.slow
def test_two_workers_give_the_same_table(
    three: TerritoryInputs, serial: pd.DataFrame, cluster: object
) -> None:
    executor = DaskExecutor(cluster)
    assert executor.workers == 2
    table = walk_access(three, executor=executor).table
    pd.testing.assert_frame_equal(table, serial, check_exact=True)
    assert np.array_equal(table.index, serial.index)


@pytest.mark.slow
def test_extracts_read_as_cluster_tasks_give_the_same_layers(
    essai: Path, tmp_path: Path, three: TerritoryInputs, serial: pd.DataFrame, cluster: object
) -> None:
    """One task per extract: the same layers and streets, then the same access table."""
    executor = DaskExecutor(cluster)
    osm = sorted((essai / "osm").glob("*.osm.pbf"))
    inputs = _inputs(essai, tmp_path, osm, executor)
    for name in ("buildings", "trees", "places", "vegetation"):
        pd.testing.assert_frame_equal(getattr(inputs, name), getattr(three, name))
    pd.testing.assert_frame_equal(inputs.notes.walk_edges, three.notes.walk_edges)
    table = walk_access(inputs, executor=executor).table
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


@pytest.mark.slow
def test_same_qpv_csv_bytes_in_one_process_and_on_the_cluster(
    essai: Path, tmp_path: Path, cluster: object
) -> None:
    """The whole diagnostic of three régions with walking access: the same ``qpv.csv``."""
    address = str(cluster.scheduler.address)  # type: ignore[attr-defined]
    settings = get_settings(offline=True, cache_dir=tmp_path / "c", workspace_dir=tmp_path / "w")
    osm = sorted((essai / "osm").glob("*.osm.pbf"))
    fast = RobustnessOptions(uncertainty=False, hotspots=False)
    files = []
    for mode in ({}, {"scheduler": address}):
        diag = diagnose(
            REGIONS, sources=_sources(essai, osm), skip=SKIP, settings=settings,
            robustness=fast, **mode,
        )  # fmt: skip
        out = tmp_path / f"out{len(files)}"
        diag.write(out)
        files.append((out / "qpv.csv").read_bytes())
    assert files[0] == files[1]
    qpv = pd.read_csv(tmp_path / "out0" / "qpv.csv", dtype={"code_qp": str})
    assert qpv["dist_care_m"].notna().sum() >= 4  # QPV of the three régions have distances


def test_cells_on_borders_and_outside_take_the_nearest_commune() -> None:
    """Inside one commune: its région; on a border or outside: the nearest commune's."""
    import geopandas as gpd
    import shapely

    communes = gpd.GeoDataFrame(
        {"insee_com": ["11901", "44901"]},
        geometry=[shapely.box(1000, 0, 2000, 1000), shapely.box(2000, 0, 3000, 1000)],
        crs="EPSG:3035",
    )
    xs = [1100, 1900, 2100, 3600, 200]  # cell corners: centres inside, on the border, out
    cells = pd.DataFrame({"idcar_200m": [f"CRS3035RES200mN200E{x}" for x in xs]})
    regions = cell_regions(cells, communes)
    assert regions is not None
    centres = shapely.points([(x + 100.0, 300.0) for x in xs])
    tree = shapely.STRtree(communes.geometry.to_numpy())
    nearest = tree.query_nearest(centres, all_matches=False)[1]
    assert list(regions) == list(np.array(["76", "52"], dtype=object)[nearest])
    assert list(regions[[0, 2, 3, 4]]) == ["76", "52", "52", "76"]
