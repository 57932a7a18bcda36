"""Offline background map: written from the demo's OSM extract by zoom band, embedded in
carte.html, read back with the diagnostic and drawn on the PDF maps; outlines without OSM."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from _carte_data import carte_data
from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic.basemap import BANDS, build_basemap, read_basemap, write_basemap


def _collection(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _props(collection: dict[str, Any], key: str) -> set[str]:
    return {f["properties"].get(key, "") for f in collection["features"]}


def test_demo_basemap_is_written_by_zoom_band(demo_run: Any) -> None:
    folder = Path(demo_run.out_dir) / "fond_de_carte"
    manifest = _collection(folder / "fond.json")
    assert manifest["source"] == "osm" and "OpenStreetMap" in manifest["attribution"]
    assert [b["minzoom"] for b in manifest["bands"]] == [b["minzoom"] for b in BANDS]
    low, mid, high = (_collection(folder / f"{b['file']}.geojson") for b in manifest["bands"])
    # the far view has main streets, water and green areas; buildings only close up
    assert _props(low, "l") == {"voie", "eau", "vert"}
    assert _props(low, "k") <= {"", "principale", "secondaire"}
    assert "locale" in _props(mid, "k") and "bati" not in _props(mid, "l")
    assert {"voie", "eau", "vert", "bati"} <= _props(high, "l")
    assert "chemin" in _props(high, "k")

    # geometry is simplified for the far view: fewer vertices for the same streets
    def vertices(fc: dict[str, Any], kind: str) -> int:
        geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in fc["features"]
                 if f["properties"].get("k") == kind]  # fmt: skip
        return int(shapely.get_num_coordinates(np.asarray(geoms)).sum())

    assert 0 < vertices(low, "principale") <= vertices(high, "principale")
    sizes = [(folder / f"{b['file']}.geojson").stat().st_size for b in manifest["bands"]]
    assert sizes[0] < sizes[1] < sizes[2]
    coords = np.asarray(re.findall(r"-?\d+\.\d+", (folder / "fond_z0.geojson").read_text()), float)
    assert np.abs(coords).max() < 90  # lon/lat, not Lambert metres
    names = _collection(folder / "etiquettes.geojson")
    by_kind = {f["properties"]["n"]: f["properties"]["k"] for f in names["features"]}
    assert by_kind["Saint-Fictif"] == "commune" and by_kind["La Fictive"] == "eau"
    assert "locale" in by_kind.values() and "vert" in by_kind.values()
    assert all(isinstance(f["properties"]["z"], float) for f in names["features"])


def test_outlines_are_the_background_without_osm(demo_run: Any, tmp_path: Path) -> None:
    diag: Diagnostic = demo_run.diagnostic
    assert diag.basemap is not None
    communes = diag.basemap[diag.basemap["layer"] == "commune"].rename(columns={"name": "nom"})
    inputs: Any = SimpleNamespace(communes=communes, osm_path=None)
    basemap = build_basemap(inputs, diag.qpv)
    assert set(basemap["layer"]) == {"commune", "qpv", "etiquette"}
    write_basemap(basemap, tmp_path)
    manifest = _collection(tmp_path / "fond_de_carte" / "fond.json")
    assert manifest["source"] == "contours" and manifest["bands"] == []
    names = _collection(tmp_path / "fond_de_carte" / "etiquettes.geojson")
    kinds = {f["properties"]["n"]: f["properties"]["k"] for f in names["features"]}
    assert kinds["Saint-Fictif"] == "commune"
    assert kinds["Le Plateau (fictif)"] == "qpv"
    back = read_basemap(tmp_path)
    assert back is not None and set(back["layer"]) == {"commune", "qpv", "etiquette"}


def test_diagnostic_reads_its_basemap_back(demo_run: Any) -> None:
    diag = Diagnostic.load(Path(demo_run.out_dir))
    assert diag.basemap is not None and diag.basemap.crs == diag.cells.crs
    assert {"voie", "eau", "vert", "bati", "commune", "qpv", "etiquette"} <= set(
        diag.basemap["layer"]
    )
    assert read_basemap(Path(demo_run.out_dir) / "absent") is None


def test_carte_embeds_the_basemap(demo_run: Any) -> None:
    out = Path(demo_run.out_dir)
    html = (out / "carte.html").read_text(encoding="utf-8")
    assert '<script src="assets/fond.js"></script>' in html
    assert (out / "assets" / "fond.js").is_file()
    data = carte_data(out / "carte.html")
    fond = data["fond"]
    assert [b["file"] for b in fond["bands"]] == [b["file"] for b in BANDS]
    assert all(b["data"]["features"] for b in fond["bands"])
    assert fond["labels"]["features"] and fond["contours"]["features"]
    assert "Fond de carte : © les contributeurs d'OpenStreetMap" in unescape(html)


def test_pdf_maps_draw_the_basemap(demo_run: Any) -> None:
    from quartiers.report.maps import qpv_map, territory_map

    diag: Diagnostic = demo_run.diagnostic
    code = str(diag.qpv["code_qp"].iloc[0])
    with_map = qpv_map(diag, code)
    without = qpv_map(replace(diag, basemap=None), code)
    assert with_map.data_uri != without.data_uri
    assert "OpenStreetMap" in with_map.note and without.note.endswith("sans fond de carte")
    whole = territory_map(diag)
    assert "OpenStreetMap" in whole.note
    outlines = replace(diag, basemap=gpd.GeoDataFrame(
        diag.basemap[diag.basemap["layer"].isin(["commune", "qpv", "etiquette"])]  # type: ignore[index]
    ))  # fmt: skip
    assert "contours et noms des communes et des QPV" in qpv_map(outlines, code).note


def test_commune_names_appear_by_size() -> None:
    from quartiers.diagnostic.basemap import commune_label_zoom

    areas = np.array([1e4, 1e6, 1e7, 1e8, 1e9, 1e12])  # 1 ha to a huge commune (m²)
    zooms = commune_label_zoom(areas)
    assert list(zooms) == sorted(zooms, reverse=True)  # larger communes first
    assert zooms.min() >= 0 and zooms.max() == 12 and set(zooms * 2) <= set(range(25))
    assert commune_label_zoom(np.array([1e8]))[0] == 8.5  # 100 km²: named from zoom 8.5
