"""Assemble a territory's normalised inputs from local files, its workspace or downloads.

:func:`load_inputs` is what ``quartiers fetch`` and ``quartiers diagnose`` call. For each
source it takes, in order: the file given with ``--source ID=PATH``; the table already in
the territory's workspace; a verified download (cache first; never in offline mode). National
files are clipped to the territory's box (with margin) as they are read.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.checksum import file_sha256
from quartiers.errors import InputError, SourceError
from quartiers.heap import reused_heap
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import NullProgress, Progress
from quartiers.schemas import InputNotes, Provenance, TerritoryInputs, TerritoryNote
from quartiers.settings import Settings
from quartiers.sources import communes, filosofi, qpv
from quartiers.sources._http import Downloader
from quartiers.sources._optional import osm_reader, read_optional, step
from quartiers.sources._regions import departement_of, filosofi_zone, geofabrik_region
from quartiers.sources._stored import stored_inputs, territory_from
from quartiers.sources._vector import list_layers
from quartiers.sources.catalog import get_source
from quartiers.sources.epci_list import official_epci
from quartiers.sources.gather import Gatherer, RawInput, check_ids, parse_source_options
from quartiers.sources.lcz_fetch import locate_lcz
from quartiers.sources.merge import read_all
from quartiers.sources.territory import (
    DEFAULT_MARGIN_M,
    Territory,
    build_territory,
    select_communes,
)

__all__ = ["REQUIRED_SOURCES", "load_inputs", "parse_source_options"]

logger = logging.getLogger(__name__)

#: Sources without which no diagnostic can run.
REQUIRED_SOURCES = ("qpv", "filosofi", "communes")

#: Optional sources located once the territory is known, in reading order.
OPTIONAL_SOURCES = (
    "osm",
    "lcz",
    "chaleur_nuit",
    "couvert_arbore",
    "rp_iris",
    "climadiag",
    "drias",
    "bdtopo",
    "georisques",
    "tri",
    "eaip",
    "ppr",
    "argiles",
    "insee_qpv",
    "dpe",
    "sante",
)


def load_inputs(
    territory_code: str,
    sources: Mapping[str, Path | Sequence[Path]],
    *,
    settings: Settings,
    progress: Progress | None = None,
    skip: Iterable[str] = (),
    include: Iterable[str] = (),
    margin_m: float = DEFAULT_MARGIN_M,
    downloader: Downloader | None = None,
    use_workspace: bool = True,
    executor: Executor = SERIAL,
) -> TerritoryInputs:
    """Return the normalised inputs of a territory, with provenance.

    Parameters
    ----------
    territory_code
        INSEE commune code, EPCI SIREN or name.
    sources
        Local files by source id (``--source ID=PATH``); archives are accepted. Several
        files of one source (``--source`` repeated) are read as one table.
    settings
        Run settings: cache and workspace folders, offline mode, HTTP timeout and retries.
    progress
        Receives downloads (bytes) and reading steps.
    skip
        Optional sources not to download.
    include
        Downloadable sources fetched only on request (``georisques``).
    margin_m
        Clip margin around the territory (m).
    downloader
        HTTP client to use (built from ``settings`` when None).
    use_workspace
        Reuse tables of ``<workspace>/<code>/`` for sources not given explicitly.
    executor
        Reads several OpenStreetMap extracts as parts (one Dask task each on a cluster).

    Raises
    ------
    InputError
        Bad file, unknown territory, territory without QPV or outside the Filosofi file.
    SourceError
        Sources that could not be obtained (all listed at once; offline: what the cache
        lacks).
    """
    files = {
        k: [Path(v)] if isinstance(v, str | Path) else [Path(p) for p in v]
        for k, v in sources.items()
    }
    first: dict[str, Path] = {k: v[0] for k, v in files.items()}
    skip, include = list(skip), list(include)
    check_ids(first, "--source")
    check_ids(skip, "--skip")
    check_ids(include, "--with")
    required_skipped = sorted(set(skip) & set(REQUIRED_SOURCES))
    if required_skipped:
        raise InputError(
            f"--skip {', '.join(required_skipped)} : source obligatoire — attendu seulement "
            "des sources facultatives"
        )
    progress = progress or NullProgress()
    stored = stored_inputs(settings.workspace_dir, territory_code) if use_workspace else None
    own = downloader is None
    dl = downloader or Downloader.from_settings(settings, progress=progress)
    try:
        gatherer = Gatherer(
            dl,
            dict(first),
            settings.cache_dir / "extraits",
            extra={k: v[1:] for k, v in files.items() if len(v) > 1},
        )
        if stored is not None and not {"communes", "qpv"} & set(first):
            return _update(stored, gatherer, progress, first, (include, margin_m), executor)
        return _build(territory_code, gatherer, progress, skip, (include, margin_m), executor)
    finally:
        if own:
            dl.close()


# -- from scratch -------------------------------------------------------------------------


def _build(
    query: str,
    gatherer: Gatherer,
    progress: Progress,
    skip: list[str],
    options: tuple[list[str], float],
    executor: Executor,
) -> TerritoryInputs:
    include, margin_m = options
    raw: dict[str, RawInput] = {}
    # Phase 1: what does not depend on the territory.
    for source_id in ("communes", "qpv", "epci", "bpe"):
        if source_id in skip or (source_id == "epci" and source_id not in gatherer.local):
            continue
        if (found := gatherer.locate(source_id)) is not None:
            raw[source_id] = found
    gatherer.precheck("filosofi")
    if not {"communes", "qpv"} <= set(raw):
        gatherer.require(("communes", "qpv", "filosofi"), raw)
    territory = _territory(query, raw, progress, margin_m)
    codes = territory.commune_codes
    lcz_coverage: dict[str, float] | None = None
    # Phase 2: files chosen by the territory (Filosofi zone, Geofabrik region, LCZ area).
    if "filosofi" not in gatherer.unavailable:
        found = gatherer.locate("filosofi", zone=filosofi_zone(codes))
        if found is not None:
            raw["filosofi"] = found
    for source_id in OPTIONAL_SOURCES:
        if source_id in skip:
            continue
        if source_id == "georisques" and source_id not in gatherer.local:
            continue  # the API is queried while reading, only with --with georisques
        if not get_source(source_id).auto and source_id not in {*gatherer.local, *include}:
            continue  # large or per-département downloads: only with --with ID
        if source_id == "tri" and source_id not in gatherer.local:
            found = _per_departement(gatherer, source_id, codes)
            if found is not None:
                raw[source_id] = found
            continue
        if source_id == "osm" and osm_reader() is None:
            logger.warning("lecteur OpenStreetMap absent : couches OSM ignorées")
            continue
        if source_id == "lcz" and source_id not in gatherer.local:
            found, coverage = locate_lcz(gatherer, list(codes), get_source("lcz").download or "")
            if coverage is not None:
                lcz_coverage = coverage.share
        elif source_id == "osm" and source_id not in gatherer.local:
            try:
                found = gatherer.locate("osm", region=geofabrik_region(codes))
            except SourceError as exc:
                gatherer.fail("osm", str(exc))
                continue
        else:
            found = gatherer.locate(source_id)
        if found is not None:
            raw[source_id] = found
    gatherer.require(REQUIRED_SOURCES, raw)
    inputs = TerritoryInputs(
        code=territory.code,
        name=territory.name,
        qpv=territory.qpv,
        cells=_cells(raw["filosofi"], territory, progress),
        communes=territory.communes,
        notes=InputNotes(
            territory=_territory_note(territory),
            layers={"qpv": "qpv", "cells": "filosofi", "communes": "communes"},
            lcz_coverage=lcz_coverage,
        ),
    )
    read_optional(inputs, territory, raw, progress, gatherer, include, executor)
    inputs.provenance = [_provenance(x) for r in raw.values() for x in r.each()] + (
        inputs.provenance
    )
    return inputs


def _per_departement(gatherer: Gatherer, source_id: str, codes: Sequence[str]) -> RawInput | None:
    """Locate a per-département download for each département of the territory, as one."""
    found = [
        r
        for dep in sorted({departement_of(c) for c in codes})
        if (r := gatherer.locate(source_id, dep=dep)) is not None
    ]
    return dataclasses.replace(found[0], also=tuple(found[1:])) if found else None


def _territory(
    query: str, raw: dict[str, RawInput], progress: Progress, margin_m: float
) -> Territory:
    commune_path = raw["communes"].path
    commune_paths = raw["communes"].paths
    table = step(
        progress,
        "Lecture : communes",
        lambda: read_all(commune_paths, communes.read_commune_table),
    )
    epci = _epci_names(raw)
    selection = select_communes(query, table, epci=epci, source=str(commune_path))
    codes = list(selection.commune_codes)
    mine = read_all(commune_paths, lambda p: communes.read_communes(p, codes=codes))
    mine = mine.drop_duplicates("insee_com").reset_index(drop=True)
    qpv_path = raw["qpv"].path
    all_qpv = step(progress, "Lecture : QPV", lambda: read_all(raw["qpv"].paths, qpv.read_qpv))
    territory = build_territory(selection, mine, all_qpv, margin_m=margin_m)
    if territory.qpv.empty:
        raise InputError(
            f"territoire {territory.name} ({territory.code}) : aucun QPV dans {qpv_path} pour "
            f"ses communes ({', '.join(territory.commune_codes[:10])}) — attendu au moins un "
            "quartier prioritaire"
        )
    return territory


def _epci_names(raw: dict[str, RawInput]) -> pd.DataFrame | None:
    if "epci" in raw:
        table: pd.DataFrame = read_all(raw["epci"].paths, communes.read_epci_table)
        return table
    path = raw["communes"].path
    if path.suffix.lower() == ".gpkg" and "epci" in [n.lower() for n in list_layers(path)]:
        return communes.read_epci_layer(path)
    return official_epci()[["siren_epci", "nom"]]


def _cells(found: RawInput, territory: Territory, progress: Progress) -> gpd.GeoDataFrame:
    # The reading allocates and frees the same block-sized temporaries again and again:
    # from a kept heap, their pages are reused instead of mapped and zeroed anew (the
    # national CSV: about half the reading time); given back when the reading ends.
    with reused_heap():
        cells = step(
            progress,
            "Lecture : carreaux Filosofi",
            lambda: read_all(
                found.paths, lambda p: filosofi.read_filosofi(p, bbox_3035=territory.bbox_3035)
            ),
        )
    if cells.empty:
        raise InputError(
            f"{found.path} : aucun carreau Filosofi dans l'emprise du territoire "
            f"{territory.name} (EPSG:3035 {tuple(round(v) for v in territory.bbox_3035)}) — "
            "attendu le fichier national ou un extrait couvrant le territoire"
        )
    return cells


def _territory_note(territory: Territory) -> TerritoryNote:
    return TerritoryNote(
        code=territory.code,
        name=territory.name,
        kind=territory.kind,
        siren_epci=territory.siren_epci,
        commune_codes=tuple(territory.commune_codes),
        margin_m=territory.margin_m,
        bbox_2154=territory.bbox_2154,
        bbox_3035=territory.bbox_3035,
    )


def city_file_provenance(source_id: str, path: Path, *, title: str) -> Provenance:
    """Return the provenance of a file the city gives itself (e.g. its places CSV).

    Parameters
    ----------
    source_id
        Id recorded in ``run.json`` (``places`` for the city's places CSV).
    path
        The file; its SHA-256 is recorded so a rerun can be checked.
    title
        French description used as the vintage field (the city's own data has none).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} : fichier introuvable ({title})")
    return Provenance(
        source_id=source_id,
        location=str(path.resolve()),
        vintage=title,
        licence="fourni par la collectivité",
        sha256=file_sha256(path),
        retrieved=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def _provenance(found: RawInput) -> Provenance:
    spec = get_source(found.source_id)
    return Provenance(
        source_id=found.source_id,
        location=found.location,
        vintage=spec.vintage,
        licence=spec.licence,
        sha256=found.sha256,
        retrieved=found.retrieved,
    )


# -- from a workspace ---------------------------------------------------------------------


def _update(
    stored: TerritoryInputs,
    gatherer: Gatherer,
    progress: Progress,
    sources: Mapping[str, Path],
    options: tuple[list[str], float],
    executor: Executor,
) -> TerritoryInputs:
    """Reuse a workspace, re-reading only the sources given explicitly."""
    include, margin_m = options
    territory = territory_from(stored, margin_m)
    raw = {sid: r for sid in sources if (r := gatherer.locate(sid)) is not None}
    gatherer.raise_if_incomplete()
    if "filosofi" in raw:
        stored.cells = _cells(raw["filosofi"], territory, progress)
        stored.notes.layers["cells"] = "filosofi"
    read_optional(stored, territory, raw, progress, gatherer, include, executor)
    replaced = set(raw) | ({"georisques"} if "georisques" in include else set())
    stored.provenance = [p for p in stored.provenance if p.source_id not in replaced] + [
        _provenance(x) for r in raw.values() for x in r.each()
    ]
    logger.info("espace de travail réutilisé pour %s (%s)", stored.name, stored.code)
    return stored
