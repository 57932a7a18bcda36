"""The real extracts and the demo territory pass every value rule (issue 13, point 2).

A rule that refused official data would be worse than no rule: each reader reads its real
extract in full (validation included) and the demo generator's files, for two seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quartiers.demo import generate
from quartiers.sources import bdtopo, bpe, climadiag, communes, drias, filosofi, lcz, qpv
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.place_changes import read_place_changes

REAL: list[tuple[str, Callable[[Path], Any], int]] = [
    ("filosofi/filosofi2021_200m_la_roche_sur_yon_core.csv", filosofi.read_filosofi, 530),
    ("qpv/qpv2024_4territories.geojson", qpv.read_qpv, 17),
    ("admin/communes_4epci.geojson", communes.read_communes, 66),
    ("admin/epci_2026.csv", communes.read_epci_table, 1_253),
    ("admin/epci_commune_2026.csv", communes.read_epci_communes, 34_871),
    ("bdtopo/COMMUNE.shp", communes.read_communes, 1),
    ("climate/climadiag_tracc_4communes.csv", climadiag.read_climadiag, 132),
    ("climate/drias2020_safran_nearest_4communes.csv", drias.read_drias_table, 336),
    ("climate/drias2020_departements_all_scenarios.csv", drias.read_drias_table, 0),
    ("bdtopo/BATIMENT.shp", bdtopo.read_buildings, 2_273),
    ("bdtopo/ZONE_DE_VEGETATION.shp", bdtopo.read_vegetation, 665),
    ("bdtopo/SURFACE_HYDROGRAPHIQUE.shp", bdtopo.read_water, 28),
    ("lcz/osm_2022_Redon_rsu_lcz.geojson", lcz.read_lcz, 0),
]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "read", "rows"), REAL, ids=[r[0] for r in REAL])
def test_real_extract_passes(
    shared_data: Path, name: str, read: Callable[[Path], Any], rows: int
) -> None:
    table = read(shared_data / name)
    assert len(table) == rows if rows else len(table) > 0


@pytest.mark.shared
@pytest.mark.parametrize("name", ["saint_jean_brevelay_2019-09.osm", "le_mans_2019-12.osm.pbf"])
def test_real_osm_layers_are_consistent(shared_data: Path, name: str) -> None:
    layers = read_osm_layers(shared_data / "osm" / name)
    heights = layers.buildings["height_m"].dropna()
    assert ((heights > 0) & (heights < 1_000)).all()
    widths = layers.roads["width_m"]
    assert ((widths > 0) & (widths <= 100)).all()
    crowns = layers.trees["crown_m"].dropna()
    assert ((crowns > 0) & (crowns <= 60)).all()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2024, 7])
def test_demo_territory_passes(tmp_path: Path, seed: int) -> None:
    files = generate(tmp_path / "demo", seed=seed)
    assert len(filosofi.read_filosofi(files["filosofi"])) > 100
    assert len(qpv.read_qpv(files["qpv"])) >= 2
    assert len(communes.read_communes(files["communes"])) >= 1
    assert len(climadiag.read_climadiag(files["climadiag"])) > 0
    assert len(bpe.read_bpe(files["bpe"])) > 0
    assert len(lcz.read_lcz(files["lcz"])) > 0
    assert len(read_place_changes(files["places"])) > 0
