"""QGIS layer styles (QML) and OGC SLD for the diagnostic layers, for GeoPackage exports.

QGIS reads a GeoPackage's ``layer_styles`` table (the QGIS style extension) and applies the
default style of each layer when it is opened. Styles use colour-blind-safe colours
(cividis for the index classes, Okabe–Ito for zone types) and carry the French field
aliases of the data dictionary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "INDEX_CLASSES",
    "LayerStyle",
    "fill_symbol",
    "layer_style",
    "qml_document",
    "sld_document",
    "sld_fill",
]

#: Classes of the ``quintile`` column: value, colour (cividis), French label.
INDEX_CLASSES: tuple[tuple[int, str, str], ...] = (
    (1, "#00224e", "1 — 20 % des habitants les moins vulnérables"),
    (2, "#434e6c", "2"),
    (3, "#7d7c78", "3"),
    (4, "#bcae6c", "4"),
    (5, "#fee838", "5 — 20 % des habitants les plus vulnérables"),
)
_NO_INDEX = ("#d9d9d9", "Sans indice (moins de 50 habitants)")
#: Zone types: value, colour (Okabe–Ito), French label.
_ZONE_CLASSES = (
    ("qpv", "#D55E00", "Quartier prioritaire (QPV)"),
    ("reste_commune", "#0072B2", "Reste de la commune (hors QPV)"),
    ("reste_epci", "#56B4E9", "Reste de l'intercommunalité (hors QPV)"),
)
_QGIS_VERSION = "3.28.0"


@dataclass(frozen=True)
class LayerStyle:
    """A style for one layer: QML for QGIS, SLD for other clients."""

    name: str
    description: str
    qml: str
    sld: str


def _rgba(colour: str, alpha: int = 255) -> str:
    h = colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _options(props: Mapping[str, str]) -> str:
    """Return symbol-layer properties both as QGIS ≥ 3.26 ``Option`` map and legacy ``prop``."""
    options = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
        for k, v in props.items()
    )
    legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{options}</Option>{legacy}'


def _fill_symbol(
    name: str, fill: str, *, alpha: int = 255, outline: str | None = None, width: float = 0.26
) -> str:
    props = {
        "color": _rgba(fill, alpha),
        "style": "solid" if alpha else "no",
        "outline_color": _rgba(outline or fill),
        "outline_style": "solid" if outline else "no",
        "outline_width": f"{width}",
        "outline_width_unit": "MM",
        "joinstyle": "miter",
    }
    return (
        f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        f"{_options(props)}</layer></symbol>"
    )


def _hatch_symbol(name: str) -> str:
    props = {
        "color": _rgba("#000000"),
        "style": "b_diagonal",
        "outline_color": _rgba("#000000"),
        "outline_style": "solid",
        "outline_width": "0.4",
        "outline_width_unit": "MM",
    }
    return (
        f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        f"{_options(props)}</layer></symbol>"
    )


def _categorized(attr: str, classes: Sequence[tuple[str, str, str]]) -> str:
    """Return a categorized renderer; ``classes`` = (value, symbol XML, label)."""
    cats = "".join(
        f'<category value={quoteattr(v)} symbol="{k}" label={quoteattr(label)} render="true"/>'
        for k, (v, _, label) in enumerate(classes)
    )
    symbols = "".join(sym for _, sym, _ in classes)
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attr)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2>"
    )


def _single(symbol: str) -> str:
    return (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{symbol}</symbols></renderer-v2>"
    )


def _labeling(field: str) -> str:
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(field)} isExpression="0" fontFamily="DejaVu Sans" '
        'fontSize="9" fontSizeUnit="Point" textColor="0,0,0,255" fontWeight="75">'
        '<text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255"/></text-style>'
        '<placement placement="0" dist="0"/><rendering obstacle="1" scaleVisibility="0"/>'
        "</settings></labeling>"
    )


def _aliases(fields: Sequence[str], labels: Mapping[str, str]) -> str:
    items = "".join(
        f'<alias field={quoteattr(f)} index="{k}" name={quoteattr(labels.get(f, ""))}/>'
        for k, f in enumerate(fields)
    )
    return f"<aliases>{items}</aliases>"


def _qml(renderer: str, fields: Sequence[str], labels: Mapping[str, str], label: str = "") -> str:
    enabled = "1" if label else "0"
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology|Labeling|Fields" '
        f'labelsEnabled="{enabled}">'
        f"{renderer}{_labeling(label) if label else ''}{_aliases(fields, labels)}</qgis>\n"
    )


# ---------------------------------------------------------------- SLD (SE 1.1)

_SLD_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
    'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.opengis.net/sld '
    'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
)


def _sld_fill(fill: str | None, stroke: str | None, width: float = 1.0) -> str:
    out = "<se:PolygonSymbolizer>"
    if fill:
        out += f'<se:Fill><se:SvgParameter name="fill">{fill}</se:SvgParameter></se:Fill>'
    if stroke:
        out += (
            f'<se:Stroke><se:SvgParameter name="stroke">{stroke}</se:SvgParameter>'
            f'<se:SvgParameter name="stroke-width">{width}</se:SvgParameter></se:Stroke>'
        )
    return out + "</se:PolygonSymbolizer>"


def _sld_rule(title: str, symbolizer: str, attr: str = "", value: str | None = None) -> str:
    cond = ""
    if attr and value is not None:
        cond = (
            "<ogc:Filter><ogc:PropertyIsEqualTo>"
            f"<ogc:PropertyName>{escape(attr)}</ogc:PropertyName>"
            f"<ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
        )
    elif attr:
        cond = (
            "<ogc:Filter><ogc:PropertyIsNull>"
            f"<ogc:PropertyName>{escape(attr)}</ogc:PropertyName>"
            "</ogc:PropertyIsNull></ogc:Filter>"
        )
    return f"<se:Rule><se:Name>{escape(title)}</se:Name>{cond}{symbolizer}</se:Rule>"


def _sld(layer: str, title: str, rules: Sequence[str]) -> str:
    return (
        f"{_SLD_HEAD}<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle>"
        f"<se:Name>{escape(title)}</se:Name><se:FeatureTypeStyle>{''.join(rules)}"
        "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


# ---------------------------------------------------------------- per layer


def layer_style(layer: str, fields: Sequence[str], labels: Mapping[str, str]) -> LayerStyle:
    """Return the style of a diagnostic layer (``cells``, ``qpv``, ``zones``, ``hotspots``).

    Parameters
    ----------
    layer
        Layer name.
    fields
        Its attribute columns, in order (for the French aliases).
    labels
        Column → French label (the data dictionary).
    """
    if layer == "cells":
        classes = [
            (str(v), _fill_symbol(str(k), colour), label)
            for k, (v, colour, label) in enumerate(INDEX_CLASSES)
        ]
        classes.append(("", _fill_symbol(str(len(classes)), _NO_INDEX[0]), _NO_INDEX[1]))
        qml = _qml(_categorized("quintile", classes), fields, labels)
        rules = [
            _sld_rule(lab, _sld_fill(c, None), "quintile", str(v)) for v, c, lab in INDEX_CLASSES
        ]
        rules.append(_sld_rule(_NO_INDEX[1], _sld_fill(_NO_INDEX[0], None), "quintile"))
        return LayerStyle(
            "Indice par carreau (classes)",
            "Classe de l'indice de vulnérabilité (1 à 5) par carreau de 200 m",
            qml,
            _sld(layer, "Indice par carreau", rules),
        )
    if layer == "zones":
        classes = [
            (v, _fill_symbol(str(k), c, alpha=60, outline=c, width=0.5), lab)
            for k, (v, c, lab) in enumerate(_ZONE_CLASSES)
        ]
        rules = [_sld_rule(lab, _sld_fill(c, c), "zone_type", v) for v, c, lab in _ZONE_CLASSES]
        return LayerStyle(
            "Zones de comparaison",
            "QPV, reste de la commune et reste de l'intercommunalité",
            _qml(_categorized("zone_type", classes), fields, labels),
            _sld(layer, "Zones de comparaison", rules),
        )
    if layer == "hotspots":
        return LayerStyle(
            "Points chauds",
            "Agrégats de carreaux très vulnérables (I de Moran local)",
            _qml(_single(_hatch_symbol("0")), fields, labels),
            _sld(layer, "Points chauds", [_sld_rule("Point chaud", _sld_fill(None, "#000000"))]),
        )
    symbol = _fill_symbol("0", "#000000", alpha=0, outline="#000000", width=0.8)
    return LayerStyle(
        "Périmètres des QPV",
        "Périmètres des quartiers prioritaires, avec leur nom",
        _qml(_single(symbol), fields, labels, label="lib_qp" if "lib_qp" in fields else ""),
        _sld(layer, "Périmètres des QPV", [_sld_rule("QPV", _sld_fill(None, "#000000", 2.0))]),
    )


#: Builders shared with the hazard styles (:mod:`quartiers.outputs._qgis_hazard_styles`).
fill_symbol = _fill_symbol
qml_document = _qml
sld_document = _sld
sld_fill = _sld_fill
