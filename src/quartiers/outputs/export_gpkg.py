"""The GeoPackage of the open-data export: QGIS default styles and provenance metadata.

QGIS reads a layer's default style from the ``layer_styles`` table (QML with French field
aliases, and SLD); the provenance goes in the GeoPackage metadata extension (dataset and
layers), as GDAL writes it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyogrio

from quartiers.diagnostic.dictionary import describe
from quartiers.outputs._qgis_hazard_styles import HAZARD_STYLE_COLUMNS, hazard_style
from quartiers.outputs._qgis_styles import LayerStyle, layer_style
from quartiers.outputs.layer_info import LAYER_DESCRIPTIONS

__all__ = ["GPKG_PROVENANCE_KEY", "style_geopackage", "styled_copy"]

#: Key of the provenance in the GeoPackage metadata (GDAL metadata item, no colon).
GPKG_PROVENANCE_KEY = "QUARTIERS_PROVENANCE"
_GPKG_DATE = "2000-01-01T00:00:00.000Z"
_GDAL_MD_URI = "http://gdal.org"


def _labels(columns: list[str]) -> dict[str, str]:
    return {c: describe(c)[0] for c in columns}


def _metadata_xml(items: Mapping[str, str]) -> str:
    mdi = "".join(f'<MDI key="{escape(k)}">{escape(v)}</MDI>' for k, v in items.items())
    return f"<GDALMultiDomainMetadata><Metadata>{mdi}</Metadata></GDALMultiDomainMetadata>"


_STYLES_TABLE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""
_METADATA_TABLES = """
CREATE TABLE IF NOT EXISTS gpkg_metadata (
    id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
    md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
    reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
    timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
    CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
    CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
"""
_METADATA_EXTENSION = "http://www.geopackage.org/spec120/#extension_metadata"


def _add_metadata(con: sqlite3.Connection, table: str | None, items: Mapping[str, str]) -> None:
    """Attach GDAL-style metadata to the GeoPackage (``table`` None) or one layer."""
    cur = con.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
        "VALUES ('dataset', ?, 'text/xml', ?)",
        (_GDAL_MD_URI, _metadata_xml(items)),
    )
    scope = "geopackage" if table is None else "table"
    con.execute(
        "INSERT INTO gpkg_metadata_reference "
        "(reference_scope, table_name, timestamp, md_file_id) VALUES (?, ?, ?, ?)",
        (scope, table, _GPKG_DATE, cur.lastrowid),
    )


def _insert_style(
    con: sqlite3.Connection, table: str, geometry: str, style: LayerStyle, *, default: bool
) -> None:
    """Add one QGIS style of ``table`` (the layer's default one when ``default``)."""
    con.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
        "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', NULL, ?)",
        (
            table,
            geometry,
            style.name,
            style.qml,
            style.sld,
            1 if default else 0,
            style.description,
            _GPKG_DATE,
        ),
    )


def _hazard_columns(con: sqlite3.Connection, fields: list[str]) -> list[str]:
    """Return the hazard share columns of ``cells`` that hold at least one value."""
    out = []
    for column in HAZARD_STYLE_COLUMNS:
        if column in fields:
            found = con.execute(
                f'SELECT 1 FROM "cells" WHERE "{column}" IS NOT NULL LIMIT 1'
            ).fetchone()
            if found is not None:
                out.append(column)
    return out


def style_geopackage(path: Path, descriptions: Mapping[str, str], stamp: Mapping[str, Any]) -> None:
    """Add QGIS default styles and provenance metadata to every layer of a GeoPackage.

    Parameters
    ----------
    path
        The GeoPackage written by :func:`quartiers.diagnostic.run_files.write`.
    descriptions
        Layer name → French description (also its metadata ``DESCRIPTION``).
    stamp
        Provenance stored as JSON in the dataset and layer metadata.
    """
    layers = [name for name, _ in pyogrio.list_layers(path)]
    infos = {name: pyogrio.read_info(path, layer=name) for name in layers}
    text = json.dumps(stamp, ensure_ascii=False, sort_keys=True)
    with closing(sqlite3.connect(path)) as con, con:
        con.execute(_STYLES_TABLE)
        con.executescript(_METADATA_TABLES)
        con.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change, srs_id) VALUES "
            "('layer_styles', 'attributes', 'layer_styles', 'Styles QGIS', ?, 0)",
            (_GPKG_DATE,),
        )
        for table in ("gpkg_metadata", "gpkg_metadata_reference"):
            con.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                "definition, scope) VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                (table, _METADATA_EXTENSION),
            )
        _add_metadata(
            con,
            None,
            {"TITLE": "Diagnostic Quartiers en transition", GPKG_PROVENANCE_KEY: text},
        )
        for name in layers:
            info = infos[name]
            fields = [str(f) for f in info["fields"]]
            labels = _labels(fields)
            geometry = info["geometry_name"] or "geom"
            default = layer_style(name, fields, labels)
            _insert_style(con, name, geometry, default, default=True)
            if name == "cells":
                for column in _hazard_columns(con, fields):
                    hazard = hazard_style(column, fields, labels)
                    _insert_style(con, name, geometry, hazard, default=False)
            _add_metadata(
                con,
                name,
                {
                    "DESCRIPTION": descriptions.get(name, default.description),
                    GPKG_PROVENANCE_KEY: text,
                },
            )


def styled_copy(source: Path, target: Path, stamp: Mapping[str, Any]) -> Path:
    """Copy a diagnostic's GeoPackage to ``target`` and add its QGIS styles and provenance."""
    shutil.copyfile(source, target)
    style_geopackage(target, LAYER_DESCRIPTIONS, stamp)
    return target
