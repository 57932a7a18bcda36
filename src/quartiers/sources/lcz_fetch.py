"""Find and download a territory's CEREMA LCZ layer through the data.gouv.fr API.

The CEREMA publishes one zip per urban area in the data.gouv.fr dataset
:data:`LCZ_DATASET` (« LCZ SPOT 2022 »), plus a CSV of the coverage of each commune
(``insee_commune``, ``couverture_lcz`` in %, ``detail_couverture_lcz`` naming the area:
``Lyon = 100.00 %``). The dataset's resources are listed by ``GET /api/1/datasets/<id>/``
(``resources[].title, url``). For the territory's communes, the coverage table says which
areas exist; each area's zip is found by its name (resource title, or the file name
``lcz-spot-2022-<area>.zip``) and only its shapefile members are downloaded
(:func:`quartiers.sources._remote_zip.fetch_zip_members`): the archives also hold 1.5 m
rasters of several gigabytes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from quartiers.errors import InputError, SourceError
from quartiers.sources._archive import _SIDECARS
from quartiers.sources._remote_zip import fetch_zip_members
from quartiers.sources._text import (
    clean_code,
    column_map,
    parse_numbers,
    read_text_table,
    sniff_text,
)
from quartiers.sources.catalog import get_source
from quartiers.sources.gather import Gatherer, RawInput
from quartiers.text import fold

__all__ = ["LCZ_DATASET", "NOT_COVERED", "LczCoverage", "locate_lcz", "read_coverage"]

logger = logging.getLogger(__name__)

#: data.gouv.fr id of the CEREMA « LCZ SPOT 2022 » dataset (its title changes as areas
#: are added: resolve it by id).
LCZ_DATASET = "6641c562e5acdb35c0e6051d"
#: What the user reads for a commune outside every LCZ area.
NOT_COVERED = "LCZ non disponible pour cette commune"
_WHAT = "la couverture LCZ par commune (insee_commune, couverture_lcz, detail_couverture_lcz)"
_AREA = re.compile(r"([^=;|]+?)\s*=\s*(\d+(?:[.,]\d+)?)\s*%")


@dataclass(frozen=True)
class LczCoverage:
    """LCZ coverage of the territory's communes (share of their area, %) and their areas."""

    share: dict[str, float]  # insee_com → % of the commune covered (0 when absent)
    areas: tuple[str, ...]  # urban areas (as the CSV names them) covering the communes

    def uncovered(self) -> list[str]:
        """Return the commune codes with no LCZ coverage at all."""
        return sorted(code for code, pct in self.share.items() if pct <= 0)


def read_coverage(path: Path, codes: list[str]) -> LczCoverage:
    """Read the CEREMA coverage CSV for the communes ``codes``.

    The separator (``,`` or ``;``) and the encoding (UTF-8 or Windows-1252) are detected;
    a commune absent from the table has no coverage.
    """
    path = Path(path)
    _, first = sniff_text(path, encodings=("utf-8", "cp1252"), what=_WHAT)
    sep = ";" if first.count(";") > first.count(",") else ","
    raw = read_text_table(
        path, sep=sep, encodings=("utf-8", "cp1252"), what=_WHAT, header_hint="couverture_lcz"
    )
    cols = column_map(
        raw.columns,
        {
            "insee": ("insee_commune", "code_insee", "insee_com"),
            "share": ("couverture_lcz",),
            "detail": ("detail_couverture_lcz",),
        },
        path=path,
        what=_WHAT,
    )
    insee = clean_code(raw[cols["insee"]], width=5)
    share = parse_numbers(raw[cols["share"]], path=path, field=cols["share"]).fillna(0.0)
    mine = insee.isin(codes)
    areas: list[str] = []
    for text in raw.loc[mine, cols["detail"]]:
        for name, pct in _AREA.findall(str(text)):
            if float(pct.replace(",", ".")) > 0 and name.strip() not in areas:
                areas.append(name.strip())
    found = dict(zip(insee[mine], share[mine].astype(float), strict=True))
    return LczCoverage({c: float(found.get(c, 0.0)) for c in codes}, tuple(areas))


def _resources(payload: Any, url: str) -> list[dict[str, str]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("resources"), list):
        raise SourceError(f"{url} : réponse sans liste « resources » — attendu l'API data.gouv.fr")
    return [
        {"title": str(r.get("title") or ""), "url": str(r.get("url") or "")}
        for r in payload["resources"]
        if isinstance(r, dict) and r.get("url")
    ]


def _is_coverage(resource: dict[str, str]) -> bool:
    name = fold(resource["title"] + " " + PurePosixPath(resource["url"]).name)
    return "couverture" in name and (".csv" in resource["url"].lower() or "csv" in name)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _area_zip(area: str, resources: list[dict[str, str]]) -> dict[str, str] | None:
    """Return the zip resource of an urban area (by file name, else by title)."""
    wanted = _slug(area)
    zips = [r for r in resources if r["url"].lower().split("?")[0].endswith(".zip")]
    for resource in zips:
        stem = PurePosixPath(resource["url"].split("?")[0]).stem.lower()
        if stem.removeprefix("lcz-spot-2022-") == wanted:
            return resource
    for resource in zips:
        if _slug(resource["title"]).endswith(wanted):
            return resource
    return None


def _shapefile_member(name: str) -> bool:
    pure = PurePosixPath(name)
    return pure.suffix.lower() in _SIDECARS and pure.stem.upper().startswith("LCZ_SPOT_2022")


def locate_lcz(
    gatherer: Gatherer, codes: list[str], api_base: str
) -> tuple[RawInput | None, LczCoverage | None]:
    """Return the LCZ layer(s) of the communes ``codes`` and their coverage.

    The layer is None when no commune is covered (the coverage says so), or when the API,
    the coverage table or an archive cannot be had: then a failure is recorded in
    ``gatherer`` (offline: what the cache lacks) and the coverage is None too.
    """
    spec = get_source("lcz")
    label = f"{spec.id} ({spec.publisher})"
    url = f"{api_base.rstrip('/')}/{LCZ_DATASET}/"
    dl = gatherer.downloader
    if dl.offline and dl.cached(url) is None:
        gatherer.missing[label] = url
        gatherer.unavailable.add("lcz")
        return None, None
    try:
        resources = _resources(dl.get_json(url), url)
        table = next((r for r in resources if _is_coverage(r)), None)
        if table is None:
            raise SourceError(f"{url} : pas de fichier « couverture LCZ par commune »")
        got = dl.fetch(table["url"], label="Téléchargement : couverture LCZ par commune")
        coverage = read_coverage(got.path, codes)
        found = [_area_layer(gatherer, area, resources, url) for area in coverage.areas]
    except (SourceError, InputError) as exc:
        gatherer.fail("lcz", str(exc))
        return None, None
    if coverage.uncovered():
        logger.info("LCZ absentes pour %s", ", ".join(coverage.uncovered()))
    if not found:
        return None, coverage
    first = found[0]
    return (replace(first, also=tuple(found[1:])) if len(found) > 1 else first), coverage


def _area_layer(
    gatherer: Gatherer, area: str, resources: list[dict[str, str]], url: str
) -> RawInput:
    resource = _area_zip(area, resources)
    if resource is None:
        raise SourceError(f"{url} : pas d'archive pour la zone LCZ « {area} »")
    members = fetch_zip_members(
        gatherer.downloader,
        resource["url"],
        _shapefile_member,
        pattern="LCZ_SPOT_2022*.shp",
        label=f"lcz (CEREMA, {area})",
    )
    return RawInput("lcz", members.paths[0], resource["url"], members.sha256, members.retrieved)
