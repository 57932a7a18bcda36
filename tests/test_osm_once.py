"""One OSM reader: every OSM file is read by one pass of ``sources.osm_file.scan_osm``, and a
diagnostic reads its territory's extract once (layers, walkable streets, places and the
background map together)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from geopandas.testing import assert_geodataframe_equal

import quartiers
from quartiers.sources import osm_file
from quartiers.sources.addresses import read_osm_addresses
from quartiers.sources.osm import read_osm_layers
from quartiers.sources.osm_basemap import clip_basemap, read_osm_basemap

SRC = Path(quartiers.__file__).parent
_READERS = {"FileProcessor", "SimpleHandler", "apply_file", "OsmFileIterator"}


def test_only_osm_file_opens_an_osm_file() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in _READERS:
                found.add(str(path.relative_to(SRC)))
    assert found == {"sources/osm_file.py"}


@pytest.mark.parametrize("name", ["le_mans_2019-12.osm.pbf", "saint_jean_brevelay_2019-09.osm"])
def test_one_pass_gives_what_separate_readings_gave(shared_data: Path, name: str) -> None:
    path = shared_data / "osm" / name
    alone = read_osm_layers(path)
    both = read_osm_layers(path, basemap=True)
    assert alone.basemap is None and both.basemap is not None
    for layer in ("buildings", "roads", "vegetation", "trees", "water", "paved", "places"):
        assert_geodataframe_equal(getattr(both, layer), getattr(alone, layer))
    assert_geodataframe_equal(both.walk_edges, alone.walk_edges)
    xmin, ymin, xmax, ymax = both.buildings.total_bounds
    box = (xmin + 100.0, ymin + 100.0, xmax - 100.0, ymax - 100.0)
    for bbox in (None, box):
        assert_geodataframe_equal(clip_basemap(both.basemap, bbox), read_osm_basemap(path, bbox))
    assert len(read_osm_basemap(path, box)) > 0


def test_a_diagnostic_reads_its_osm_extract_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quartiers.demo.generator import generate
    from quartiers.demo.pipeline import DEMO_TERRITORY
    from quartiers.diagnostic import RobustnessOptions
    from quartiers.diagnostic.basemap import build_basemap
    from quartiers.diagnostic.pipeline import diagnose
    from quartiers.settings import get_settings
    from quartiers.sources.load import load_inputs

    paths = generate(tmp_path / "entrees")
    settings = get_settings(workspace_dir=tmp_path / "ws", cache_dir=tmp_path / "cache")
    sources = {key: path for key, path in paths.items() if key != "places"}
    passes: list[str] = []
    run = osm_file._run

    def counted(osm: object, collectors: tuple[osm_file.OsmCollector, ...]) -> object:
        passes.append(type(collectors[0]).__name__)
        return run(osm, collectors)  # type: ignore[arg-type]

    monkeypatch.setattr(osm_file, "_run", counted)
    inputs = load_inputs(DEMO_TERRITORY, sources, settings=settings, use_workspace=False)
    diag = diagnose(
        inputs,
        places=paths["places"],
        robustness=RobustnessOptions(uncertainty=False, hotspots=False),
    )
    basemap = build_basemap(inputs, diag.qpv)
    assert passes == ["Collector"]
    assert {"voie", "bati", "eau"} <= set(basemap["layer"])


def test_addresses_go_through_the_same_pass(tmp_path: Path) -> None:
    osm = tmp_path / "adresses.osm"
    osm.write_text(
        '<osm version="0.6">'
        '<node id="1" lat="46.67" lon="-1.42"><tag k="addr:housenumber" v="12"/>'
        '<tag k="addr:street" v="Rue des Lilas"/></node>'
        '<node id="2" lat="46.68" lon="-1.43"/><node id="3" lat="46.68" lon="-1.42"/>'
        '<way id="9"><nd ref="2"/><nd ref="3"/><tag k="addr:housenumber" v="3 bis"/>'
        '<tag k="addr:street" v="Av. Foch"/></way></osm>',
        encoding="utf-8",
    )
    table = read_osm_addresses(osm)
    assert table[["number", "suffix", "street_key"]].values.tolist() == [
        [12, "", "rue des lilas"],
        [3, "bis", "avenue foch"],
    ]
    assert table["lon"].iloc[1] == pytest.approx(-1.425)
