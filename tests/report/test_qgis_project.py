"""``quartiers export --qgis``: the project opens the GeoPackage layers with their styles.

Structure first (paths, styles, French names, layout items), then — when Debian's QGIS is
installed — PyQGIS loads the project and renders the print layout to a PNG that is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest

from quartiers.cli import main
from quartiers.outputs.layer_info import LAYER_TITLES
from quartiers.outputs.qgis_project import LAYOUT_NAME

SYSTEM_PYTHON = Path("/usr/bin/python3")
# Runs under Debian's python3 with python3-qgis: load the project, render the layout.
RENDER = """
import json, sys
from qgis.core import QgsApplication, QgsLayoutExporter, QgsProject
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
out = {"read": project.read(sys.argv[1]), "layers": {}}
for layer in project.mapLayers().values():
    index = layer.fields().indexOf("index")
    out["layers"][layer.name()] = {
        "valid": layer.isValid(),
        "count": layer.featureCount(),
        "renderer": layer.renderer().type(),
        "alias": layer.attributeAlias(index) if index >= 0 else "",
    }
layout = project.layoutManager().layoutByName(sys.argv[3])
out["items"] = sorted(i.id() for i in layout.items() if hasattr(i, "id") and i.id())
settings = QgsLayoutExporter.ImageExportSettings()
settings.dpi = 100
out["export"] = int(QgsLayoutExporter(layout).exportToImage(sys.argv[2], settings))
print(json.dumps(out))
app.exitQgis()
"""


@pytest.fixture(scope="module")
def project_dir(demo_run: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("qgis")
    code = main(
        [
            "export",
            str(demo_run.out_dir),  # type: ignore[attr-defined]
            "--out",
            str(base / "export"),
            "--qgis",
            str(base / "projet"),
        ]
    )
    assert code == 0
    return base / "projet"


def _canonical(node: ET.Element) -> str:
    node.tail = None
    return ET.canonicalize(ET.tostring(node, encoding="unicode"), strip_text=True)


def _project(project_dir: Path) -> ET.Element:
    (qgz,) = project_dir.glob("*.qgz")
    with zipfile.ZipFile(qgz) as archive:
        (name,) = archive.namelist()
        assert name.endswith(".qgs")
        return ET.fromstring(archive.read(name))


def test_layers_open_the_geopackage_with_its_styles(project_dir: Path) -> None:
    root = _project(project_dir)
    gpkg = project_dir / "diagnostic.gpkg"
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    styles = styles[styles["useAsDefault"].astype(bool)].set_index("f_table_name")
    layers = root.findall("projectlayers/maplayer")
    names = {layer.findtext("layername") for layer in layers}
    assert names == {LAYER_TITLES[x] for x in ("qpv", "zones", "cells", "hotspots")}
    in_gpkg = {name for name, _ in pyogrio.list_layers(gpkg)}
    for layer in layers:
        path, _, table = (layer.findtext("datasource") or "").partition("|layername=")
        assert path == "./diagnostic.gpkg" and table in in_gpkg  # relative: folder movable
        assert layer.findtext("provider") == "ogr"
        qml = ET.fromstring(str(styles.loc[table, "styleQML"]).split("\n", 1)[1])
        renderer = layer.find("renderer-v2")
        assert renderer is not None
        original = qml.find("renderer-v2")
        assert original is not None
        assert _canonical(renderer) == _canonical(original)  # the same style
        aliases = {a.get("field"): a.get("name") for a in layer.iterfind("aliases/alias")}
        assert aliases.get("population", "").startswith("Population")
    tree = [x.get("name") for x in root.iterfind("layer-tree-group/layer-tree-layer")]
    assert tree[0] == LAYER_TITLES["qpv"]  # QPV outlines drawn on top
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:2154"


def test_print_layout_is_a4_landscape_with_its_items(project_dir: Path, demo_run: Any) -> None:
    root = _project(project_dir)
    (layout,) = root.findall("Layouts/Layout")
    assert layout.get("name") == LAYOUT_NAME
    page = layout.find("PageCollection/LayoutItem")
    assert page is not None and page.get("size") == "297,210,mm"
    items = {i.get("id"): i for i in layout.findall("LayoutItem")}
    assert set(items) == {"titre", "carte", "legende", "echelle", "nord", "sources"}
    run = json.loads((Path(demo_run.out_dir) / "run.json").read_text(encoding="utf-8"))
    assert run["territory"]["name"] in (items["titre"].get("labelText") or "")
    sources = items["sources"].get("labelText") or ""
    assert all(s["source_id"] in sources for s in run["sources"])
    assert "OpenStreetMap" in sources
    map_uuid = items["carte"].get("uuid")
    assert items["legende"].get("map_uuid") == map_uuid
    assert items["echelle"].get("mapUuid") == map_uuid


def _system_qgis() -> None:
    if not SYSTEM_PYTHON.is_file() or shutil.which("qgis_process") is None:
        pytest.skip("QGIS absent (paquets Debian qgis et python3-qgis)")
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True, timeout=120
    )
    if probe.returncode != 0:
        pytest.skip("PyQGIS absent : paquet Debian python3-qgis")


def test_qgis_loads_the_project_and_renders_the_layout(project_dir: Path, tmp_path: Path) -> None:
    _system_qgis()
    from PIL import Image

    (qgz,) = project_dir.glob("*.qgz")
    png = tmp_path / "mise_en_page.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", RENDER, str(qgz), str(png), LAYOUT_NAME],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["read"] and out["export"] == 0
    cells = out["layers"][LAYER_TITLES["cells"]]
    gpkg = project_dir / "diagnostic.gpkg"
    assert cells["valid"] and cells["count"] == pyogrio.read_info(gpkg, layer="cells")["features"]
    assert cells["renderer"] == "categorizedSymbol"
    assert cells["alias"] == "Indice composite de vulnérabilité aux vagues de chaleur"
    assert all(layer["valid"] for layer in out["layers"].values())
    assert set(out["items"]) >= {"titre", "carte", "legende", "echelle", "nord", "sources"}
    image = np.asarray(Image.open(png).convert("RGB"), dtype=int)
    assert image.shape[1] > image.shape[0]  # landscape
    # the cells are drawn: the class colours of the index appear (cividis, darkest and 5th)
    for colour in ((0x00, 0x22, 0x4E), (0xFE, 0xE8, 0x38)):
        assert (np.abs(image - colour).sum(axis=2) < 12).sum() > 50, colour
