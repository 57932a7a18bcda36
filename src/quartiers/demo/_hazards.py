"""The demo's hazard layers, written in the publishers' formats.

- flood and coastal submersion: a Géorisques « rapportage 2020 » TRI archive
  ``tri_2020_sig_di_00.zip`` holding one COVADIS DI shapefile per flood type and scenario
  (``n_tri_vtem_inondable_<typ_inond>_<scenario>_s_000.shp``): river overflow (``01``) as
  bands around the demo's river (frequent, medium, extreme), sea (``03``) as bands along the
  southern edge, taken as the coast (medium, medium with climate change, extreme);
- clay shrink-swell: the BRGM exposure layer ``ExpoArgile_Fxx_L93.shp`` (``DPT``,
  ``NIVEAU``, ``ALEA``), three disjoint zones of level 1, 2 and 3.

The flood bands follow the river already drawn in OpenStreetMap and the LCZ; the coast
exists only in the submersion layers (no sea is added to OpenStreetMap or the LCZ), so the
heat indicators of the demo are unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely import affinity

from quartiers.demo._geometry import Warp
from quartiers.demo._layout import Layout

__all__ = [
    "clay_zones",
    "flood_zones",
    "write_clay",
    "write_hazards",
    "write_tri_archive",
    "write_tri_dbf",
]

_DATE = dt.date(2024, 1, 1)
#: Half-width (m) of the river flood bands: frequent, medium, extreme.
_RIVER = {"01For": 80.0, "02Moy": 220.0, "04Fai": 450.0}
#: Depth (m) of the coastal submersion bands from the southern edge.
_SEA = {"02Moy": 350.0, "03Mcc": 600.0, "04Fai": 900.0}
_ALEA = {1: "Faible", 2: "Moyen", 3: "Fort"}

#: DBF descriptors of the rapportage 2020 TRI layers (name, type, width), as published.
TRI_FIELDS = [
    ("uuid", "C", 80), ("id", "N", 9), ("id_s_inond", "C", 80), ("typ_inond", "C", 80),
    ("typ_inond2", "C", 80), ("scenario", "C", 80), ("datentree", "D", 8),
    ("datsortie", "D", 8), ("cours_deau", "C", 80), ("est_ref", "N", 1), ("id_tri", "C", 80),
]  # fmt: skip


def flood_zones(layout: Layout, warp: Warp) -> dict[tuple[str, str], shapely.Geometry]:
    """Return ``(typ_inond, scenario)`` → zone in Lambert-93."""
    zones: dict[tuple[str, str], shapely.Geometry] = {}
    for scenario, half in _RIVER.items():
        band = shapely.intersection(layout.river_line.buffer(half), layout.territory)
        zones[("01", scenario)] = warp.geometry(band, max_segment=20.0)
    xmin, ymin, xmax, _ = layout.territory.bounds
    for scenario, depth in _SEA.items():
        strip = shapely.box(xmin - 10, ymin - 10, xmax + 10, ymin + depth)
        zones[("03", scenario)] = warp.geometry(
            shapely.intersection(strip, layout.territory), max_segment=20.0
        )
    return zones


def clay_zones(layout: Layout, warp: Warp) -> list[tuple[int, shapely.Geometry]]:
    """Return disjoint ``(NIVEAU, zone)`` pairs in Lambert-93 (strong inside medium inside low)."""
    circle = shapely.Point(0.0, 0.0).buffer(1.0, quad_segs=32)
    strong = affinity.translate(affinity.scale(circle, 700.0, 450.0), 1600.0, -1900.0)
    medium = affinity.translate(affinity.scale(circle, 2200.0, 1400.0), 700.0, -500.0)
    low = affinity.translate(affinity.scale(circle, 6000.0, 4200.0), 0.0, -800.0)
    nested = [(3, strong), (2, shapely.difference(medium, strong))]
    nested.append((1, shapely.difference(low, shapely.union(medium, strong))))
    return [
        (level, warp.geometry(shapely.intersection(zone, layout.territory), max_segment=20.0))
        for level, zone in nested
    ]


def write_tri_dbf(path: Path, table: pd.DataFrame) -> None:
    """Write the TRI attribute table with the published DBF types (dates as ``D``)."""
    record_len = 1 + sum(width for _, _, width in TRI_FIELDS)
    header = struct.pack(
        "<BBBBIHH20x", 3, _DATE.year - 1900, _DATE.month, _DATE.day, len(table),
        32 + 32 * len(TRI_FIELDS) + 1, record_len,
    )  # fmt: skip
    out = bytearray(header)
    out[29] = 0x57  # language driver: ANSI (Windows-1252), as in the published files
    for name, kind, width in TRI_FIELDS:
        out += struct.pack("<11sc4xBB14x", name.encode(), kind.encode(), width, 0)
    out += b"\r"
    for row in table.itertuples(index=False):
        out += b" "
        for name, kind, width in TRI_FIELDS:
            value = getattr(row, name)
            text = "" if value is None or value != value else str(value)
            cell = text.rjust(width) if kind == "N" else text.ljust(width)
            out += cell.encode("cp1252")[:width]
    out += b"\x1a"
    path.write_bytes(bytes(out))


def _tri_layer(folder: Path, typ: str, scenario: str, zone: shapely.Geometry) -> list[Path]:
    parts = [p for p in shapely.get_parts(zone) if isinstance(p, shapely.Polygon)]
    n = len(parts)
    table = pd.DataFrame(
        {
            "uuid": [f"00000000-0000-4000-8000-{typ}{scenario.lower()}{i:05d}" for i in range(n)],
            "id": [1] * n,
            "id_s_inond": [f"SIN_{i + 1}" for i in range(n)],
            "typ_inond": [typ] * n,
            "typ_inond2": [None] * n,
            "scenario": [scenario] * n,
            "datentree": [_DATE.strftime("%Y%m%d")] * n,
            "datsortie": [None] * n,
            "cours_deau": ["La Rivière-Témoin (fictive)" if typ == "01" else None] * n,
            "est_ref": [1] * n,
            "id_tri": ["FRX_TRI_VTEM"] * n,
        }
    )
    path = folder / f"n_tri_vtem_inondable_{typ}_{scenario.lower()}_s_000.shp"
    frame = gpd.GeoDataFrame(table[["id"]], geometry=parts, crs="EPSG:2154")
    frame.to_file(path, engine="pyogrio")
    write_tri_dbf(path.with_suffix(".dbf"), table)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return [path.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj")]


def write_tri_archive(zones: dict[tuple[str, str], shapely.Geometry], path: Path) -> None:
    """Write the TRI département archive (fixed member dates: same bytes for the same zones)."""
    work = path.parent / ".tri"
    work.mkdir(parents=True, exist_ok=True)
    members: list[Path] = []
    for (typ, scenario), zone in zones.items():
        members += _tri_layer(work, typ, scenario, zone)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.read_bytes())
    path.write_bytes(buffer.getvalue())
    for file in work.iterdir():
        file.unlink()
    work.rmdir()


def write_clay(zones: list[tuple[int, shapely.Geometry]], path: Path) -> None:
    """Write ``ExpoArgile_Fxx_L93.shp`` (EPSG:2154, ``DPT``, ``NIVEAU``, ``ALEA``)."""
    frame = gpd.GeoDataFrame(
        {
            "DPT": ["00"] * len(zones),
            "NIVEAU": [level for level, _ in zones],
            "ALEA": [_ALEA[level] for level, _ in zones],
        },
        geometry=[zone for _, zone in zones],
        crs="EPSG:2154",
    )
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        path.with_suffix(suffix).unlink(missing_ok=True)
    frame.to_file(path, engine="pyogrio", layer_options={"DBF_DATE_LAST_UPDATE": "2024-01-01"})


def write_hazards(layout: Layout, warp: Warp, tri: Path, clay: Path) -> None:
    """Write the demo's TRI archive and clay exposure layer."""
    write_tri_archive(flood_zones(layout, warp), tri)
    write_clay(clay_zones(layout, warp), clay)
