"""Offline map page ``carte.html``: cells coloured by an indicator, QPV outlines, popups.

The page works opened from disk (``file://``): MapLibre GL JS is copied next to it into
``assets/`` (from the npm package that ``make install`` vendors), the data are embedded
inline as GeoJSON in WGS84, and there is no CDN, tile or font server — only vector
layers, with QPV labels drawn as HTML markers (text layers would need a glyph server). The
diagnostic's offline background map (``fond_de_carte/``: streets, water, green areas,
buildings and names, or the commune and QPV outlines) is embedded too, drawn by the web
app's own ``fond.js`` copied into ``assets/``.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.errors import InputError
from quartiers.indicators.registry import REGISTRY
from quartiers.outputs.classes import NO_DATA_COLOUR, NO_DATA_LABEL, Legend, class_of
from quartiers.outputs.formatting import MISSING, SHARE_UNIT, format_number, unit_style
from quartiers.outputs.legends import CELL_MAP_LIMIT
from quartiers.outputs.templating import template_environment
from quartiers.report._carte_pack import pack_collection

__all__ = ["VENDOR_DIR", "aggregated_note", "write_carte"]

#: MapLibre files vendored by ``make install`` (see the Makefile's ``assets`` target).
VENDOR_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"
_ASSETS = ("maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt")
_FOND_JS = VENDOR_DIR.parent / "js" / "fond.js"


_CELL_COLUMNS = ("idcar_200m", "population", "imputed")
_QPV_COLUMNS = ("code_qp", "lib_qp")
_QPV_OPTIONAL = ("population", "poverty_rate", "index", "rank")
_DIGITS = 6  # coordinates: about 0.1 m


def write_carte(
    out_dir: Path,
    *,
    cells: gpd.GeoDataFrame,
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    title: str,
    fictitious: bool,
    indicators: Sequence[Legend],
    basemap: Path | None = None,
    cell_limit: int = CELL_MAP_LIMIT,
    served_as: Path | None = None,
) -> Path:
    """Write ``out_dir/carte.html`` and its ``assets/``; return the page's path.

    Parameters
    ----------
    out_dir
        Output directory (created if needed).
    cells
        200 m cells with ``idcar_200m``, ``population``, ``imputed`` and the indicator
        columns; any CRS (reprojected to WGS84).
    qpv
        QPV with ``code_qp``, ``lib_qp`` and, when present, ``population``,
        ``poverty_rate``, ``index``, ``rank``.
    communes
        Commune outlines drawn under the cells (``nom`` or ``insee_com`` labels), or None.
    title, fictitious
        Page title (French); show the « territoire fictif » banner.
    indicators
        Legends of the cell columns offered in the selector (:mod:`quartiers.outputs.legends`:
        the classes, colours and words of the web map and the PDF maps); the default is
        ``index`` when offered, else ``poverty_rate``, else the first. The pop-ups write
        values with the rule of :mod:`quartiers.outputs.formatting` (decimals and unit of the
        indicator's registry unit, « non disponible » when missing).
    basemap
        A ``fond_de_carte/`` folder (:mod:`quartiers.diagnostic.basemap`) embedded, or None.
    cell_limit
        Above this many cells (a national run: millions), the page does not inline them:
        it colours each QPV by its own value with the same legend and says, in French,
        that the cells are in the web app (:func:`aggregated_note`).
    served_as
        The folder the page ends in when ``out_dir`` is a temporary one renamed at the end
        (:func:`quartiers.atomic.output_dir`), named by the note; default ``out_dir``.
    """
    _check_inputs(cells, qpv, indicators)
    sources = _vendored_assets()
    offered = [lg.indicator for lg in indicators]
    default = next((c for c in ("index", "poverty_rate") if c in offered), offered[0])
    aggregated = len(cells) > cell_limit  # national size: the QPV coloured, not the cells
    cells84 = _to_wgs84(
        _with_classes(cells.iloc[:0] if aggregated else cells, indicators), "cellules"
    )
    qpv84 = _to_wgs84(_with_classes(qpv, indicators) if aggregated else qpv, "QPV")
    props = list(_CELL_COLUMNS) + [c for c in offered if c not in _CELL_COLUMNS]
    props += [_class_column(lg) for lg in indicators]
    qpv_props = list(_QPV_COLUMNS) + [c for c in _QPV_OPTIONAL if c in qpv84.columns]
    if aggregated:
        qpv_props += [c for c in props if c in qpv84.columns and c not in qpv_props]
    shown = qpv84 if aggregated else cells84
    data: dict[str, Any] = {
        "cells": pack_collection(_feature_collection(cells84, props)),
        "aggregated": aggregated,
        "qpv": pack_collection(_feature_collection(qpv84, qpv_props)),
        # national size: 1,600 name boxes would hide the map; the basemap names QPV by zoom
        "labels": [] if aggregated else _labels(qpv84),
        "communes": None,
        "indicators": [_layer(lg) for lg in indicators],
        "default": default,
        "noData": NO_DATA_COLOUR,
        "noDataLabel": NO_DATA_LABEL,
        "missing": MISSING,
        "styles": _popup_styles(),
        "bounds": [round(float(v), _DIGITS) for v in shown.total_bounds],
    }
    if communes is not None:
        data["communes"] = pack_collection(_commune_outlines(communes))
    data["fond"] = _inline_basemap(basemap) if basemap is not None else None
    note = aggregated_note(len(cells), served_as or out_dir) if aggregated else ""
    return _write_page(out_dir, sources, data, title=title, fictitious=fictitious, note=note)


def _check_inputs(
    cells: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, indicators: Sequence[Legend]
) -> None:
    """Raise an :class:`InputError` naming what the page lacks."""
    _check_columns(cells, _CELL_COLUMNS, "cellules")
    _check_columns(qpv, _QPV_COLUMNS, "QPV")
    if not indicators:
        raise InputError("carte : aucun indicateur à afficher (liste « indicators » vide)")
    _check_columns(cells, tuple(lg.indicator for lg in indicators), "cellules")


def aggregated_note(cells: int, out_dir: Path) -> str:
    """Return the French note of a map too large for its cells (they are in the web app)."""
    return (
        f"{format_number(cells, 0)} carreaux de 200 m : trop pour une page hors ligne. "
        "Cette carte colore chaque QPV par sa valeur ; les carreaux sont dans l'application "
        f"web : « quartiers serve {out_dir.name} » depuis le dossier parent."
    )


def _write_page(
    out_dir: Path,
    sources: Sequence[Path],
    data: dict[str, Any],
    *,
    title: str,
    fictitious: bool,
    note: str = "",
) -> Path:
    """Copy the assets into ``out_dir/assets`` and write ``out_dir/carte.html``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    assets = out_dir / "assets"
    assets.mkdir(exist_ok=True)
    for src in [*sources, _FOND_JS]:
        shutil.copyfile(src, assets / src.name)
    html = (
        template_environment("report")
        .get_template("carte.html.j2")
        .render(
            title=title,
            fictitious=fictitious,
            data_json=_script_json(data),
            fond_attribution=(data["fond"] or {}).get("attribution", ""),
            note=note,
        )
    )
    page = out_dir / "carte.html"
    page.write_text(html, encoding="utf-8")
    return page


def _inline_basemap(folder: Path) -> dict[str, Any] | None:
    """Return the background of ``folder`` with its files' content inline, or None."""
    manifest_path = folder / "fond.json"
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        bands = [
            {**band, "data": _read_packed(folder / f"{band['file']}.geojson")}
            for band in manifest["bands"]
        ]
        contours = _read_packed(folder / manifest["contours"])
        labels = _read_packed(folder / manifest["labels"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{manifest_path} : fond de carte illisible ({exc})") from None
    return {
        "attribution": manifest.get("attribution", ""),
        "bands": bands,
        "contours": contours,
        "labels": labels,
    }


def _read_packed(path: Path) -> dict[str, Any]:
    """Read a GeoJSON file of the background in the page's compact form."""
    return pack_collection(json.loads(path.read_text("utf-8")))


def _class_column(legend: Legend) -> str:
    return f"_classe_{legend.indicator}"


def _with_classes(cells: gpd.GeoDataFrame, legends: Sequence[Legend]) -> gpd.GeoDataFrame:
    """Add each cell's class per legend (-1: no value), computed here on the exact values.

    The page colours a cell by this class, not by its rounded value, so that it matches
    the web map and the PDF maps (:func:`quartiers.outputs.classes.class_of`).
    """
    out = cells.copy()
    for legend in legends:
        if legend.indicator not in out.columns:  # the QPV layer lacks some cell columns
            out[_class_column(legend)] = np.full(len(out), -1)
            continue
        values = pd.to_numeric(out[legend.indicator], errors="coerce").to_numpy(
            "float64", na_value=np.nan
        )
        classes = class_of(values, legend.breaks)
        out[_class_column(legend)] = classes if legend.colours else np.full(len(out), -1)
    return out


def _style(unit: str) -> dict[str, Any]:
    """Return the display rule of a unit for the page's script (:mod:`.outputs.formatting`)."""
    style = unit_style(unit)
    return {"scale": style.scale, "decimals": style.decimals, "suffix": style.suffix}


def _popup_styles() -> dict[str, Any]:
    """Return the number styles the page's pop-ups use (those of the one French formatter)."""
    return {
        "habitants": _style("habitants"),
        "part": _style(SHARE_UNIT),
        "indice": _style("indice 0–1"),
        "rang": _style("rang"),
    }


def _vendored_assets() -> list[Path]:
    """Return the MapLibre files to copy, or say how to install them (French)."""
    sources = [VENDOR_DIR / name for name in _ASSETS]
    missing = [p.name for p in sources if not p.is_file()]
    if missing:
        raise InputError(
            f"{VENDOR_DIR} : fichiers MapLibre absents ({', '.join(missing)}) ; "
            "lancez « make install » pour les installer depuis npm"
        )
    return sources


def _commune_outlines(communes: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the commune outlines drawn under the cells (WGS84 GeoJSON, code and name)."""
    com84 = _to_wgs84(communes, "communes")
    keep = [c for c in ("insee_com", "nom") if c in com84.columns]
    return _feature_collection(com84, keep)


def _layer(legend: Legend) -> dict[str, Any]:
    """Return what the page's script needs to colour and explain one indicator."""
    unit = REGISTRY[legend.indicator].unit if legend.indicator in REGISTRY else "indice 0–1"
    return {
        "column": legend.indicator,
        "classColumn": _class_column(legend),
        "label": legend.title,
        "style": _style(unit),
        "breaks": list(legend.breaks),
        "colours": list(legend.colours),
        "labels": list(legend.labels),
        "note": legend.note,
    }


def _check_columns(frame: gpd.GeoDataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"carte : colonne(s) {', '.join(missing)} absente(s) de la table des {what} "
            f"(colonnes présentes : {', '.join(map(str, frame.columns))})"
        )


def _to_wgs84(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise InputError(f"carte : la table des {what} n'a pas de système de coordonnées (CRS)")
    out = frame.to_crs("EPSG:4326")
    out = out.set_geometry(shapely.set_precision(out.geometry.values, 10.0**-_DIGITS))
    return out


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else round(f, 6)
    return str(value)


def _feature_collection(frame: gpd.GeoDataFrame, columns: list[str]) -> dict[str, Any]:
    geometries = shapely.to_geojson(np.asarray(frame.geometry.values))
    records = frame[columns].to_dict("records")
    features = [
        {
            "type": "Feature",
            "properties": {c: _json_value(rec[c]) for c in columns},
            "geometry": json.loads(str(geom)),
        }
        for rec, geom in zip(records, geometries, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _labels(qpv84: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return the QPV name labels: code, name and a point inside each perimeter (WGS84)."""
    return [
        {"code": str(r["code_qp"]), "name": str(r["lib_qp"]), "lon": x, "lat": y}
        for r, x, y in _label_points(qpv84)
    ]


def _label_points(frame: gpd.GeoDataFrame) -> list[tuple[pd.Series, float, float]]:
    points = shapely.point_on_surface(frame.geometry.values)
    return [
        (
            frame.iloc[k],
            round(float(shapely.get_x(p)), _DIGITS),
            round(float(shapely.get_y(p)), _DIGITS),
        )
        for k, p in enumerate(points)
    ]


def _script_json(data: dict[str, Any]) -> str:
    """Return JSON safe to inline in a ``<script>`` element (no ``</script>`` breakout)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
