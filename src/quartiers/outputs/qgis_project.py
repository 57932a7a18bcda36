"""A QGIS project (``.qgz``) over an export's GeoPackage, with a print layout of the territory.

The project opens the GeoPackage layers (relative path, so the folder can be moved or
zipped) with the same styles as the GeoPackage's ``layer_styles`` table (QML with French
field aliases), French layer names, Lambert-93 as project CRS, and one print layout « Carte
du territoire » (A4 landscape: title, map, legend, scale bar, north arrow, sources). The
XML is written without QGIS; the tests load it with PyQGIS and render the layout when QGIS
is installed.
"""

from __future__ import annotations

import logging
import math
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyogrio
from pyproj import CRS

from quartiers.diagnostic.dictionary import describe
from quartiers.outputs._qgis_styles import layer_style
from quartiers.outputs.layer_info import LAYER_TITLES

if TYPE_CHECKING:
    from quartiers.diagnostic.record import RunRecord
    from quartiers.schemas import BBox

__all__ = ["LAYOUT_NAME", "PROJECT_CRS", "project_xml", "write_qgis_project"]

logger = logging.getLogger(__name__)

#: Name of the print layout.
LAYOUT_NAME = "Carte du territoire"
#: Project CRS: Lambert-93, what French GIS departments work in.
PROJECT_CRS = "EPSG:2154"
_QGIS_VERSION = "3.22.0-Białowieża"
#: Layer tree order (top first) and whether each layer is shown when the project opens.
_TREE: tuple[tuple[str, bool], ...] = (
    ("qpv", True),
    ("hotspots", True),
    ("cells", True),
    ("zones", False),
)
_GEOMETRY = {"Polygon": "Polygon", "MultiPolygon": "Polygon", "Point": "Point"}
# Layout item types of QGIS (QgsLayoutItemRegistry)
_PAGE, _MAP, _PICTURE, _LABEL, _LEGEND, _SCALEBAR = 65638, 65639, 65640, 65641, 65642, 65646
#: Layout items on the A4 landscape page: x, y, width, height (mm).
_FRAMES: dict[str, tuple[float, float, float, float]] = {
    "titre": (8, 5, 281, 11),
    "carte": (8, 18, 174, 168),
    "legende": (186, 18, 104, 120),
    "echelle": (186, 160, 70, 14),
    "nord": (272, 155, 14, 20),
    "sources": (8, 190, 281, 14),
}
_NORTH_ARROW = ":/images/north_arrows/layout_default_north_arrow.svg"


def _layer_id(layer: str) -> str:
    return f"{layer}_{uuid.uuid5(uuid.NAMESPACE_URL, 'quartiers:' + layer).hex[:12]}"


def _srs(parent: ET.Element, authid: str) -> None:
    sys = ET.SubElement(parent, "spatialrefsys", {"nativeFormat": "Wkt"})
    ET.SubElement(sys, "wkt").text = CRS.from_user_input(authid).to_wkt()
    ET.SubElement(sys, "authid").text = authid


def _map_layer(gpkg: str, layer: str, geometry: str, fields: Sequence[str]) -> ET.Element:
    labels = {c: describe(c)[0] for c in fields}
    qml = ET.fromstring(layer_style(layer, fields, labels).qml.split("\n", 1)[1])
    node = ET.Element(
        "maplayer",
        {
            "type": "vector",
            "geometry": _GEOMETRY.get(geometry, "Polygon"),
            "labelsEnabled": qml.get("labelsEnabled", "0"),
            "simplifyDrawingHints": "0",
            "readOnly": "0",
        },
    )
    ET.SubElement(node, "id").text = _layer_id(layer)
    ET.SubElement(node, "datasource").text = f"{gpkg}|layername={layer}"
    ET.SubElement(node, "layername").text = LAYER_TITLES[layer]
    _srs(ET.SubElement(node, "srs"), "EPSG:3035")
    ET.SubElement(node, "provider", {"encoding": "UTF-8"}).text = "ogr"
    node.extend(list(qml))  # renderer, labelling and French aliases of the GeoPackage style
    return node


def _item(parent: ET.Element, kind: int, name: str, pos: Sequence[float], **attrs: str) -> Any:
    x, y, w, h = pos
    return ET.SubElement(
        parent,
        "LayoutItem",
        {
            "type": str(kind),
            "uuid": "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "quartiers:" + name)) + "}",
            "id": name,
            "position": f"{x},{y},mm",
            "positionOnPage": f"{x},{y},mm",
            "size": f"{w},{h},mm",
            "referencePoint": "0",
            "visibility": "1",
            "frame": "false",
            "background": "false",
            "zValue": "1",
            "positionLock": "false",
            "itemRotation": "0",
            "opacity": "1",
            **attrs,
        },
    )


def _segment(width_m: float) -> int:
    """Return a round scale-bar segment (1, 2 or 5 × 10^k metres), about a tenth of the map."""
    target = max(width_m / 10, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return int(min((f * power for f in (1, 2, 5, 10)), key=lambda v: abs(v - target)))


def _label(layout: ET.Element, name: str, text: str, pos: Sequence[float], size: int) -> None:
    item = _item(
        layout,
        _LABEL,
        name,
        pos,
        labelText=text,
        htmlState="0",
        marginX="0",
        marginY="0",
        halign="1",
        valign="32",
    )
    fmt = ET.SubElement(
        item,
        "text-style",
        {
            "fontFamily": "DejaVu Sans",
            "fontSize": str(size),
            "fontSizeUnit": "Point",
            "textColor": "0,0,0,255",
            "textOpacity": "1",
            "fontWeight": "50",
        },
    )
    ET.SubElement(fmt, "text-buffer", {"bufferDraw": "0"})
    ET.SubElement(item, "LabelFont", {"description": f"DejaVu Sans,{size},-1,5,50,0,0,0,0,0"})


def _layout(title: str, sources: str, extent: BBox, shown: Sequence[str]) -> ET.Element:
    layouts = ET.Element("Layouts")
    layout = ET.SubElement(
        layouts,
        "Layout",
        {"name": LAYOUT_NAME, "units": "mm", "printResolution": "300", "worldFileMap": ""},
    )
    pages = ET.SubElement(layout, "PageCollection")
    _item(pages, _PAGE, "page", (0, 0, 297, 210), background="true")
    map_uuid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "quartiers:carte")) + "}"
    carte = _item(
        layout,
        _MAP,
        "carte",
        _FRAMES["carte"],
        frame="true",
        keepLayerSet="false",
        drawCanvasItems="true",
        mapRotation="0",
        followPreset="false",
        followPresetName="",
        labelMargin="0,mm",
    )
    xmin, ymin, xmax, ymax = extent
    ET.SubElement(
        carte,
        "Extent",
        {"xmin": str(xmin), "ymin": str(ymin), "xmax": str(xmax), "ymax": str(ymax)},
    )
    _srs(ET.SubElement(carte, "crs"), PROJECT_CRS)
    ET.SubElement(carte, "LayerSet")
    _label(layout, "titre", title, _FRAMES["titre"], 14)
    _legend(layout, map_uuid, shown)
    _furniture(layout, map_uuid, extent)
    _label(layout, "sources", sources, _FRAMES["sources"], 7)
    return layouts


def _legend(layout: ET.Element, map_uuid: str, shown: Sequence[str]) -> None:
    """Add the legend of the layers ``shown`` to the print layout."""
    legend = _item(
        layout,
        _LEGEND,
        "legende",
        _FRAMES["legende"],
        map_uuid=map_uuid,
        title="Légende",
        resizeToContents="1",
        legendFilterByMap="1",
        columnCount="1",
        splitLayer="0",
        equalColumnWidth="0",
        wrapChar="",
        symbolWidth="7",
        symbolHeight="4",
    )
    tree = ET.SubElement(legend, "layer-tree-group")
    for layer in shown:
        ET.SubElement(
            tree,
            "layer-tree-layer",
            {
                "id": _layer_id(layer),
                "name": LAYER_TITLES[layer],
                "checked": "Qt::Checked",
                "expanded": "1",
            },
        )


def _furniture(layout: ET.Element, map_uuid: str, extent: BBox) -> None:
    """Add the scale bar and the north arrow to the print layout."""
    _item(
        layout,
        _SCALEBAR,
        "echelle",
        _FRAMES["echelle"],
        mapUuid=map_uuid,
        style="Single Box",
        unitType="kilometers",
        unitLabel="km",
        numSegments="2",
        numSegmentsLeft="0",
        numUnitsPerSegment=str(_segment(extent[2] - extent[0])),
        segmentSizeMode="0",
        numMapUnitsPerScaleBarUnit="1000",
        height="3",
        labelBarSpace="2",
        boxContentSpace="1",
        alignment="0",
        lineWidth="0.3",
    )
    _item(
        layout,
        _PICTURE,
        "nord",
        _FRAMES["nord"],
        file=_NORTH_ARROW,
        mapUuid=map_uuid,
        northMode="0",
        northOffset="0",
        pictureRotation="0",
        resizeMode="0",
        anchorPoint="0",
        mode="1",
    )


def project_xml(
    gpkg: str,
    layers: Mapping[str, tuple[str, Sequence[str]]],
    *,
    title: str,
    sources: str,
    extent: BBox,
) -> str:
    """Return the ``.qgs`` XML of the project.

    Parameters
    ----------
    gpkg
        Path of the GeoPackage relative to the project (``./diagnostic.gpkg``).
    layers
        Layer name → (geometry type, attribute columns), for the layers present.
    title, sources
        Layout title and sources line (French).
    extent
        Extent of the map in Lambert-93 (xmin, ymin, xmax, ymax).
    """
    root = ET.Element("qgis", {"projectname": title, "version": _QGIS_VERSION})
    ET.SubElement(root, "homePath", {"path": ""})
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"), PROJECT_CRS)
    present = [(layer, shown) for layer, shown in _TREE if layer in layers]
    tree = ET.SubElement(root, "layer-tree-group")
    for layer, shown in present:
        ET.SubElement(
            tree,
            "layer-tree-layer",
            {
                "id": _layer_id(layer),
                "name": LAYER_TITLES[layer],
                "providerKey": "ogr",
                "source": f"{gpkg}|layername={layer}",
                "expanded": "0",
                "checked": "Qt::Checked" if shown else "Qt::Unchecked",
            },
        )
    project_layers = ET.SubElement(root, "projectlayers")
    for layer, _ in present:
        geometry, fields = layers[layer]
        project_layers.append(_map_layer(gpkg, layer, geometry, fields))
    order = ET.SubElement(root, "layerorder")
    for layer, _ in present:
        ET.SubElement(order, "layer", {"id": _layer_id(layer)})
    canvas = ET.SubElement(root, "mapcanvas", {"name": "theMapCanvas"})
    ET.SubElement(canvas, "units").text = "meters"
    xmin, ymin, xmax, ymax = extent
    box = ET.SubElement(canvas, "extent")
    for key, value in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
        ET.SubElement(box, key).text = str(value)
    _srs(ET.SubElement(canvas, "destinationsrs"), PROJECT_CRS)
    props = ET.SubElement(root, "properties")
    paths = ET.SubElement(props, "Paths")
    ET.SubElement(paths, "Absolute", {"type": "bool"}).text = "false"
    root.append(_layout(title, sources, extent, [x for x, shown in present if shown]))
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )


def _sources_line(run: RunRecord) -> str:
    items = [f"{s.source_id} ({s.vintage})" for s in run.sources]
    text = "Sources : " + ", ".join(items) + ". Calcul : Quartiers en transition"
    text += f", méthode {run.method.name} v{run.method.version}."
    if "osm" in run.source_ids():
        text += " © contributeurs OpenStreetMap (ODbL)."
    return text


def write_qgis_project(gpkg: Path, run: RunRecord, out_dir: Path) -> dict[str, Path]:
    """Write ``quartiers_<code>.qgz`` in ``out_dir`` (with the GeoPackage beside it).

    Parameters
    ----------
    gpkg
        The export's ``diagnostic.gpkg`` (copied into ``out_dir`` when elsewhere).
    run
        ``run.json`` of the diagnostic (``Diagnostic.record``: territory, sources, method).
    out_dir
        Folder of the project.

    Returns
    -------
    dict
        File name → path of the files written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    local = out_dir / gpkg.name
    if local.resolve() != gpkg.resolve():
        shutil.copy2(gpkg, local)
    layers: dict[str, tuple[str, Sequence[str]]] = {}
    for name, geometry in pyogrio.list_layers(local):
        if name in LAYER_TITLES and geometry:
            info = pyogrio.read_info(local, layer=name)
            layers[str(name)] = (str(geometry), [str(f) for f in info["fields"]])
    frame = pyogrio.read_dataframe(local, layer="cells" if "cells" in layers else "qpv")
    xmin, ymin, xmax, ymax = (float(v) for v in frame.to_crs(PROJECT_CRS).total_bounds)
    # the map item keeps the extent's proportions: widen the extent to the frame's
    _, _, width, height = _FRAMES["carte"]
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half_w, half_h = 0.52 * (xmax - xmin), 0.52 * (ymax - ymin)
    half_w, half_h = max(half_w, half_h * width / height), max(half_h, half_w * height / width)
    code = run.territory.code or "territoire"
    title = f"Vulnérabilité aux vagues de chaleur — {run.territory.name or code}"
    xml = project_xml(
        f"./{gpkg.name}",
        layers,
        title=title,
        sources=_sources_line(run),
        extent=(cx - half_w, cy - half_h, cx + half_w, cy + half_h),
    )
    path = out_dir / f"quartiers_{code}.qgz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"quartiers_{code}.qgs", xml)
    logger.info("projet QGIS écrit : %s", path)
    return {path.name: path, local.name: local}
