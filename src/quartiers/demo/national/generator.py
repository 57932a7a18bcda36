"""Generate a fictitious France at national size in the official formats (issue 16).

``quartiers demo --echelle france --out DIR`` writes every metropolitan département of the
COG as a square tile of fictitious communes, EPCI, towns and QPV: 2,323,200 inhabited
200 m cells in the national Filosofi 2021 CSV (streamed, one département at a time),
1,632 QPV in 13 régions, the ADMIN EXPRESS GeoPackage, a Climadiag record per commune
a BPE file, LCZ for the largest town of every département and one OpenStreetMap extract
per région (streets, buildings, trees and places around every QPV + 2 km, see
:mod:`quartiers.demo.national._osm`). Names say « fictif », QPV codes start with ``QZ``
(used by no real QPV); commune codes are the real département followed by 901–964 and
may coincide with real communes: the data describe none of them.

The files are written once: ``empreinte.json`` holds the fingerprint of the generator
version, the scale and the seed, and a second call with the same parameters reuses them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely

from quartiers.defaults import DEFAULT_SEED
from quartiers.demo._filosofi import FILOSOFI_2021_COLUMNS
from quartiers.demo._tables import write_climadiag
from quartiers.demo.national._cells import cell_table
from quartiers.demo.national._files import (
    bpe_rows,
    climadiag_records,
    write_bpe,
    write_communes,
    write_qpv,
)
from quartiers.demo.national._layout import (
    ESSAI,
    FRANCE,
    Departement,
    Scale,
    Town,
    departements,
    place_qpv,
)
from quartiers.demo.national._lcz import lcz_blocks, write_lcz
from quartiers.demo.national._osm import IDS_PER_REGION, QpvSite, TownSite, write_region_osm
from quartiers.demo.national._readme import readme_text
from quartiers.errors import InputError
from quartiers.progress import NullProgress, Progress
from quartiers.sources.territory_codes import REGIONS

__all__ = [
    "FILES",
    "GENERATOR_VERSION",
    "OSM_DIR",
    "SCALES",
    "STAMP",
    "NationalFiles",
    "fingerprint",
    "generate_france",
    "osm_paths",
]

logger = logging.getLogger(__name__)

#: Changes whenever the generated files would change (part of the cache fingerprint).
GENERATOR_VERSION = "2"
#: ``--echelle`` value → size of the fictitious France.
SCALES: dict[str, Scale] = {FRANCE.name: FRANCE, ESSAI.name: ESSAI}
#: Where each source is written, relative to the output directory.
FILES: dict[str, Path] = {
    "qpv": Path("qpv/QP2024_France_FICTIVE_WGS84.geojson"),
    "filosofi": Path("filosofi/carreaux_200m_met.csv"),
    "bpe": Path("bpe/BPE24.csv"),
    "climadiag": Path("climadiag/entities.jsonl"),
    "communes": Path("admin/ADE-COG_4-0_GPKG_WGS84G_FRA-FICTIVE.gpkg"),
    "lcz": Path("lcz/LCZ_SPOT_2022_France-fictive.gpkg"),
}
#: Folder of the OpenStreetMap extracts, one ``<code région>.osm.pbf`` per région.
OSM_DIR = Path("osm")
#: File holding the fingerprint of the files written.
STAMP = "empreinte.json"


@dataclass(frozen=True)
class NationalFiles:
    """What :func:`generate_france` wrote (or found already written)."""

    paths: dict[str, Path]
    osm: list[Path]  # one extract per région, by région code
    fingerprint: str
    reused: bool
    counts: dict[str, int]


def osm_paths(out_dir: Path, scale: Scale) -> list[Path]:
    """Return the OpenStreetMap extract of every région of ``scale``, by région code."""
    regions = sorted({d.region for d in departements(scale)})
    return [(Path(out_dir) / OSM_DIR / f"{r}.osm.pbf").resolve() for r in regions]


def fingerprint(scale: Scale, seed: int) -> str:
    """Return the SHA-256 of the generator version, the scale and the seed."""
    doc = {"v": GENERATOR_VERSION, "scale": asdict(scale), "seed": seed}
    text = json.dumps(doc, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def generate_france(
    out_dir: Path,
    *,
    echelle: str = "france",
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
) -> NationalFiles:
    """Write (or reuse) the fictitious France of ``echelle`` in ``out_dir``.

    Parameters
    ----------
    out_dir
        Directory of the files (one sub-folder per source, see :data:`FILES`).
    echelle
        ``france`` (national size) or ``france-essai`` (one small département per région).
    seed
        Seed of every draw; the same seed and scale give the same files.
    progress
        Receives one step per département and per layer.

    Raises
    ------
    InputError
        Unknown scale, or ``out_dir`` is not a writable directory.
    """
    if echelle not in SCALES:
        raise InputError(
            f"--echelle : échelle « {echelle} » inconnue — attendu ville, {', '.join(SCALES)}"
        )
    scale = SCALES[echelle]
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} : ce chemin existe et n'est pas un dossier")
    paths = {k: (out_dir / rel).resolve() for k, rel in FILES.items()}
    osm = osm_paths(out_dir, scale)
    key = fingerprint(scale, seed)
    stamp = out_dir / STAMP
    if stamp.is_file() and all(p.is_file() for p in [*paths.values(), *osm]):
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("empreinte") == key:
            logger.info("France fictive déjà écrite dans %s (empreinte %s)", out_dir, key[:12])
            return NationalFiles(paths, osm, key, True, dict(recorded.get("effectifs", {})))
    progress = progress or NullProgress()
    try:
        stamp.unlink(missing_ok=True)
        for p in [*paths.values(), *osm]:
            p.parent.mkdir(parents=True, exist_ok=True)
        counts = _write(scale, seed, paths, progress)
        counts.update(_write_extracts(scale, seed, osm, paths["lcz"], progress))
        (out_dir / "README.txt").write_text(readme_text(scale, seed, counts), encoding="utf-8")
        doc = {"empreinte": key, "generateur": GENERATOR_VERSION, "echelle": asdict(scale),
               "graine": seed, "effectifs": counts}  # fmt: skip
        stamp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{exc.filename or out_dir} : écriture impossible de la France fictive "
            f"({exc.strerror or exc})"
        ) from exc
    return NationalFiles(paths, osm, key, False, counts)


def _write(scale: Scale, seed: int, paths: dict[str, Path], progress: Progress) -> dict[str, int]:
    deps = departements(scale)
    seeds = np.random.SeedSequence(seed).spawn(len(deps) + 1)
    progress.start("France fictive", total=len(deps) + 1)
    communes, epci, qpv_rows, qpv_geoms = [], [], [], []
    cells = 0
    try:
        with _CsvOut(paths["filosofi"]) as write:
            for dep, ss in zip(deps, seeds, strict=False):
                rng = np.random.default_rng(ss)
                towns = dep.towns(rng)
                qpv = place_qpv(dep, towns, rng)
                table, stats = cell_table(dep, towns, shapely.union_all([g for _, g in qpv]), rng)
                write(table)
                cells += table.num_rows
                communes.append(_communes(dep, stats))
                epci.append(_epci(dep))
                rows, geoms = _qpv(dep, qpv)
                qpv_rows += rows
                qpv_geoms += geoms
                progress.advance()
        com = pd.concat(communes, ignore_index=True)
        rng = np.random.default_rng(seeds[-1])
        write_communes(com[_COMMUNE_FIELDS], pd.concat(epci, ignore_index=True), paths["communes"])
        for fid, row in enumerate(qpv_rows, start=1):
            row["fid"] = fid
        write_qpv(qpv_rows, qpv_geoms, paths["qpv"])
        write_climadiag(climadiag_records(com, rng), paths["climadiag"])
        facilities = bpe_rows(com, rng)
        write_bpe(facilities, paths["bpe"])
        progress.advance()
    finally:
        progress.finish()
    return {
        "carreaux": cells,
        "qpv": len(qpv_rows),
        "communes": len(com),
        "epci": sum(len(e) for e in epci),
        "departements": len(deps),
        "regions": len({d.region for d in deps}),
        "equipements": len(facilities),
    }


def _write_extracts(
    scale: Scale, seed: int, osm: list[Path], lcz_path: Path, progress: Progress
) -> dict[str, int]:
    """Write the OpenStreetMap extract of each région and the LCZ of the large towns.

    The towns and QPV are drawn again from each département's seed, exactly as
    :func:`_write` drew them; the extracts and LCZ blocks take seeds of their own, so the
    other files do not change.
    """
    deps = departements(scale)
    seeds = np.random.SeedSequence(seed).spawn(len(deps) + 1)
    sites: dict[str, list[QpvSite]] = {}
    towns: dict[str, list[TownSite]] = {}
    lcz_rng = np.random.default_rng(np.random.SeedSequence([seed, 16, 0]))
    codes: list[str] = []
    blocks: list[shapely.Geometry] = []
    for dep, ss in zip(deps, seeds, strict=False):
        rng = np.random.default_rng(ss)
        drawn = dep.towns(rng)
        qpv = place_qpv(dep, drawn, rng)
        sites.setdefault(dep.region, []).extend(QpvSite(code, _box(g)) for code, g in qpv)
        towns.setdefault(dep.region, []).extend(_town_site(dep, t) for t in drawn if t.n_qpv)
        c, b = lcz_blocks((drawn[0].x, drawn[0].y), [g for _, g in qpv], lcz_rng)
        codes += c
        blocks += b
    write_lcz(codes, blocks, lcz_path)
    progress.start("France fictive : extraits OpenStreetMap", total=len(osm))
    counts = {"lcz": len(codes), "osm_noeuds": 0, "osm_voies": 0}
    try:
        for k, path in enumerate(osm):
            region = path.name.split(".")[0]
            rng = np.random.default_rng(np.random.SeedSequence([seed, 16, k + 1]))
            n = write_region_osm(
                region, sites[region], towns[region], path, rng, first_id=k * IDS_PER_REGION + 1
            )
            counts["osm_noeuds"] += n["noeuds"]
            counts["osm_voies"] += n["voies"]
            progress.advance()
    finally:
        progress.finish()
    return counts


def _box(geom: shapely.Geometry) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in shapely.bounds(geom))
    return (x0, y0, x1, y1)


def _town_site(dep: Departement, town: Town) -> TownSite:
    k = int(dep.commune_index(np.array([town.x]), np.array([town.y]))[0])
    return TownSite(town.x, town.y, f"Commune fictive {dep.commune_codes()[k]}")


_COMMUNE_FIELDS = [
    "cleabs", "code_insee", "nom_officiel", "nom_officiel_en_majuscules",
    "code_insee_du_departement", "code_insee_de_la_region", "codes_siren_des_epci",
    "code_siren", "population", "box",
]  # fmt: skip


class _CsvOut:
    """Context manager writing Arrow tables to the Filosofi CSV (header, no quotes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: pacsv.CSVWriter | None = None

    def __enter__(self) -> _CsvOut:
        self.handle = pa.OSFile(str(self.path), "wb")
        self.handle.write((",".join(FILOSOFI_2021_COLUMNS) + "\n").encode())
        return self

    def __call__(self, table: pa.Table) -> None:
        if self.writer is None:
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            self.writer = pacsv.CSVWriter(self.handle, table.schema, write_options=options)
        self.writer.write_table(table)

    def __exit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
        self.handle.close()


def _communes(dep: Departement, stats: dict[str, np.ndarray]) -> pd.DataFrame:
    """Return the commune rows of a tile, with the helpers of the other layers."""
    codes = dep.commune_codes()
    n = len(codes)
    k = stats["commune"]
    people = np.bincount(k, weights=stats["ind"], minlength=n)
    safe = np.where(people > 0, people, 1.0)
    boxes = dep.commune_boxes()
    centre = np.array([((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes])
    cx = np.where(people > 0, np.bincount(k, stats["ind"] * stats["x"], n) / safe, centre[:, 0])
    cy = np.where(people > 0, np.bincount(k, stats["ind"] * stats["y"], n) / safe, centre[:, 1])
    sirens = dep.epci_sirens()
    names = [f"Commune fictive {c}" for c in codes]
    return pd.DataFrame(
        {
            "cleabs": [f"COMMUNE_FICTIVE_{c}" for c in codes],
            "code_insee": codes,
            "nom_officiel": names,
            "nom_officiel_en_majuscules": [s.upper() for s in names],
            "code_insee_du_departement": dep.code,
            "code_insee_de_la_region": dep.region,
            "codes_siren_des_epci": [sirens[dep.epci_of(i)] for i in range(n)],
            "code_siren": [f"21{dep.number:03d}{i:04d}" for i in range(n)],
            "population": np.round(people * 1.015).astype(np.int64),
            "box": boxes,
            "south": 1.0 - (dep.y0 - 2_200_000) / 1_000_000,
            "urban": np.clip(people / 40_000.0, 0.0, 1.0),
            "cx": cx,
            "cy": cy,
            "sd": dep.commune_side / 8.0,
        }
    )


def _epci(dep: Departement) -> pd.DataFrame:
    side = dep.commune_side * dep.scale.communes_per_epci_side
    sirens = dep.epci_sirens()
    n, m = dep.scale.communes_per_side, dep.scale.communes_per_epci_side
    per_row = -(-n // m)
    boxes = [
        (dep.x0 + (e % per_row) * side, dep.y0 + (e // per_row) * side,
         min(dep.x0 + (e % per_row + 1) * side, dep.x0 + dep.scale.tile_m),
         min(dep.y0 + (e // per_row + 1) * side, dep.y0 + dep.scale.tile_m))
        for e in range(len(sirens))
    ]  # fmt: skip
    return pd.DataFrame(
        {
            "cleabs": [f"EPCI_FICTIF_{s}" for s in sirens],
            "code_siren": sirens,
            "nom_officiel": [f"Communauté de communes fictive {s}" for s in sirens],
            "nature": "Communauté de communes",
            "box": boxes,
        }
    )


def _qpv(
    dep: Departement, qpv: list[tuple[str, shapely.Geometry]]
) -> tuple[list[dict[str, object]], list[shapely.Geometry]]:
    codes = dep.commune_codes()
    sirens = dep.epci_sirens()
    rows: list[dict[str, object]] = []
    for code, geom in qpv:
        x0, y0, x1, y1 = shapely.bounds(geom)
        corners = dep.commune_index(np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1]))
        touched = sorted({int(k) for k in corners if shapely.intersects(
            geom, shapely.box(*dep.commune_boxes()[int(k)]))})  # fmt: skip
        centre = shapely.centroid(geom)
        main = int(dep.commune_index(np.array([centre.x]), np.array([centre.y]))[0])
        touched = [main, *(k for k in touched if k != main)]
        rows.append(
            {
                "fid": 0,  # numbered once every département is placed
                "code_qp": code,
                "lib_qp": f"Quartier fictif {code}",
                "insee_reg": dep.region,
                "lib_reg": f"{REGIONS[dep.region]} (fictive)",
                "insee_dep": dep.code,
                "lib_dep": f"{dep.name} (fictif)",
                "insee_com": ", ".join(codes[k] for k in touched),
                "lib_com": f"Commune fictive {codes[main]}",
                "siren_epci": sirens[dep.epci_of(main)],
            }
        )
    return rows, [g for _, g in qpv]
