"""Downloads of each territory's diagnostic: GeoPackage, CSV tables, GeoJSON, ``run.json``.

Files are those of the diagnostic output directory, except three made from the loaded
diagnostic: ``carreaux.csv`` (the cells without geometry), ``qpv.geojson`` (WGS84) and a
``run.json`` whose source locations are reduced to file names (no server path is published).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from quartiers.diagnostic.record import SourceRecord
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
        "GeoPackage : couches des carreaux, des QPV et des zones de comparaison "
        "(EPSG:3035, ETRS89-LAEA)",
        "application/geopackage+sqlite3",
        False,
    ),
    "qpv.csv": (
        "Tableau des QPV : indicateurs, indice, rang, écarts et rapports (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        False,
    ),
    "carreaux.csv": (
        "Tableau des carreaux de 200 m, sans géométrie (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        True,
    ),
    "qpv.geojson": (
        "Périmètres des QPV avec leurs indicateurs (GeoJSON, WGS84)",
        "application/geo+json",
        True,
    ),
    "dictionnaire.csv": (
        "Dictionnaire des colonnes : libellé, unité, sens, source (CSV, UTF-8)",
        "text/csv; charset=utf-8",
        False,
    ),
    "run.json": (
        "Traçabilité : versions, méthode, sources et empreintes (JSON ; chemins réduits au "
        "nom de fichier)",
        "application/json",
        True,
    ),
}


def downloads_of(td: TerritoryData) -> list[Download]:
    """Return the files offered for a territory (those present or made by the app)."""
    outputs = td.record.outputs
    out = []
    for name, (label, media, made) in DOWNLOADS.items():
        path = td.directory / name
        if not made and not path.is_file():
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
    if not is_made:
        path = td.directory / filename
        if not path.is_file():
            raise HTTPException(
                status_code=404,
                detail=f"{filename} absent du dossier du diagnostic du territoire {td.code}",
            )
        return FileResponse(path, media_type=media, headers={"Content-Disposition": attachment})
    key = (td.code, filename)
    made = state.made_files
    if key not in made:
        if filename == "carreaux.csv":
            made[key] = _cells_csv(td)
        elif filename == "qpv.geojson":
            made[key] = collection_bytes(payloads.qpv_features, territory=td.code)
        else:
            made[key] = _public_run(td)
    return Response(made[key], media_type=media, headers={"Content-Disposition": attachment})
