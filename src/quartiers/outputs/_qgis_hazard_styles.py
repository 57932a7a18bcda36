"""QGIS styles of the hazard layers: the share of residents in each hazard zone, per cell.

The GeoPackage's ``cells`` layer carries ``flood_residents``, ``sea_residents``,
``clay_residents`` and ``multi_hazard_residents``. Each gets a named, non-default style in
the ``layer_styles`` table (QGIS: Propriétés de la couche › Symbologie › Style) with the
classes of the web map and the PDF sheets (:data:`~quartiers.outputs.legends.HAZARD_BREAKS`:
no one in the zone, then quarters) and the same colours, so a cell reads the same in QGIS
as on the web. A hazard without any value in the layer (no source given) gets no style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from quartiers.indicators.hazard_registry import HAZARD_GROUPS, hazard_indicator_id
from quartiers.outputs._qgis_styles import (
    LayerStyle,
    fill_symbol,
    qml_document,
    sld_document,
    sld_fill,
)
from quartiers.outputs.classes import PALETTES
from quartiers.outputs.formatting import format_value
from quartiers.outputs.legends import HAZARD_BREAKS

__all__ = ["HAZARD_CLASSES", "HAZARD_STYLE_COLUMNS", "hazard_style"]

#: Styled column → French style name.
HAZARD_STYLE_COLUMNS: dict[str, str] = {
    hazard_indicator_id(group, "residents"): f"Part des habitants {where}"
    for group, where in HAZARD_GROUPS.items()
}


def _percent(value: float) -> str:
    return format_value(value, "part (0–1)")


def _classes() -> tuple[tuple[float, float, str, str], ...]:
    """Return the classes (lower, upper, colour, French label), as on the web map."""
    bounds = [*HAZARD_BREAKS, 1.0]
    colours = PALETTES[len(bounds)]
    out = [(0.0, 0.0, colours[0], "personne en zone (0 %)")]
    for k in range(1, len(bounds)):
        low, high = bounds[k - 1], bounds[k]
        start = "0 %" if low == 0 else _percent(low)  # the web legend's words
        label = f"plus de {start} à {_percent(high)}"
        out.append((low, high, colours[k], label))
    return tuple(out)


#: (lower, upper, colour, label) of the hazard classes; a value equal to a bound falls in
#: the lower class (the first matching range wins in QGIS).
HAZARD_CLASSES = _classes()


def _qml_renderer(column: str) -> str:
    ranges = "".join(
        f'<range lower="{low:.6f}" upper="{high:.6f}" symbol="{k}" label={quoteattr(label)} '
        'render="true"/>'
        for k, (low, high, _, label) in enumerate(HAZARD_CLASSES)
    )
    symbols = "".join(
        fill_symbol(str(k), colour, outline="#bdbdbd", width=0.1)
        for k, (_, _, colour, _) in enumerate(HAZARD_CLASSES)
    )
    return (
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(column)} '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<ranges>{ranges}</ranges><symbols>{symbols}</symbols>"
        '<classificationMethod id="Fixed"/></renderer-v2>'
    )


def _sld_rules(column: str) -> list[str]:
    rules = []
    name = escape(column)
    for k, (low, high, colour, label) in enumerate(HAZARD_CLASSES):
        if k == 0:
            cond = (
                "<ogc:PropertyIsEqualTo>"
                f"<ogc:PropertyName>{name}</ogc:PropertyName><ogc:Literal>0</ogc:Literal>"
                "</ogc:PropertyIsEqualTo>"
            )
        else:
            cond = (
                "<ogc:And><ogc:PropertyIsGreaterThan>"
                f"<ogc:PropertyName>{name}</ogc:PropertyName><ogc:Literal>{low}</ogc:Literal>"
                "</ogc:PropertyIsGreaterThan><ogc:PropertyIsLessThanOrEqualTo>"
                f"<ogc:PropertyName>{name}</ogc:PropertyName><ogc:Literal>{high}</ogc:Literal>"
                "</ogc:PropertyIsLessThanOrEqualTo></ogc:And>"
            )
        rules.append(
            f"<se:Rule><se:Name>{escape(label)}</se:Name><ogc:Filter>{cond}</ogc:Filter>"
            f"{sld_fill(colour, None)}</se:Rule>"
        )
    return rules


def hazard_style(column: str, fields: Sequence[str], labels: Mapping[str, str]) -> LayerStyle:
    """Return the named style of the ``cells`` layer for one hazard share column.

    Parameters
    ----------
    column
        One of :data:`HAZARD_STYLE_COLUMNS`.
    fields
        The layer's attribute columns, in order (for the French aliases).
    labels
        Column → French label (the data dictionary).
    """
    title = HAZARD_STYLE_COLUMNS[column]
    return LayerStyle(
        title,
        f"{title} (classes fixes : personne en zone, puis par quarts), par carreau de 200 m",
        qml_document(_qml_renderer(column), fields, labels),
        sld_document("cells", title, _sld_rules(column)),
    )
