"""Optional layers of a territory: climate, LCZ, BPE, OSM, BD TOPO, Géorisques, hazards.

Called by :func:`quartiers.sources.load.load_inputs` once the territory and its required
tables are known; each reader clips to the territory's Lambert-93 box.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from quartiers.errors import InputError, SourceError
from quartiers.parallel import SERIAL, Executor
from quartiers.progress import Progress
from quartiers.schemas import BBox, Provenance, TerritoryInputs
from quartiers.sources import bdtopo, bpe, climadiag, dpe, drias, georisques, lcz, raster, rp_iris
from quartiers.sources._hazard_inputs import read_hazards
from quartiers.sources.catalog import get_source
from quartiers.sources.gather import Gatherer, RawInput
from quartiers.sources.insee_qpv import read_insee_qpv
from quartiers.sources.merge import concat_unique, read_all
from quartiers.sources.sante import read_health
from quartiers.sources.territory import Territory
from quartiers.text import fold

__all__ = ["osm_reader", "read_extract", "read_optional", "step"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def step(progress: Progress, label: str, action: Callable[[], T]) -> T:
    """Run ``action`` as one reported step of ``progress``."""
    progress.start(label, 1)
    try:
        result = action()
        progress.advance(1)
        return result
    finally:
        progress.finish()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def read_optional(
    inputs: TerritoryInputs,
    territory: Territory,
    raw: Mapping[str, RawInput],
    progress: Progress,
    gatherer: Gatherer,
    include: list[str],
    executor: Executor = SERIAL,
) -> None:
    box = territory.bbox_2154
    layers = inputs.notes.layers
    _read_climate(inputs, territory, raw, progress, layers)
    if "lcz" in raw:
        lcz_paths = raw["lcz"].paths
        inputs.lcz = step(
            progress,
            "Lecture : LCZ",
            lambda: read_all(lcz_paths, lambda p: lcz.read_lcz(p, bbox_2154=box)),
        )
        layers["lcz"] = "lcz"
    if "chaleur_nuit" in raw:
        heat_path = raw["chaleur_nuit"].path
        inputs.night_heat = step(
            progress,
            "Lecture : chaleur nocturne (raster)",
            lambda: raster.read_night_heat(heat_path, inputs.cells),
        )
        layers["night_heat"] = "chaleur_nuit"
    if "couvert_arbore" in raw:
        cover_path = raw["couvert_arbore"].path
        inputs.tree_cover = step(
            progress,
            "Lecture : couvert arboré (raster)",
            lambda: raster.read_tree_cover(cover_path, inputs.cells),
        )
        layers["tree_cover"] = "couvert_arbore"
    if "rp_iris" in raw:
        census_paths = raw["rp_iris"].paths
        inputs.rp_iris = step(
            progress,
            "Lecture : recensement par IRIS",
            lambda: rp_iris.read_rp_iris(census_paths, bbox_2154=box),
        )
        layers["rp_iris"] = "rp_iris"
    if "bpe" in raw:
        bpe_paths = raw["bpe"].paths
        inputs.bpe = step(
            progress,
            "Lecture : BPE",
            lambda: read_all(bpe_paths, lambda p: bpe.read_bpe(p, bbox_2154=box)),
        )
        layers["bpe"] = "bpe"
    if "osm" in raw:
        _read_osm(inputs, raw["osm"].paths, box, progress, executor)
    if "bdtopo" in raw:
        _read_bdtopo(inputs, raw["bdtopo"].paths, box, progress)
    read_hazards(inputs, raw, box, progress)
    _read_tables(inputs, raw, box, progress, layers)
    if "georisques" in raw:
        path = raw["georisques"].path
        inputs.notes = replace(inputs.notes, catnat=georisques.read_catnat(path))
        layers["catnat"] = "georisques"
    elif "georisques" in include:
        _query_georisques(inputs, territory, gatherer)


def _read_tables(
    inputs: TerritoryInputs,
    raw: Mapping[str, RawInput],
    box: BBox,
    progress: Progress,
    layers: dict[str, str],
) -> None:
    """Read the INSEE figures per QPV, the DPE of existing housing and the health data."""
    if "insee_qpv" in raw:
        insee_path = raw["insee_qpv"].path
        inputs.insee_qpv = step(
            progress, "Lecture : chiffres INSEE par QPV", lambda: read_insee_qpv(insee_path)
        )
        layers["insee_qpv"] = "insee_qpv"
    if "dpe" in raw:
        dpe_paths = raw["dpe"].paths
        inputs.housing = step(
            progress,
            "Lecture : DPE logements existants",
            lambda: read_all(dpe_paths, lambda p: dpe.read_dpe(p, bbox_2154=box)),
        )
        layers["housing"] = "dpe"
    if "sante" in raw:
        health_path = raw["sante"].path
        inputs.health = step(
            progress, "Lecture : données de santé", lambda: read_health(health_path)
        )
        layers["health"] = "sante"


def _read_climate(
    inputs: TerritoryInputs,
    territory: Territory,
    raw: Mapping[str, RawInput],
    progress: Progress,
    layers: dict[str, str],
) -> None:
    """Read Climadiag and DRIAS; the rows of a source given again replace the stored ones."""
    climate: list[pd.DataFrame] = []
    if inputs.climate is not None:  # rows of sources given again are replaced
        old = inputs.climate
        keep = pd.Series(True, index=old.index)
        if "climadiag" in raw:
            keep &= old["source"] != "climadiag"
        if "drias" in raw:
            keep &= ~old["source"].astype(str).str.startswith("drias")
        climate.append(old[keep])
    if "climadiag" in raw:
        paths = raw["climadiag"].paths
        climate.append(
            step(
                progress,
                "Lecture : Climadiag",
                lambda: read_all(
                    paths, lambda p: climadiag.read_climadiag(p, codes=territory.commune_codes)
                ),
            )
        )
    if "drias" in raw:
        drias_paths = raw["drias"].paths
        climate.append(
            step(
                progress,
                "Lecture : DRIAS",
                lambda: read_all(
                    drias_paths, lambda p: drias.read_drias(p, communes=territory.communes)
                ),
            )
        )
    if climate:
        inputs.climate = pd.concat(climate, ignore_index=True)
        layers["climate"] = "+".join(sorted({s.split(":")[0] for s in inputs.climate["source"]}))


def osm_reader() -> Callable[..., Any] | None:
    """Return ``quartiers.sources.osm.read_osm_layers``, or None when not installed."""
    try:
        module = importlib.import_module("quartiers.sources.osm")
    except ImportError:
        return None
    reader: Callable[..., Any] | None = getattr(module, "read_osm_layers", None)
    return reader


#: Layers an OpenStreetMap reading gives (``OsmLayers`` attributes).
OSM_LAYERS = ("buildings", "roads", "paved", "vegetation", "trees", "water", "places")


def _read_osm(
    inputs: TerritoryInputs,
    paths: list[Path],
    box: Any,
    progress: Progress,
    executor: Executor = SERIAL,
) -> None:
    """Read one or several OpenStreetMap extracts (one per région) as one.

    Each file is read by the same reader; the layers and walkable segments are joined, an
    object given identically by two extracts (a way crossing their border, kept whole as
    Geofabrik extracts do) kept once. Street segments share OSM node ids, so the walking
    network joins at the border. Several extracts are read as parts of ``executor`` (one
    task per extract on a Dask cluster), joined in the order given.
    """
    reader = osm_reader()
    if reader is None:
        logger.warning("lecteur OpenStreetMap absent : couches OSM ignorées (%s)", paths[0])
        return
    # the first extract's pass also collects the background map (drawn from it alone)
    items = [(p, i == 0) for i, p in enumerate(paths)]
    if executor.workers > 1 and len(paths) > 1:
        label = f"Lecture : OpenStreetMap ({len(paths)} extraits, Dask)"
        read = step(progress, label, lambda: executor.map(read_extract, items, box=box))
    else:
        read = [
            step(progress, f"Lecture : OpenStreetMap {p.name}", partial(read_extract, (p, b), box))
            for p, b in items
        ]
    layers = inputs.notes.layers
    for name in OSM_LAYERS:
        frames = [f for f in (getattr(osm, name, None) for osm in read) if f is not None]
        if frames:
            setattr(inputs, name, concat_unique(frames))
            layers[name] = "osm"
    walks = [w for w in (getattr(osm, "walk_edges", None) for osm in read)]
    if walks and all(isinstance(w, pd.DataFrame) for w in walks):
        inputs.notes = replace(inputs.notes, walk_edges=concat_unique(walks))
    inputs.notes = replace(inputs.notes, basemap=getattr(read[0], "basemap", None))
    inputs.osm_path = paths[0]


def read_extract(item: tuple[Path, bool], box: Any) -> Any:
    """Read one OpenStreetMap extract within ``box``; ``item`` is (file, with background map)."""
    reader = osm_reader()
    assert reader is not None  # checked by the caller
    path, basemap = item
    return reader(path, box, basemap=basemap)


def _bdtopo_files(path: Path) -> dict[str, Path]:
    """Return the BD TOPO file of each layer (a GeoPackage serves all three)."""
    if path.is_file() and path.suffix.lower() == ".gpkg":
        return {"buildings": path, "vegetation": path, "water": path}
    folder = path if path.is_dir() else path.parent
    wanted = {
        "buildings": "batiment",
        "vegetation": "zone de vegetation",
        "water": "surface hydrographique",
    }
    found: dict[str, Path] = {}
    for shp in sorted(folder.rglob("*")):
        if shp.suffix.lower() != ".shp":
            continue
        for layer, stem in wanted.items():
            if fold(shp.stem) == stem and layer not in found:
                found[layer] = shp
    if not found:
        raise InputError(
            f"{path} : ni BATIMENT.shp, ni ZONE_DE_VEGETATION.shp, ni SURFACE_HYDROGRAPHIQUE.shp "
            "— attendu le dossier des shapefiles BD TOPO ou son GeoPackage"
        )
    return found


def _read_bdtopo(inputs: TerritoryInputs, paths: list[Path], box: Any, progress: Progress) -> None:
    """Read the BD TOPO layers of one or several deliveries (one per département), as one."""
    readers = {
        "buildings": bdtopo.read_buildings,
        "vegetation": bdtopo.read_vegetation,
        "water": bdtopo.read_water,
    }
    files: dict[str, list[Path]] = {}
    for path in paths:
        for layer, file in _bdtopo_files(path).items():
            files.setdefault(layer, []).append(file)
    layers = inputs.notes.layers
    for layer, found in files.items():
        progress.start(f"Lecture : BD TOPO {layer}", len(found))
        try:
            parts = []
            for file in found:
                parts.append(readers[layer](file, bbox_2154=box))
                progress.advance(1)
        finally:
            progress.finish()
        # a building on a département border is in both deliveries: kept once
        setattr(inputs, layer, concat_unique(parts))  # BD TOPO replaces OSM for these layers
        layers[layer] = "bdtopo"


def _query_georisques(inputs: TerritoryInputs, territory: Territory, gatherer: Gatherer) -> None:
    spec = get_source("georisques")
    base = spec.download or georisques.BASE_URL
    try:
        catnat = georisques.fetch_catnat(
            territory.commune_codes, downloader=gatherer.downloader, base_url=base
        )
        centres = territory.qpv.to_crs(4326).geometry.representative_point()
        points = {
            str(code): (float(p.x), float(p.y))
            for code, p in zip(territory.qpv["code_qp"], centres, strict=True)
        }
        rga = georisques.fetch_rga(points, downloader=gatherer.downloader, base_url=base)
    except SourceError as exc:
        raise SourceError(f"georisques : {exc}") from exc
    inputs.notes = replace(inputs.notes, catnat=catnat, rga=rga)
    inputs.notes.layers.update({"catnat": "georisques", "rga": "georisques"})
    inputs.provenance.append(Provenance("georisques", base, spec.vintage, spec.licence, "", _now()))
