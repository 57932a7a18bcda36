"""Open-data exports of a diagnostic: GeoPackage with QGIS styles, GeoParquet, CSV, provenance.

The export folder holds the diagnostic's standard files, written by the same writer as the
output directory (:func:`quartiers.diagnostic._io.write`), then completed for reuse:

- ``diagnostic.gpkg``: layers ``cells``, ``qpv``, ``zones`` (and ``hotspots`` when the
  diagnostic has one) with a default style per layer in the ``layer_styles`` table that
  QGIS reads (QML with French field aliases, and SLD), and the run's provenance in the
  GeoPackage metadata extension (dataset and layers);
- ``cells.parquet``, ``qpv.parquet``, ``zones.parquet``: GeoParquet with the provenance in
  the file's key-value metadata (``quartiers:provenance``);
- ``qpv.csv``, ``zones.csv``, ``climat.csv``: column identifiers, comma, UTF-8, with a
  ``.csvt`` type file so GDAL and QGIS read INSEE codes as text;
- ``qpv_libelles.csv``: the QPV table for spreadsheets (French column labels from the data
  dictionary, ``;`` separator, decimal comma, UTF-8 with BOM, text quoted);
- ``dictionnaire.csv``: label, unit, direction and source of every column;
- ``metadonnees.xml`` (ISO 19115/19139, INSPIRE-style) and ``metadonnees.jsonld``
  (DCAT-AP), for regional data portals to harvest (see :mod:`quartiers.outputs.metadata`);
- ``LISEZMOI.txt`` and ``run.json`` (with the SHA-256 of every exported file).
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
import pyarrow.parquet as pq
import pyogrio

from quartiers.checksum import file_sha256
from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic import _io as _run_io
from quartiers.diagnostic._dictionary import describe
from quartiers.outputs._layer_info import LAYER_DESCRIPTIONS
from quartiers.outputs._qgis_styles import layer_style
from quartiers.outputs.metadata import (
    METADATA_FILES,
    Contact,
    dcat_jsonld,
    iso19139_xml,
    record_from_run,
)
from quartiers.settings import Settings, get_settings

__all__ = [
    "CODE_COLUMNS",
    "EXPORT_FILES",
    "GPKG_PROVENANCE_KEY",
    "PROVENANCE_KEY",
    "export_open_data",
    "provenance",
    "stamp_parquet",
    "style_geopackage",
    "write_csvt",
    "write_labelled_csv",
]

logger = logging.getLogger(__name__)

#: Columns holding codes (INSEE, SIREN, QPV, cell ids): always text, never numbers.
CODE_COLUMNS = frozenset(
    {"code_qp", "insee_com", "insee_coms", "siren_epci", "zone_id", "code", "idcar_200m"}
)
#: Key of the provenance in GeoParquet key-value metadata.
PROVENANCE_KEY = "quartiers:provenance"
#: Key of the provenance in the GeoPackage metadata (GDAL metadata item, no colon).
GPKG_PROVENANCE_KEY = "QUARTIERS_PROVENANCE"
#: Files added to the standard output files by the export.
EXPORT_FILES = (
    "qpv.csvt",
    "zones.csv",
    "zones.csvt",
    "climat.csv",
    "climat.csvt",
    "qpv_libelles.csv",
    "LISEZMOI.txt",
    *METADATA_FILES,
)
_GPKG_DATE = "2000-01-01T00:00:00.000Z"
_GDAL_MD_URI = "http://gdal.org"


def provenance(diag: Diagnostic) -> dict[str, Any]:
    """Return the provenance stamped on every exported file (a summary of ``run.json``)."""
    run = diag.record
    return {
        "format": run.format,
        "territory": run.territory.model_dump(mode="json", exclude_unset=True),
        "crs": run.crs,
        "horizon": run.horizon.model_dump(mode="json", exclude_unset=True),
        "code_version": dict(run.code_version),
        "method": {
            "name": run.method.name,
            "version": run.method.version,
            "sha256": run.method.sha256,
        },
        "sources": [
            {k: getattr(s, k) for k in ("source_id", "vintage", "licence", "sha256", "retrieved")}
            for s in run.sources
        ],
        "missing_dimensions": list(run.missing_dimensions),
    }


def _labels(columns: Sequence[str]) -> dict[str, str]:
    return {c: describe(c)[0] for c in columns}


# ---------------------------------------------------------------- GeoPackage


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


def style_geopackage(path: Path, descriptions: Mapping[str, str], stamp: Mapping[str, Any]) -> None:
    """Add QGIS default styles and provenance metadata to every layer of a GeoPackage.

    Parameters
    ----------
    path
        The GeoPackage written by :func:`quartiers.diagnostic._io.write`.
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
            style = layer_style(name, fields, _labels(fields))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
                (
                    name,
                    info["geometry_name"] or "geom",
                    style.name,
                    style.qml,
                    style.sld,
                    style.description,
                    _GPKG_DATE,
                ),
            )
            _add_metadata(
                con,
                name,
                {
                    "DESCRIPTION": descriptions.get(name, style.description),
                    GPKG_PROVENANCE_KEY: text,
                },
            )


# ---------------------------------------------------------------- Parquet, CSV


def stamp_parquet(path: Path, stamp: Mapping[str, Any]) -> None:
    """Add the provenance to a (Geo)Parquet file's key-value metadata (``geo`` kept)."""
    table = pq.read_table(path)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY.encode()] = json.dumps(stamp, ensure_ascii=False).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(metadata), path)


def _csvt_type(series: pd.Series) -> str:
    if series.name in CODE_COLUMNS:
        return "String"
    if pd.api.types.is_bool_dtype(series):
        return "Integer(Boolean)"
    if pd.api.types.is_integer_dtype(series):
        return "Integer"
    if pd.api.types.is_float_dtype(series):
        return "Real"
    return "String"


def write_csvt(frame: pd.DataFrame, csv_path: Path) -> Path:
    """Write the GDAL ``.csvt`` sidecar giving each CSV column's type (codes as text)."""
    path = csv_path.with_suffix(".csvt")
    types = ",".join(f'"{_csvt_type(frame[c])}"' for c in frame.columns)
    path.write_text(types + "\n", encoding="utf-8")
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
    write_csvt(frame, path)


def write_labelled_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table for spreadsheets: French labels, ``;``, decimal comma, BOM, text quoted."""
    labels = _labels(list(frame.columns))
    seen: dict[str, int] = {}
    header = []
    for column in frame.columns:
        label = labels[column] or column
        seen[label] = seen.get(label, 0) + 1
        header.append(label if seen[label] == 1 else f"{label} ({column})")
    out = frame.copy()
    for column in out.columns:
        if column in CODE_COLUMNS or not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype("string")
    out.columns = header
    out.to_csv(
        path,
        index=False,
        sep=";",
        decimal=",",
        float_format="%.6g",
        encoding="utf-8-sig",
        quoting=csv.QUOTE_NONNUMERIC,
        lineterminator="\r\n",
    )
    return path


def _readme(diag: Diagnostic, files: Sequence[str]) -> str:
    run = diag.record
    method = run.method
    lines = [
        "Quartiers en transition — export des données du diagnostic",
        "=" * 58,
        "",
        f"Territoire : {run.territory.name} ({run.territory.code})",
        f"Système de coordonnées : {run.crs} (LAEA Europe, mètres)",
        f"Horizon climatique : {run.horizon.label}",
        f"Méthode : {method.name} v{method.version} (SHA-256 {(method.sha256 or '')[:16]}…)",
        "",
        "Fichiers :",
        "- diagnostic.gpkg : couches cells (carreaux de 200 m), qpv, zones ; styles QGIS "
        "par défaut (table layer_styles) et provenance (métadonnées) ;",
        "- *.parquet : les mêmes couches en GeoParquet (provenance dans les métadonnées) ;",
        "- qpv.csv, zones.csv, climat.csv : tables (identifiants de colonnes, virgule, UTF-8) "
        "et leur fichier .csvt (types : codes INSEE lus comme texte) ;",
        "- qpv_libelles.csv : table des QPV pour tableur (libellés français, point-virgule, "
        "virgule décimale) ;",
        "- dictionnaire.csv : libellé, unité, sens et source de chaque colonne ;",
        "- run.json : provenance complète (versions, méthode, sources et empreintes SHA-256) ;",
        "- metadonnees.xml (ISO 19139, INSPIRE) et metadonnees.jsonld (DCAT-AP) : fiches de "
        "métadonnées à moissonner par un portail de données.",
        "",
        "Sources :",
    ]
    for src in run.sources:
        lines.append(f"- {src.source_id} : millésime {src.vintage}, licence {src.licence}")
    if "osm" in run.source_ids():
        lines.append("Données OpenStreetMap © contributeurs OpenStreetMap, licence ODbL 1.0.")
    lines += [
        "",
        "Les carreaux de moins de 11 ménages sont estimés par l'INSEE (colonne imputed) : ne",
        "jamais présenter un carreau comme un fait sur des personnes identifiables.",
        "",
        f"Fichiers de l'export : {', '.join(files)}",
    ]
    return "\n".join(lines) + "\n"


def write_metadata(
    diag: Diagnostic, out_dir: Path, settings: Settings, files: Sequence[str]
) -> dict[str, Path]:
    """Write the ISO 19139 and DCAT-AP records of an export (contact from the settings)."""
    organisation = settings.contact_organisation or "Producteur non renseigné"
    if not settings.contact_organisation:
        logger.warning(
            "métadonnées : contact non renseigné (QUARTIERS_CONTACT_ORGANISATION, "
            "QUARTIERS_CONTACT_EMAIL) ; les portails demandent un organisme et une adresse"
        )
    layers = [diag.cells, diag.qpv]
    bounds = [layer.to_crs("OGC:CRS84").total_bounds for layer in layers if len(layer)]
    box = (
        min(float(b[0]) for b in bounds),
        min(float(b[1]) for b in bounds),
        max(float(b[2]) for b in bounds),
        max(float(b[3]) for b in bounds),
    )
    created = datetime.now(UTC).date()
    record = record_from_run(
        diag.record, box, Contact(organisation, settings.contact_email), files, created
    )
    xml_path, jsonld_path = (out_dir / name for name in METADATA_FILES)
    xml_path.write_text(iso19139_xml(record), encoding="utf-8")
    jsonld_path.write_text(
        json.dumps(dcat_jsonld(record), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {xml_path.name: xml_path, jsonld_path.name: jsonld_path}


def export_open_data(
    diag: Diagnostic, out_dir: Path, *, settings: Settings | None = None
) -> dict[str, Path]:
    """Write the open-data export of a diagnostic and return the files written.

    Parameters
    ----------
    diag
        The diagnostic.
    out_dir
        Export folder (created; existing export files are replaced).
    settings
        Settings giving the metadata contact (default: read from the environment).

    Returns
    -------
    dict
        File name → path, including ``run.json`` (whose ``outputs`` holds the SHA-256 of
        every other file and ``export`` what the export added).
    """
    out_dir = Path(out_dir)
    paths = dict(_run_io.write(diag, out_dir))
    stamp = provenance(diag)
    gpkg = paths["diagnostic.gpkg"]
    style_geopackage(gpkg, LAYER_DESCRIPTIONS, stamp)
    for name in [n for n in paths if n.endswith(".parquet")]:
        stamp_parquet(paths[name], stamp)
    qpv = diag.qpv_table()
    paths["qpv.csvt"] = write_csvt(qpv, paths["qpv.csv"])
    zones = pd.DataFrame(diag.zones.drop(columns="geometry"))
    paths["zones.csv"] = out_dir / "zones.csv"
    _write_csv(zones, paths["zones.csv"])
    paths["zones.csvt"] = out_dir / "zones.csvt"
    paths["climat.csv"] = out_dir / "climat.csv"
    _write_csv(diag.climate, paths["climat.csv"])
    paths["climat.csvt"] = out_dir / "climat.csvt"
    paths["qpv_libelles.csv"] = write_labelled_csv(qpv, out_dir / "qpv_libelles.csv")
    paths["LISEZMOI.txt"] = out_dir / "LISEZMOI.txt"
    paths.update(write_metadata(diag, out_dir, settings or get_settings(), sorted(paths)))
    names = sorted(paths)
    paths["LISEZMOI.txt"].write_text(_readme(diag, names), encoding="utf-8")
    run = dict(diag.run)
    run["outputs"] = {n: file_sha256(p) for n, p in sorted(paths.items()) if n != "run.json"}
    run["export"] = {
        "files": [n for n in names if n != "run.json"],
        "styles": "table layer_styles du GeoPackage (QML, SLD)",
        "provenance_key": PROVENANCE_KEY,
    }
    paths["run.json"].write_text(
        json.dumps(run, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    logger.info("export écrit dans %s (%d fichiers)", out_dir, len(paths))
    return paths
