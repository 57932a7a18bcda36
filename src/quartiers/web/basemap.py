"""The offline background map of a territory, as the web maps read it (``fond_de_carte/``).

:func:`fond_config` gives the map scripts the zoom bands and file URLs listed in the
diagnostic's ``fond.json`` (:mod:`quartiers.diagnostic.basemap`); :func:`basemap_file`
returns one of those files, and only those.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from quartiers.diagnostic.basemap import BASEMAP_DIR, BASEMAP_MANIFEST

__all__ = ["basemap_file", "basemap_url", "fond_config"]


def basemap_url(code: str, name: str) -> str:
    """Return the API URL of one background map file of a territory."""
    return f"/api/territories/{code}/fond/{name}"


def _manifest(directory: Path) -> dict[str, Any] | None:
    path = Path(directory) / BASEMAP_DIR / BASEMAP_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no background (older diagnostic) or unreadable: the map has none
    return data if isinstance(data, dict) else None


def fond_config(code: str, directory: Path) -> dict[str, Any] | None:
    """Return the background for the map scripts (bands with URL and zooms), or None."""
    manifest = _manifest(directory)
    if manifest is None:
        return None
    bands = [
        {
            "file": str(b["file"]),
            "minzoom": b["minzoom"],
            "maxzoom": b["maxzoom"],
            "url": basemap_url(code, f"{b['file']}.geojson"),
        }
        for b in manifest.get("bands", [])
    ]
    return {
        "source": manifest.get("source", ""),
        "attribution": manifest.get("attribution", ""),
        "bands": bands,
        "contours": basemap_url(code, str(manifest["contours"])),
        "labels": basemap_url(code, str(manifest["labels"])),
    }


def basemap_file(directory: Path, name: str) -> Path | None:
    """Return the path of a file listed in ``fond.json``, None for any other name."""
    manifest = _manifest(directory)
    if manifest is None:
        return None
    listed = {f"{b['file']}.geojson" for b in manifest.get("bands", [])}
    listed |= {str(manifest.get("contours")), str(manifest.get("labels"))}
    path = Path(directory) / BASEMAP_DIR / name
    return path if name in listed and path.is_file() else None
