"""Paths of the pages and API resources (one place, used by payloads and templates)."""

from __future__ import annotations

from urllib.parse import quote

__all__ = [
    "api_cells",
    "api_qpv",
    "api_qpv_list",
    "api_qpv_values",
    "api_territory",
    "api_tiles",
    "document",
    "download",
    "page_qpv",
    "page_territory",
]


def _q(code: str) -> str:
    return quote(str(code), safe="")


def page_territory(code: str) -> str:
    """Return the overview page of a territory."""
    return f"/territoires/{_q(code)}"


def page_qpv(code: str, code_qp: str) -> str:
    """Return the page of one QPV."""
    return f"/territoires/{_q(code)}/qpv/{_q(code_qp)}"


def api_territory(code: str) -> str:
    """Return the API resource of a territory."""
    return f"/api/territories/{_q(code)}"


def api_qpv_list(code: str) -> str:
    """Return the API list of a territory's QPV."""
    return f"/api/territories/{_q(code)}/qpv"


def api_qpv(code: str, code_qp: str) -> str:
    """Return the API resource of one QPV."""
    return f"/api/territories/{_q(code)}/qpv/{_q(code_qp)}"


def api_qpv_values(code: str) -> str:
    """Return the API values of one quantity at one horizon for a territory's QPV."""
    return f"/api/territories/{_q(code)}/qpv-values"


def api_cells(code: str) -> str:
    """Return the API cells (GeoJSON by bounding box) of a territory."""
    return f"/api/territories/{_q(code)}/cells"


def api_tiles(code: str) -> str:
    """Return the template of a territory's vector tiles (``{z}/{x}/{y}`` left for the map)."""
    return f"/api/territories/{_q(code)}/tiles/{{z}}/{{x}}/{{y}}.mvt"


def download(code: str, filename: str) -> str:
    """Return the download path of one file of a territory's diagnostic."""
    return f"/telechargements/{_q(code)}/{_q(filename)}"


def document(code: str, folder: str, filename: str) -> str:
    """Return the download path of one document (sheet, note, roadmap) of a territory."""
    return f"/telechargements/{_q(code)}/{_q(folder)}/{_q(filename)}"
