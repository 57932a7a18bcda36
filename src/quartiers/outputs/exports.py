"""Open-data exports of a diagnostic: GeoPackage with QGIS styles, GeoParquet, CSV, provenance.

The export folder holds the diagnostic's standard files, written by the same writer as the
output directory (:func:`quartiers.diagnostic.run_files.write`), then completed for reuse:

- ``diagnostic.gpkg``: layers ``cells``, ``qpv``, ``zones`` (and ``hotspots`` when the
  diagnostic has one) with a default style per layer in the ``layer_styles`` table that
  QGIS reads (QML with French field aliases, and SLD), and the run's provenance in the
  GeoPackage metadata extension (dataset and layers);
- ``cells.parquet``, ``qpv.parquet``, ``zones.parquet``: GeoParquet with the provenance in
  the file's key-value metadata (``quartiers:provenance``);
- ``qpv.csv``, ``zones.csv``, ``climat.csv``: column identifiers, comma, UTF-8, with a
  ``.csvt`` type file so GDAL and QGIS read INSEE codes as text;
- ``qpv_libelles.csv``: the QPV table for French Excel (see :mod:`quartiers.outputs.export_csv`:
  French headers with units, ``;``, decimal comma, UTF-8 with BOM, values rounded to their
  meaning, empty columns left out);
- ``dictionnaire.csv``: label, unit, direction and source of every column, and a ``remarque``
  naming the columns empty in this diagnostic;
- ``metadonnees.xml`` (ISO 19115/19139, INSPIRE-style) and ``metadonnees.jsonld``
  (DCAT-AP), for regional data portals to harvest (see :mod:`quartiers.outputs.metadata`);
- ``LISEZMOI.txt`` and ``run.json`` (with the SHA-256 of every exported file).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from quartiers.checksum import file_sha256
from quartiers.diagnostic import Diagnostic
from quartiers.diagnostic import run_files as _run_io
from quartiers.outputs.export_csv import (
    CODE_COLUMNS,
    explained_dictionary,
    write_csvt,
    write_labelled_csv,
    write_raw_csv,
)
from quartiers.outputs.export_gpkg import GPKG_PROVENANCE_KEY, style_geopackage
from quartiers.outputs.layer_info import LAYER_DESCRIPTIONS
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
    "export_dictionary",
    "export_open_data",
    "provenance",
    "stamp_parquet",
    "style_geopackage",
    "write_csvt",
    "write_labelled_csv",
]

logger = logging.getLogger(__name__)

#: Key of the provenance in GeoParquet key-value metadata.
PROVENANCE_KEY = "quartiers:provenance"
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


def export_dictionary(diag: Diagnostic) -> pd.DataFrame:
    """Return the data dictionary of an export: the run's, with the empty columns explained."""
    tables = [diag.qpv_table(), pd.DataFrame(diag.cells.drop(columns="geometry"))]
    tables.append(pd.DataFrame(diag.zones.drop(columns="geometry")))
    if diag.hotspots is not None:
        tables.append(pd.DataFrame(diag.hotspots.drop(columns="geometry")))
    return explained_dictionary(diag.dictionary(), tables)


def stamp_parquet(path: Path, stamp: Mapping[str, Any]) -> None:
    """Add the provenance to a (Geo)Parquet file's key-value metadata (``geo`` kept)."""
    table = pq.read_table(path)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY.encode()] = json.dumps(stamp, ensure_ascii=False).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(metadata), path)


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
        "- qpv_libelles.csv : table des QPV pour tableur (Excel en français : libellés et "
        "unités, point-virgule, virgule décimale, personnes en nombres entiers, parts en % "
        "à une décimale, colonnes vides retirées) ;",
        "- dictionnaire.csv : libellé, unité, sens et source de chaque colonne ; la colonne "
        "remarque signale les colonnes vides dans ce diagnostic ;",
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
    paths["zones.csvt"] = write_raw_csv(zones, paths["zones.csv"])
    paths["climat.csv"] = out_dir / "climat.csv"
    paths["climat.csvt"] = write_raw_csv(diag.climate, paths["climat.csv"])
    paths["qpv_libelles.csv"] = write_labelled_csv(qpv, out_dir / "qpv_libelles.csv")
    export_dictionary(diag).to_csv(paths["dictionnaire.csv"], index=False, lineterminator="\n")
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
