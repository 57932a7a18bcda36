"""Hazard files written in the publishers' exact layouts (field names, file names, CRS)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

L93 = "EPSG:2154"


def tri_layer(
    folder: Path, code: str, typ: str, scenario: str, dep: str, boxes: list[tuple[float, ...]]
) -> Path:
    """Write ``n_tri_<code>_inondable_<typ>_<scenario>_s_<ddd>.shp`` (rapportage 2020 fields)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(boxes)
    frame = gpd.GeoDataFrame(
        {
            "uuid": [f"0000000{i}-825a-11eb-beea-005056b2c9b1" for i in range(n)],
            "id": [2011997] * n,
            "id_s_inond": [f"SIN_{i + 1}" for i in range(n)],
            "typ_inond": [typ] * n,
            "typ_inond2": [None] * n,
            "scenario": [scenario] * n,
            "datentree": ["20140117"] * n,
            "datsortie": [""] * n,
            "cours_deau": [None] * n,
            "est_ref": [1] * n,
            "id_tri": [f"FRG_TRI_{code.upper()}"] * n,
        },
        geometry=[box(*b) for b in boxes],
        crs=L93,
    )
    path = folder / f"n_tri_{code}_inondable_{typ}_{scenario.lower()}_s_{dep.zfill(3)}.shp"
    frame.to_file(path, engine="pyogrio")
    _write_dbf(path.with_suffix(".dbf"), _TRI_FIELDS, frame.drop(columns="geometry"))
    return path


#: DBF descriptors of the rapportage 2020 TRI layers (name, type, width), as published.
_TRI_FIELDS = [
    ("uuid", "C", 80), ("id", "N", 9), ("id_s_inond", "C", 80), ("typ_inond", "C", 80),
    ("typ_inond2", "C", 80), ("scenario", "C", 80), ("datentree", "D", 8),
    ("datsortie", "D", 8), ("cours_deau", "C", 80), ("est_ref", "N", 1), ("id_tri", "C", 80),
]  # fmt: skip


def _write_dbf(path: Path, fields: list[tuple[str, str, int]], table: pd.DataFrame) -> None:
    """Rewrite a DBF with exact field types (GDAL writes dates of a shapefile as text)."""
    record_len = 1 + sum(width for _, _, width in fields)
    today = dt.date(2022, 1, 14)
    header = struct.pack(
        "<BBBBIHH20x", 3, today.year - 1900, today.month, today.day, len(table),
        32 + 32 * len(fields) + 1, record_len,
    )  # fmt: skip
    out = bytearray(header)
    out[29] = 0x57  # language driver: ANSI (Windows-1252), as in the published files
    for name, kind, width in fields:
        out += struct.pack("<11sc4xBB14x", name.encode(), kind.encode(), width, 0)
    out += b"\r"
    for _, row in table.iterrows():
        out += b" "
        for name, kind, width in fields:
            value = row[name]
            missing = value is None or (isinstance(value, float) and pd.isna(value))
            text = "" if missing else str(value)
            cell = text.rjust(width) if kind == "N" else text.ljust(width)
            out += cell.encode("cp1252")[:width]
    out += b"\x1a"
    path.write_bytes(bytes(out))


def clay_layer(folder: Path, rows: list[tuple[str, int, str, tuple[float, ...]]]) -> Path:
    """Write ``ExpoArgile_Fxx_L93.shp`` with ``DPT``, ``NIVEAU``, ``ALEA``."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {
            "DPT": [r[0] for r in rows],
            "NIVEAU": [r[1] for r in rows],
            "ALEA": [r[2] for r in rows],
        },
        geometry=[box(*r[3]) for r in rows],
        crs=L93,
    )
    path = folder / "ExpoArgile_Fxx_L93.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    """Return the files of ``folder`` zipped (under ``prefix/`` when given)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                name = file.relative_to(folder).as_posix()
                zf.write(file, f"{prefix}/{name}" if prefix else name)
    return out.getvalue()
