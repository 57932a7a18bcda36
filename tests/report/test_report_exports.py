from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

from quartiers.diagnostic import Diagnostic
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs._qgis_styles import INDEX_CLASSES
from quartiers.outputs.exports import (
    CODE_COLUMNS,
    GPKG_PROVENANCE_KEY,
    PROVENANCE_KEY,
    export_open_data,
)

SLD = "{http://www.opengis.net/se}"


@pytest.fixture(scope="module")
def export(demo_diag: Diagnostic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert demo_diag.hotspots is not None and len(demo_diag.hotspots)
    export_open_data(demo_diag, out)
    return out


def _styles(gpkg: Path) -> pd.DataFrame:
    """Return the default style of each layer (the hazard styles of cells are named extras)."""
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    return styles[styles["useAsDefault"].astype(bool)].set_index("f_table_name")


def test_every_layer_has_a_default_qgis_style(export: Path) -> None:
    gpkg = export / "diagnostic.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"cells", "qpv", "zones", "hotspots", "layer_styles"} <= layers
    styles = _styles(gpkg)
    assert set(styles.index) == {"cells", "qpv", "zones", "hotspots"}
    for layer, style in styles.iterrows():
        assert bool(style["useAsDefault"])
        info = pyogrio.read_info(gpkg, layer=str(layer))
        assert style["f_geometry_column"] == info["geometry_name"]
        assert str(style["styleQML"]).startswith("<!DOCTYPE qgis")
        ET.fromstring(str(style["styleQML"]).split("\n", 1)[1])
        ET.fromstring(str(style["styleSLD"]).encode("utf-8"))


def test_cells_style_classes_the_quintiles_with_cividis(export: Path) -> None:
    text = str(_styles(export / "diagnostic.gpkg").loc["cells", "styleQML"])
    qml = ET.fromstring(text.split("\n", 1)[1])
    renderer = qml.find("renderer-v2")
    assert renderer is not None and renderer.get("attr") == "quintile"
    values = [c.get("value") for c in renderer.iter("category")]
    assert values == ["1", "2", "3", "4", "5", ""]
    colours = [
        o.get("value")
        for sym in renderer.iter("symbol")
        for o in sym.iter("Option")
        if o.get("name") == "color"
    ]
    expected = [
        ",".join(str(int(c[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"
        for _, c, _ in INDEX_CLASSES
    ]
    assert colours[:5] == expected


def test_qml_carries_french_aliases_and_labels(export: Path) -> None:
    text = str(_styles(export / "diagnostic.gpkg").loc["qpv", "styleQML"]).split("\n", 1)[1]
    qml = ET.fromstring(text)
    aliases = {a.get("field"): a.get("name") for a in qml.iter("alias")}
    assert aliases["poverty_rate"] == REGISTRY["poverty_rate"].label
    assert aliases["code_qp"].startswith("Code du quartier prioritaire")
    style = qml.find("labeling/settings/text-style")
    assert style is not None and style.get("fieldName") == "lib_qp"
    assert qml.get("labelsEnabled") == "1"


def test_sld_rules(export: Path) -> None:
    sld = ET.fromstring(str(_styles(export / "diagnostic.gpkg").loc["zones", "styleSLD"]).encode())
    names = [r.findtext(f"{SLD}Name") for r in sld.iter(f"{SLD}Rule")]
    assert names == [
        "Quartier prioritaire (QPV)",
        "Reste de la commune (hors QPV)",
        "Reste de l'intercommunalité (hors QPV)",
    ]


def test_layers_keep_their_data_and_carry_provenance(export: Path, demo_diag: Diagnostic) -> None:
    gpkg = export / "diagnostic.gpkg"
    qpv = pyogrio.read_dataframe(gpkg, layer="qpv")
    assert list(qpv["code_qp"]) == list(demo_diag.qpv["code_qp"])
    assert qpv["poverty_rate"].to_numpy() == pytest.approx(demo_diag.qpv["poverty_rate"])
    info = pyogrio.read_info(gpkg, layer="qpv")
    stamp = json.loads(info["layer_metadata"][GPKG_PROVENANCE_KEY])
    assert stamp["territory"]["code"] == "200000001"
    assert stamp["method"]["sha256"] == demo_diag.run["method"]["sha256"]
    assert {s["source_id"] for s in stamp["sources"]} >= {"qpv", "filosofi", "communes"}
    dataset = info["dataset_metadata"]
    assert json.loads(dataset[GPKG_PROVENANCE_KEY]) == stamp
    spots = pyogrio.read_dataframe(gpkg, layer="hotspots")
    assert spots.crs == "EPSG:3035"
    assert demo_diag.hotspots is not None
    assert list(spots["idcar_200m"]) == list(demo_diag.hotspots["idcar_200m"])


def test_geoparquet_carries_provenance(export: Path, demo_diag: Diagnostic) -> None:
    for name in ("cells", "qpv", "zones", "hotspots"):
        path = export / f"{name}.parquet"
        metadata = pq.read_schema(path).metadata
        assert b"geo" in metadata
        stamp = json.loads(metadata[PROVENANCE_KEY.encode()])
        assert stamp["crs"] == "EPSG:3035"
        assert gpd.read_parquet(path).crs == "EPSG:3035"
    assert len(gpd.read_parquet(export / "qpv.parquet")) == len(demo_diag.qpv)


def test_csv_keeps_insee_codes_as_text(export: Path) -> None:
    types = (export / "qpv.csvt").read_text(encoding="utf-8").strip().split(",")
    header = (export / "qpv.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    by_column = dict(zip(header, types, strict=True))
    for column in CODE_COLUMNS & set(header):
        assert by_column[column] == '"String"'
    # GDAL (hence QGIS) reads the .csvt: codes stay text with their leading zeros.
    table = pyogrio.read_dataframe(export / "qpv.csv")
    assert set(table["insee_com"]) == {"00001"}
    assert table["poverty_rate"].dtype.kind == "f"
    zones = pyogrio.read_dataframe(export / "zones.csv")
    assert "commune:00001" in set(zones["zone_id"])
    climate = pd.read_csv(export / "climat.csv", dtype={"insee_com": str})
    assert "00002" in set(climate["insee_com"])


def test_labelled_csv_for_spreadsheets(export: Path, demo_diag: Diagnostic) -> None:
    """French Excel opens it in columns: BOM, ``;``, decimal comma, French headers, rounded."""
    raw = (export / "qpv_libelles.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8
    assert raw[3:].split(b"\r\n", 1)[0].count(b";") > 50 and b"\r\n" in raw
    table = pd.read_csv(
        export / "qpv_libelles.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype=str
    )
    assert table.columns[0] == "Code du quartier prioritaire (QPV 2024)"
    poverty = f"{REGISTRY['poverty_rate'].label} (%)"
    assert poverty in table.columns
    assert len(set(table.columns)) == len(table.columns)
    assert list(table["Code INSEE de la commune (la première si plusieurs)"]) == ["00001"] * 2
    assert list(table["Nom du territoire de la ligne"]) == [demo_diag.run["territory"]["name"]] * 2
    # rates as % with one decimal, people as whole numbers
    assert all(len(v.split(",")[1]) == 1 for v in table[poverty])
    rate = table[poverty].str.replace(",", ".").astype(float)
    assert rate.to_numpy() == pytest.approx(demo_diag.qpv["poverty_rate"] * 100, abs=0.051)
    people = table["Population (somme des carreaux × part de recouvrement) (personnes)"]
    assert list(people) == [str(round(v)) for v in demo_diag.qpv["population"]]
    rest = "Écart à la valeur du reste de la commune (QPV − reste)"
    gap = f"{rest} : {REGISTRY['poverty_rate'].label} (pt)"
    assert gap in table.columns
    # a column empty in every row is left out, and the dictionary says so
    assert demo_diag.qpv["night_heat"].isna().all()
    assert not any(REGISTRY["night_heat"].label in c for c in table.columns)
    dictionary = pd.read_csv(export / "dictionnaire.csv", dtype=str, keep_default_na=False)
    remark = dictionary.set_index("colonne")["remarque"]
    assert remark["night_heat"].startswith("colonne vide dans ce diagnostic")
    assert remark["poverty_rate"] == ""


def test_run_json_hashes_every_exported_file(export: Path) -> None:
    run = json.loads((export / "run.json").read_text(encoding="utf-8"))
    # GDAL may leave a .aux.xml sidecar when a reader opens the GeoPackage: not exported.
    files = {p.name for p in export.iterdir() if not p.name.endswith(".aux.xml")} - {"run.json"}
    assert set(run["outputs"]) == files
    for name, sha in run["outputs"].items():
        assert hashlib.sha256((export / name).read_bytes()).hexdigest() == sha
    assert "qpv_libelles.csv" in run["export"]["files"]
    readme = (export / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "Licence Ouverte 2.0" in readme and "ODbL" in readme


def test_cells_have_a_named_style_per_hazard(export: Path) -> None:
    from quartiers.outputs._qgis_hazard_styles import HAZARD_CLASSES, HAZARD_STYLE_COLUMNS

    styles = pyogrio.read_dataframe(export / "diagnostic.gpkg", layer="layer_styles")
    extra = styles[~styles["useAsDefault"].astype(bool)]
    assert set(extra["f_table_name"]) == {"cells"}
    # the demo has flood, sea and clay zones: a style for each, and for several hazards
    assert set(extra["styleName"]) == set(HAZARD_STYLE_COLUMNS.values())
    for _, style in extra.iterrows():
        qml = ET.fromstring(str(style["styleQML"]).split("\n", 1)[1])
        renderer = qml.find("renderer-v2")
        assert renderer is not None and renderer.get("type") == "graduatedSymbol"
        assert renderer.get("attr") in HAZARD_STYLE_COLUMNS
        ranges = renderer.findall("ranges/range")
        assert [r.get("label") for r in ranges] == [c[3] for c in HAZARD_CLASSES]
        assert ranges[0].get("lower") == ranges[0].get("upper") == "0.000000"
        sld = ET.fromstring(str(style["styleSLD"]).encode("utf-8"))
        assert len(sld.findall(".//{http://www.opengis.net/se}Rule")) == len(HAZARD_CLASSES)
    assert HAZARD_CLASSES[0][3] == "personne en zone (0 %)"
    assert HAZARD_CLASSES[1][3].replace("\xa0", " ") == "plus de 0 % à 25,0 %"
