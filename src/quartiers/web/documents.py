"""Documents of a territory offered for download when they exist in its output directory.

``quartiers report DOSSIER`` writes the PDF sheets in ``DOSSIER/fiches``, ``quartiers report
DOSSIER --note`` the notes aux élus in ``DOSSIER/notes`` and ``quartiers roadmap … --out
DOSSIER/feuilles-de-route/…`` a roadmap there, ``quartiers report DOSSIER --workshop-map`` the
large-format workshop maps in ``DOSSIER/cartes-atelier``: the downloads page lists the PDF and
DOCX files of these four folders, and only them (no other path of the server is reachable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from quartiers.web.catalog import TerritoryData
from quartiers.web.state import State

__all__ = ["DOCUMENT_FOLDERS", "Document", "documents_of", "router"]

#: Folder of the output directory → (French title of the group, file name prefix).
DOCUMENT_FOLDERS: dict[str, tuple[str, str]] = {
    "fiches": ("Fiches des QPV", "fiche_"),
    "notes": ("Notes aux élus", "note_"),
    "feuilles-de-route": ("Feuilles de route", ""),
    "cartes-atelier": ("Cartes d'atelier à imprimer (A1, A0)", "carte_atelier_"),
}
_MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Document:
    """One document file of a territory (a sheet, a note or a roadmap)."""

    folder: str
    name: str
    size: int


def documents_of(td: TerritoryData) -> dict[str, list[Document]]:
    """Return the PDF and DOCX documents of a territory by folder (empty folders left out)."""
    out: dict[str, list[Document]] = {}
    for folder, (_, prefix) in DOCUMENT_FOLDERS.items():
        where = td.directory / folder
        if not where.is_dir():
            continue
        files = [
            Document(folder, p.name, p.stat().st_size)
            for p in sorted(where.iterdir())
            if p.is_file()
            and p.suffix.lower() in _MEDIA
            and p.name.startswith(prefix)
            and _NAME.match(p.name)
        ]
        if files:
            out[folder] = files
    return out


#: Serves ``/telechargements/{code}/{folder}/{file}``.
router = APIRouter()


@router.get(
    "/telechargements/{code}/{folder}/{filename}",
    tags=["téléchargements"],
    summary="Télécharger une fiche, une note aux élus ou une feuille de route d'un territoire",
    response_class=FileResponse,
)
async def document(state: State, code: str, folder: str, filename: str) -> FileResponse:
    """Send one document of a territory as an attachment (only the listed files)."""
    td, _ = state.territory(code)
    listed = {d.name for d in documents_of(td).get(folder, [])}
    if filename not in listed:
        raise HTTPException(
            status_code=404,
            detail=(
                f"document introuvable : {folder}/{filename} (les documents proposés sont les "
                f"PDF et DOCX des dossiers {', '.join(DOCUMENT_FOLDERS)} du diagnostic)"
            ),
        )
    path = td.directory / folder / filename
    return FileResponse(
        path,
        media_type=_MEDIA[path.suffix.lower()],
        headers={"Content-Disposition": f'attachment; filename="{td.code}_{filename}"'},
    )
