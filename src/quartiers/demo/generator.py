"""Generate the fictitious territory « Ville-Témoin » in the official formats of each source.

The same readers load the demo and real data: every file below is written in its
publisher's format (see ``docs/demo.md`` and the shared SOURCES reference). Codes cannot
clash with real ones: département ``00``, communes ``00001``–``00004``, EPCI ``200000001``,
QPV ``QN00001A``/``QN00001B``. The same seed gives byte-identical files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator
from pyproj import Transformer

from quartiers.defaults import DEFAULT_SEED
from quartiers.demo._buildings import build_buildings, buildable_squares, parking_lots
from quartiers.demo._dpe import dpe_records, write_dpe
from quartiers.demo._facilities import Facility, place_landmarks, place_points
from quartiers.demo._filosofi import filosofi_table, write_filosofi
from quartiers.demo._food import food_facilities
from quartiers.demo._geo import write_communes, write_lcz, write_qpv
from quartiers.demo._geometry import Warp, to_wgs84
from quartiers.demo._hazards import write_hazards
from quartiers.demo._imputation import impute
from quartiers.demo._insee_qpv import write_insee_qpv
from quartiers.demo._layout import Layout, build_layout
from quartiers.demo._lcz import lcz_blocks
from quartiers.demo._osm import OsmScene, write_osm
from quartiers.demo._population import raw_cells
from quartiers.demo._readme import readme_text
from quartiers.demo._streets import StreetNet, build_streets
from quartiers.demo._tables import (
    climadiag_records,
    quality_noise,
    write_bpe,
    write_climadiag,
    write_places,
)
from quartiers.demo._trees import plant_trees
from quartiers.errors import InputError
from quartiers.progress import NullProgress, Progress

__all__ = ["DEFAULT_SEED", "FILES", "SOURCE_IDS", "generate"]

logger = logging.getLogger(__name__)


#: Where each source is written, relative to the output directory.
FILES: dict[str, Path] = {
    "qpv": Path("qpv/QP2024_Ville-Temoin_FICTIF_WGS84.geojson"),
    "filosofi": Path("filosofi/carreaux_200m_met.csv"),
    "bpe": Path("bpe/BPE24.csv"),
    "osm": Path("osm/ville-temoin-fictif.osm.pbf"),
    "lcz": Path("lcz/LCZ_SPOT_2022_Ville-Temoin-fictif.shp"),
    "climadiag": Path("climadiag/entities.jsonl"),
    "communes": Path("admin/ADE-COG_4-0_GPKG_WGS84G_FRA-FICTIF.gpkg"),
    "places": Path("ville/salles_rafraichies.csv"),
    "tri": Path("georisques/tri_2020_sig_di_00.zip"),
    "argiles": Path("georisques/AleaRG_Fxx_L93/ExpoArgile_Fxx_L93.shp"),
    "insee_qpv": Path("insee/donnees_QPV2024_Ville-Temoin_FICTIF.csv"),
    "dpe": Path("ademe/dpe03existant_ville-temoin-fictif.csv"),
}
SOURCE_IDS = tuple(FILES)

EPCI_SIREN = "200000001"
EPCI_NAME = "Communauté d'agglomération de Ville-Témoin (territoire fictif)"
_POSTCODES = {"00001": "00100", "00002": "00110", "00003": "00120", "00004": "00130"}
_SIREN = {"00001": "210000016", "00002": "210000024", "00003": "210000032", "00004": "210000040"}
# Share of points that OpenStreetMap misses (pharmacies, surgeries, nurseries, schools).
_OSM_GAP = 0.1
_OSM_GAP_PREFIXES = ("pharmacie_", "cabinet_", "creche_", "ecole_")
_STEPS = 9


@dataclass
class _World:
    """The generated territory before writing (plan frame)."""

    layout: Layout
    warp: Warp
    facilities: list[Facility]
    in_osm: set[str]


def generate(
    out_dir: Path, *, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> dict[str, Path]:
    """Write the fictitious territory « Ville-Témoin » and return source id → file path.

    Parameters
    ----------
    out_dir
        Directory to write into (created if needed); files go in one sub-folder per source
        (see :data:`FILES`) with a ``README.txt`` stating that the data are fictitious.
    seed
        Seed of every random draw; the same seed gives byte-identical files.
    progress
        Receives one step per source written.

    Returns
    -------
    dict
        ``{"qpv": …, "filosofi": …, "bpe": …, "osm": …, "lcz": …, "climadiag": …,
        "communes": …, "places": …}`` absolute paths.
    """
    progress = progress if progress is not None else NullProgress()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} : ce chemin existe et n'est pas un dossier")
    paths = {k: (out_dir / rel).resolve() for k, rel in FILES.items()}
    try:
        for p in paths.values():
            p.parent.mkdir(parents=True, exist_ok=True)
        progress.start("Territoire fictif Ville-Témoin", total=_STEPS)
        try:
            _generate(paths, out_dir, seed, progress)
        finally:
            progress.finish()
    except OSError as exc:
        raise InputError(
            f"{exc.filename or out_dir} : écriture impossible du territoire de démonstration "
            f"({exc.strerror or exc})"
        ) from exc
    logger.info("territoire fictif écrit dans %s (graine %d)", out_dir, seed)
    return paths


def _generate(paths: dict[str, Path], out_dir: Path, seed: int, progress: Progress) -> None:
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    layout = build_layout(rngs[0])
    a, b, c, d = (float(p) for p in rngs[0].uniform(0.0, 2 * np.pi, 4))
    warp = Warp((a, b, c, d))
    streets = build_streets(layout, rngs[1])
    squares = buildable_squares(layout, streets.lattice)
    landmarks = place_landmarks(layout, squares, rngs[2])
    reserved = {f.square: f.footprint for f in landmarks if f.square and f.footprint}
    buildings = build_buildings(layout, squares, reserved, rngs[3])
    raw, per_building = raw_cells(buildings, warp, rngs[4])
    cells = impute(raw)
    progress.advance()

    hh = buildings.groupby(["i", "j"], sort=True).agg(
        zone=("zone", "first"), households=("households", "sum")
    )
    points = place_points(layout, hh.reset_index(), rngs[5])
    facilities = landmarks + points
    gap = rngs[5].random(len(facilities)) < _OSM_GAP
    in_osm = {
        f.key
        for f, missing in zip(facilities, gap, strict=True)
        if f.osm is not None and not (missing and f.key.startswith(_OSM_GAP_PREFIXES))
    }
    world = _World(layout, warp, facilities, in_osm)
    trees = plant_trees(layout, streets, squares, rngs[6])

    communes, geoms = _communes(world, buildings, per_building)
    write_communes(
        communes.drop(columns=["postcode"]),
        pd.DataFrame(
            {
                "cleabs": ["EPCI_FICTIF_0000001"],
                "code_siren": [EPCI_SIREN],
                "nom_officiel": [EPCI_NAME],
                "nature": ["Communauté d'agglomération"],
            }
        ),
        geoms,
        paths["communes"],
    )
    progress.advance()
    _write_qpv(world, paths["qpv"])
    write_insee_qpv(world.layout.qpv, buildings, per_building, paths["insee_qpv"])
    progress.advance()
    to3035 = Transformer.from_crs("EPSG:2154", "EPSG:3035", always_xy=True)
    com3035 = [
        (code, shapely.transform(g, lambda c: np.column_stack(to3035.transform(c[:, 0], c[:, 1]))))
        for code, g in zip(communes["code_insee"], geoms, strict=True)
    ]
    write_filosofi(filosofi_table(cells, com3035, raw["men"]), paths["filosofi"])
    progress.advance()
    # Food places draw from their own stream: the rest of the demo does not move with them.
    food = food_facilities(layout, hh.reset_index(), rngs[11])
    food_world = _World(layout, warp, food, set())
    write_bpe(_bpe_rows(world, rngs[7]) + _bpe_rows(food_world, rngs[11]), paths["bpe"], rngs[7])
    progress.advance()
    write_lcz(_lcz(world, streets, buildings, trees), paths["lcz"])
    progress.advance()
    write_climadiag(climadiag_records(communes, rngs[8]), paths["climadiag"])
    write_places(_cool_rooms(world), paths["places"])
    progress.advance()
    parkings = parking_lots(squares, buildings, rngs[10])
    scene = OsmScene(layout, streets, buildings, trees, facilities, in_osm, parkings, food)
    write_osm(scene, warp, paths["osm"], rngs[9])
    write_hazards(layout, warp, paths["tri"], paths["argiles"])
    write_dpe(dpe_records(layout, warp, buildings, rngs[11]), paths["dpe"])
    progress.advance()
    (out_dir / "README.txt").write_text(readme_text(seed, paths, out_dir), encoding="utf-8")
    progress.advance()


def _communes(
    world: _World, buildings: pd.DataFrame, per_building: pd.DataFrame
) -> tuple[pd.DataFrame, list[shapely.Geometry]]:
    """Return the ADMIN EXPRESS ``commune`` attributes and Lambert-93 outlines."""
    res = buildings.loc[per_building.index]
    code = world.layout.commune_of(
        ((res["x0"] + res["x1"]) / 2).to_numpy(), ((res["y0"] + res["y1"]) / 2).to_numpy()
    )
    persons = per_building["ind"].groupby(code).sum()
    rows = []
    geoms = []
    for k, c in enumerate(world.layout.communes, start=1):
        # Legal population counts students and people in institutions: a little above
        # Filosofi's fiscal population.
        pop = round(float(persons.get(c.code, 0.0)) * 1.015)
        rows.append(
            {
                "cleabs": f"COMMUNE_FICTIVE_{k:07d}",
                "code_insee": c.code,
                "nom_officiel": c.name,
                "nom_officiel_en_majuscules": c.name.upper(),
                "code_insee_du_departement": "00",
                "code_insee_de_la_region": "00",
                "codes_siren_des_epci": EPCI_SIREN,
                "code_siren": _SIREN[c.code],
                "population": pop,
                "postcode": _POSTCODES[c.code],
            }
        )
        geoms.append(world.warp.geometry(c.polygon, max_segment=50.0))
    return pd.DataFrame(rows), geoms


def _write_qpv(world: _World, path: Path) -> None:
    rows = []
    geoms = []
    for fid, (code, named) in enumerate(world.layout.qpv, start=1):
        rows.append(
            {
                "fid": fid,
                "code_qp": code,
                "lib_qp": named.name,
                "insee_reg": "00",
                "lib_reg": "Région fictive",
                "insee_dep": "00",
                "lib_dep": "Département fictif",
                "insee_com": "00001",
                "lib_com": "Ville-Témoin",
                "siren_epci": EPCI_SIREN,
            }
        )
        geoms.append(world.warp.geometry(named.polygon, max_segment=20.0))
    write_qpv(rows, geoms, path)


def _bpe_rows(world: _World, rng: Generator) -> list[dict[str, object]]:
    """Return one BPE row per facility and equipment code (e.g. one per doctor)."""
    names = {c.code: c.name for c in world.layout.communes}
    flat = [(f, code) for f in world.facilities for code in f.typequ]
    u = np.array([f.u for f, _ in flat])
    v = np.array([f.v for f, _ in flat])
    quality, noise = quality_noise(rng, len(flat))
    x, y = world.warp.xy(u, v)
    x, y = x + noise[:, 0], y + noise[:, 1]
    lon, lat = to_wgs84(x, y)
    qp = np.full(len(flat), "HZ", dtype=object)
    for code, named in world.layout.qpv:
        qp[shapely.contains_xy(named.polygon, u, v)] = code
    streets = ["des Tilleuls", "du Moulin", "de la Gare", "des Écoles", "du Marché", "de l'Église"]
    rows = []
    for k, (f, code) in enumerate(flat):
        rows.append(
            {
                "typequ": code,
                "name": f.name,
                "street": streets[int(rng.integers(len(streets)))],
                "postcode": _POSTCODES[f.commune],
                "depcom": f.commune,
                "libcom": names[f.commune],
                "x": float(x[k]),
                "y": float(y[k]),
                "lon": float(lon[k]),
                "lat": float(lat[k]),
                "quality": quality[k],
                "qp": qp[k] if f.commune == "00001" else "CSZ",
            }
        )
    return rows


def _lcz(
    world: _World, streets: StreetNet, buildings: pd.DataFrame, trees: pd.DataFrame
) -> gpd.GeoDataFrame:
    blocks = lcz_blocks(world.layout, streets, buildings, trees)
    geoms = world.warp.geometries(blocks["geometry"].to_numpy(), max_segment=50.0)
    out = blocks.drop(columns=["geometry", "zone"])
    out.insert(0, "identifier", np.arange(1, len(out) + 1, dtype=np.int64))
    out.insert(2, "are", np.round(shapely.area(geoms), 1))
    return gpd.GeoDataFrame(out, geometry=list(geoms), crs="EPSG:2154")


_COOL_ROOMS = [
    ("mediatheque", "Médiathèque de l'Horloge", "médiathèque",
     "mardi–samedi 10 h–18 h, jusqu'à 20 h en alerte canicule"),
    ("mairie", "Mairie de Ville-Témoin – salle du conseil", "salle municipale",
     "lundi–vendredi 9 h–17 h en alerte canicule"),
    ("maison_quartier_plateau", "Maison de quartier du Plateau", "centre social",
     "tous les jours 10 h–19 h en alerte canicule"),
    ("maison_quartier_centre", "Maison de quartier des Halles", "centre social",
     "lundi–samedi 10 h–18 h en alerte canicule"),
    ("bibliotheque_plateau", "Bibliothèque du Plateau", "bibliothèque",
     "mercredi et samedi 10 h–17 h"),
    ("mairie_00002", "Salle des fêtes de Saint-Fictif", "salle municipale",
     "sur appel de la mairie en alerte canicule"),
    ("mairie_00003", "Salle polyvalente de Bourg-Modèle", "salle municipale",
     "14 h–18 h en alerte canicule"),
]  # fmt: skip


def _cool_rooms(world: _World) -> list[dict[str, object]]:
    """Return the city's list of cool rooms, placed at their facilities."""
    by_key = {f.key: f for f in world.facilities}
    rows = []
    for key, name, category, hours in _COOL_ROOMS:
        f = by_key[key]
        lon, lat = to_wgs84(*world.warp.xy(np.array([f.u]), np.array([f.v])))
        rows.append(
            {
                "nom": name,
                "type": category,
                "lon": float(lon[0]),
                "lat": float(lat[0]),
                "ouverture": hours,
            }
        )
    return rows
