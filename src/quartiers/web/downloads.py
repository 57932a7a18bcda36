"""Downloads of each territory's diagnostic: the files of ``quartiers export`` and documents.

Data files are made once from the loaded diagnostic by the export's own writers
(:mod:`quartiers.outputs.exports`): ``diagnostic.gpkg`` with its QGIS default styles and
French field aliases, ``qpv_libelles.csv`` for French Excel, ``dictionnaire.csv`` with the
empty columns explained, ``carreaux.csv`` (the cells without geometry), ``qpv.geojson``
(WGS84) and a ``run.json`` whose source locations are reduced to file names (no server path
is published); ``qpv.csv`` is the output directory's raw table. The documents (sheets, notes,
roadmaps) are listed by :mod:`quartiers.web.documents`.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from quartiers.diagnostic.record import SourceRecord
from quartiers.outputs.export_csv import spreadsheet_bytes
from quartiers.outputs.export_gpkg import styled_copy
from quartiers.outputs.exports import export_dictionary, provenance
from quartiers.web.catalog import TerritoryData
from quartiers.web.geojson import collection_bytes
from quartiers.web.state import State

__all__ = ["DOWNLOADS", "Download", "downloads_of", "router"]


@dataclass(frozen=True)
class Download:
    """One downloadable file of a territory."""

    name: str
    label: str
    media_type: str
    size: int | None
    sha256: str | None
    made: bool  # made by the web app from the loaded diagnostic


#: File name → (French description, media type, made by the app).
DOWNLOADS: dict[str, tuple[str, str, bool]] = {
    "diagnostic.gpkg": (
        "GeoPackage pour QGIS : couches des carreaux, des QPV et des zones de comparaison, "
        "avec leur style par défaut et les libellés français des colonnes (EPSG:3035, "
        "ETRS89-LAEA)",
        "application/geopackage+sqlite3",
        True,
    ),
    "qpv_libelles.csv": (
        "Tableau des QPV pour Excel : libellés français et unités, point-virgule, virgule "
        "décimale, personnes en nombres entiers, parts en % à une décimale (CSV, UTF-8 avec BOM)",
        "text/csv; charset=utf-8",
        True,
    ),
    "qpv.csv": (
        "Tableau des QPV pour R, Python ou QGIS : identifiants de colonnes, virgule, pleine "
        "précision (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        False,
    ),
    "carreaux.csv": (
        "Tableau des carreaux de 200 m, sans géométrie, pour R, Python ou QGIS (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        True,
    ),
    "qpv.geojson": (
        "Périmètres des QPV avec leurs indicateurs (GeoJSON, WGS84)",
        "application/geo+json",
        True,
    ),
    "dictionnaire.csv": (
        "Dictionnaire des colonnes : libellé, unité, sens, source, et remarque sur les "
        "colonnes vides dans ce diagnostic (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        True,
    ),
    "run.json": (
        "Traçabilité : versions, méthode, sources et empreintes (JSON ; chemins réduits au "
        "nom de fichier)",
        "application/json",
        True,
    ),
}


#: Downloads read from (or made from) the file of the same name in the output directory.
_NEEDS_FILE = frozenset({"diagnostic.gpkg", "qpv.csv"})


def downloads_of(td: TerritoryData) -> list[Download]:
    """Return the files offered for a territory (those present or made by the app)."""
    outputs = td.record.outputs
    out = []
    for name, (label, media, made) in DOWNLOADS.items():
        path = td.directory / name
        if name in _NEEDS_FILE and not path.is_file():
            continue
        out.append(
            Download(
                name=name,
                label=label,
                media_type=media,
                size=path.stat().st_size if not made else None,
                sha256=outputs.get(name) if not made else None,
                made=made,
            )
        )
    return out


def _public_source(src: SourceRecord) -> dict[str, Any]:
    """Return a provenance record as written, its location cut to the file name."""
    data = src.model_dump(mode="json", exclude_unset=True)
    if src.location:
        data["location"] = PurePath(src.location).name
    return data


def _public_run(td: TerritoryData) -> bytes:
    """Return ``run.json`` as written (its key order), never a server path."""
    public = dict(td.diagnostic.run)
    if "sources" in public:
        public["sources"] = [_public_source(src) for src in td.record.sources]
    return (json.dumps(public, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _cells_csv(td: TerritoryData) -> bytes:
    table = pd.DataFrame(td.diagnostic.cells.drop(columns="geometry"))
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, float_format="%.10g", lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _styled_gpkg(td: TerritoryData) -> bytes:
    """Return the output directory's GeoPackage with the export's QGIS styles and provenance."""
    with tempfile.TemporaryDirectory(prefix="quartiers-gpkg-") as tmp:
        target = Path(tmp) / "diagnostic.gpkg"
        styled_copy(td.directory / "diagnostic.gpkg", target, provenance(td.diagnostic))
        return target.read_bytes()


def _dictionary(td: TerritoryData) -> bytes:
    table = export_dictionary(td.diagnostic)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


_MAKERS: dict[str, Callable[[TerritoryData], bytes]] = {
    "diagnostic.gpkg": _styled_gpkg,
    "qpv_libelles.csv": lambda td: spreadsheet_bytes(td.diagnostic.qpv_table()),
    "carreaux.csv": _cells_csv,
    "dictionnaire.csv": _dictionary,
    "run.json": _public_run,
}


#: Serves ``/telechargements/{code}/{file}``.
router = APIRouter()


@router.get(
    "/telechargements/{code}/{filename}",
    tags=["téléchargements"],
    summary="Télécharger un fichier du diagnostic d'un territoire",
    response_class=Response,
)
async def download(state: State, code: str, filename: str) -> Response:
    """Send one file of a territory's diagnostic as an attachment."""
    td, payloads = state.territory(code)
    if filename not in DOWNLOADS:
        raise HTTPException(
            status_code=404,
            detail=(f"fichier inconnu : {filename} (fichiers proposés : {', '.join(DOWNLOADS)})"),
        )
    _, media, is_made = DOWNLOADS[filename]
    attachment = f'attachment; filename="{td.code}_{filename}"'
    path = td.directory / filename
    if filename in _NEEDS_FILE and not path.is_file():
        raise HTTPException(
            status_code=404,
            detail=f"{filename} absent du dossier du diagnostic du territoire {td.code}",
        )
    if not is_made:
        return FileResponse(path, media_type=media, headers={"Content-Disposition": attachment})
    key = (td.code, filename)
    made = state.made_files
    if key not in made:
        if filename == "qpv.geojson":
            made[key] = collection_bytes(await payloads.qpv_features_soon(), territory=td.code)
        else:
            made[key] = _MAKERS[filename](td)
    return Response(made[key], media_type=media, headers={"Content-Disposition": attachment})
