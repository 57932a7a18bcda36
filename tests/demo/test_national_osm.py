"""OpenStreetMap extracts and LCZ of the fictitious France (issue 16, points 1 and 2).

One ``osm/<code région>.osm.pbf`` per région with streets, buildings, trees and the places
walking access looks for, around every QPV (+ 2 km); LCZ blocks of the large towns in the
CEREMA format; the same files for the same seed; the fingerprint covers them.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely

from quartiers.demo.national import FILES, generate_france
from quartiers.demo.national._osm import OSM_MARGIN_M
from quartiers.demo.national.generator import GENERATOR_VERSION, STAMP
from quartiers.sources.lcz import read_lcz
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.places import CATEGORIES
from quartiers.sources.qpv import read_qpv
from quartiers.sources.territory_codes import DEPARTEMENTS, departement_code


def test_one_extract_per_region_with_what_walking_access_reads(essai: Path) -> None:
    written = generate_france(essai, echelle="france-essai")  # reused: same fingerprint
    assert written.reused
    assert [p.name for p in written.osm] == [
        f"{r}.osm.pbf"
        for r in ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")
    ]
    qpv = read_qpv(essai / FILES["qpv"]).to_crs("EPSG:2154")
    layers = read_osm_layers(written.osm[6])  # région 52
    assert len(layers.walk_edges) > 500 and len(layers.trees) > 50
    assert layers.buildings["residential"].all() and len(layers.buildings) > 50
    assert {"care", "cool_indoor", "cool_outdoor", "information", "drinking_water",
            "fresh_food", "green_1ha"} <= set(layers.places["category"])  # fmt: skip
    assert set(layers.places["category"]) <= set(CATEGORIES)
    # every QPV of the région lies in its streets, which reach 2 km beyond it
    streets = shapely.union_all(layers.walk_edges.geometry.to_numpy()).envelope
    region = [DEPARTEMENTS[departement_code(str(c))][1] for c in qpv["insee_com"]]
    mine = qpv[np.asarray(region) == "52"]
    assert len(mine) == 2
    for geom in mine.geometry:
        assert streets.contains(geom.buffer(OSM_MARGIN_M * 0.9).envelope)


def test_node_ids_never_collide_between_regions(essai: Path) -> None:
    seen: list[tuple[int, int]] = []
    for path in sorted((essai / "osm").glob("*.osm.pbf"))[:3]:
        ids = [n.id for n in osmium.FileProcessor(str(path), osmium.osm.NODE)]
        assert ids == sorted(ids)
        seen.append((min(ids), max(ids)))
    assert all(a[1] < b[0] for a, b in itertools.pairwise(seen))


def test_lcz_of_the_large_towns_in_the_cerema_format(essai: Path) -> None:
    lcz = read_lcz(essai / FILES["lcz"])
    assert lcz.crs.to_epsg() == 2154
    assert {"2", "4", "5", "6"} <= set(lcz["lcz"])
    assert np.isin(lcz["lcz_int"], [2, 4, 5, 6, 12, 14]).all()


def test_same_seed_same_extracts_and_the_fingerprint_covers_them(
    essai: Path, tmp_path: Path
) -> None:
    again = generate_france(tmp_path / "bis", echelle="france-essai")
    for a in again.osm[:2]:
        assert a.read_bytes() == (essai / "osm" / a.name).read_bytes()
    assert again.paths["lcz"].read_bytes() == (essai / FILES["lcz"]).read_bytes()
    stamp = json.loads((tmp_path / "bis" / STAMP).read_text(encoding="utf-8"))
    assert stamp["generateur"] == GENERATOR_VERSION == "2"
    assert stamp["effectifs"]["osm_noeuds"] > 10_000
    # an extract gone: the files are written again
    again.osm[0].unlink()
    assert not generate_france(tmp_path / "bis", echelle="france-essai").reused
    assert again.osm[0].is_file()


def test_demo_command_says_how_to_run_with_walking_access(
    essai: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from quartiers.cli import main

    assert main(["demo", "--echelle", "france-essai", "--out", str(essai)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "--skip osm" in said and "--source osm=FICHIER pour chacun des 13 extraits" in said
    assert "région par région" in said
