"""Flood and coastal-submersion zones: TRI maps, EAIP envelopes, PPR hazard zonings.

- ``tri``: Géorisques « Zonages inondation – rapportage 2020 » (Directive inondation,
  COVADIS DI layout), one zip per département holding one shapefile per TRI, flood type
  and scenario, named ``n_tri_<code>_inondable_<typ_inond>_<scenario>_s_<ddd>.shp``, with
  the fields ``typ_inond`` (``01`` river overflow, ``02`` run-off, ``03`` sea), ``scenario``
  (``01For`` frequent, ``02Moy`` medium, ``03Mcc`` medium with climate change, ``04Fai``
  extreme) and ``id_tri``.
- ``eaip``: the « enveloppes approchées des inondations potentielles », one polygon layer
  for rivers (``EAIP_CE``) and one for the sea (``EAIP_SM``), told apart by the layer or
  file name.
- ``ppr``: PPRN in the COVADIS « PPR » layout (``N_ZONE_ALEA_PPRN_<id>_S_<ddd>.shp``:
  ``id_zone``, ``id_gaspar``, ``coderisque``, ``nivalea_st``; multi-hazard zones
  (``coderisque`` 9999999) detailed in ``N_MULTIALEA_PPRN_<id>_<ddd>.dbf``). Flood risk
  codes are GASPAR's 11x (``1170000`` submersion marine); other hazards are left out.

All become :data:`~quartiers.schemas.HAZARD_COLUMNS` in EPSG:2154.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import HAZARD_COLUMNS, BBox
from quartiers.sources._archive import extract_matching, is_archive
from quartiers.sources._text import text_column
from quartiers.sources._vector import (
    L93,
    bbox_in_file_crs,
    check_crs,
    clip_to_bbox,
    read_vector,
    repair_geometries,
)

__all__ = [
    "EAIP_KINDS",
    "PPR_PATTERN",
    "TRI_PATTERN",
    "TRI_SCENARIOS",
    "TRI_TYPES",
    "hazard_frame",
    "read_eaip",
    "read_ppr",
    "read_tri",
    "shapefiles",
]

#: Layer file name of the TRI surfaces (rapportage 2020).
TRI_PATTERN = "n_tri_*_inondable_*_s_*.shp"
#: TRI ``scenario`` code (lower case) → our scenario.
TRI_SCENARIOS = {"01for": "frequent", "02moy": "moyen", "03mcc": "moyen_cc", "04fai": "extreme"}
#: TRI ``typ_inond`` → our hazard (01 river overflow, 02 run-off, 03 sea, 04 groundwater).
TRI_TYPES = {"01": "inondation", "02": "inondation", "03": "submersion", "04": "inondation"}
#: EAIP layer or file name part → our hazard.
EAIP_KINDS = {"ce": "inondation", "sm": "submersion"}
#: Layer file name of a PPRN hazard zoning (COVADIS).
PPR_PATTERN = "n_zone_alea_ppr*_s_*.shp"
_MULTI = "9999999"
_SEA = "1170000"
#: COVADIS ``nivalea_st`` (01 faible, 02 moyen, 03 moyen-fort, 04 fort, 05 très fort).
_PPR_LEVELS = {"01": 1, "02": 2, "03": 3, "04": 4, "05": 5}


def hazard_frame(
    hazard: pd.Series | str,
    scenario: pd.Series | str,
    level: pd.Series | int,
    source: str,
    ref: pd.Series | str,
    geometry: gpd.GeoSeries,
) -> gpd.GeoDataFrame:
    """Return a :data:`~quartiers.schemas.HAZARD_COLUMNS` frame (EPSG:2154)."""
    n = len(geometry)

    def _values(value: pd.Series | str | int) -> list[object]:
        return value.tolist() if isinstance(value, pd.Series) else [value] * n

    frame = gpd.GeoDataFrame(
        {
            "hazard": _values(hazard),
            "scenario": _values(scenario),
            "level": _values(level),
            "source": [source] * n,
            "ref": _values(ref),
        },
        geometry=geometry.to_numpy(),
        crs=geometry.crs,
    )
    frame["level"] = frame["level"].astype("int64")
    return frame[HAZARD_COLUMNS]


def shapefiles(path: Path, pattern: str, what: str, work: Path) -> list[Path]:
    """Return the shapefiles of ``path`` matching ``pattern`` (a file, a folder or an archive).

    Raises
    ------
    InputError
        Nothing matches (the expected file name is given).
    """
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and _match(p.name, pattern))
    elif is_archive(path):
        found = extract_matching(path, pattern, work)
    elif path.is_file():
        found = [path]
    else:
        raise InputError(f"{path} : fichier introuvable")
    if not found:
        raise InputError(
            f"{path} : aucune couche « {pattern} » — attendu {what} (fichier, dossier ou archive)"
        )
    return found


def _match(name: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatch(name.lower(), pattern.lower())


def _read(path: Path, what: str, bbox_2154: BBox | None) -> gpd.GeoDataFrame:
    bbox = bbox_in_file_crs(path, None, bbox_2154, L93)
    raw = read_vector(path, what=what, bbox=bbox, allow_empty=True)
    raw = check_crs(raw, path=path, expected="EPSG:2154 (Lambert-93)", target=L93)
    raw = raw[raw.geometry.notna() & ~raw.geometry.is_empty]
    return repair_geometries(raw.reset_index(drop=True), path=path)


def _field(raw: pd.DataFrame, name: str, path: Path, what: str) -> pd.Series:
    lower = {str(c).lower(): c for c in raw.columns}
    if name not in lower:
        shown = ", ".join(str(c) for c in raw.columns if c != "geometry")
        raise InputError(
            f"{path} : champ {name} manquant — attendu pour {what} (champs présents : {shown})"
        )
    return text_column(raw[lower[name]])


def _coded(values: pd.Series, codes: dict[str, str], path: Path, field: str) -> pd.Series:
    key = values.str.lower()
    bad = ~key.isin(list(codes))
    if bad.any():
        raise InputError(
            f"{path} : valeur {values[bad].iloc[0]!r} dans le champ {field} — attendu l'un de "
            f"{', '.join(sorted(codes))}"
        )
    return key.map(codes)


def _concat(parts: list[gpd.GeoDataFrame], bbox_2154: BBox | None) -> gpd.GeoDataFrame:
    if not parts:
        empty = gpd.GeoSeries([], crs=L93)
        return hazard_frame("", "", 0, "", "", empty)
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=L93)
    return clip_to_bbox(frame, bbox_2154).reset_index(drop=True)


_TRI_WHAT = "les surfaces inondables des TRI (Géorisques, rapportage 2020 : n_tri_*_inondable_*)"


def read_tri(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read TRI flood surfaces into :data:`~quartiers.schemas.HAZARD_COLUMNS`.

    Parameters
    ----------
    path
        One ``n_tri_*_inondable_*_s_*.shp``, a folder of them or the département zip
        ``tri_2020_sig_di_<ddd>.zip``.
    bbox_2154
        Keep only zones intersecting this Lambert-93 box.

    Raises
    ------
    InputError
        Missing ``typ_inond``/``scenario``/``id_tri`` field or an unknown code.
    """
    with tempfile.TemporaryDirectory(prefix="quartiers-tri-") as work:
        parts = []
        for shp in shapefiles(path, TRI_PATTERN, _TRI_WHAT, Path(work)):
            raw = _read(shp, _TRI_WHAT, bbox_2154)
            kind = _field(raw, "typ_inond", shp, _TRI_WHAT)
            scenario = _field(raw, "scenario", shp, _TRI_WHAT)
            ref = _field(raw, "id_tri", shp, _TRI_WHAT)
            hazard = _coded(kind, TRI_TYPES, shp, "typ_inond")
            scenarios = _coded(scenario, TRI_SCENARIOS, shp, "scenario")
            parts.append(hazard_frame(hazard, scenarios, 0, "tri", ref, raw.geometry))
        return _concat(parts, bbox_2154)


_EAIP_WHAT = "une enveloppe approchée des inondations potentielles (EAIP_CE ou EAIP_SM)"


def _eaip_kind(path: Path) -> str:
    name = path.stem.lower()
    kinds = [hazard for part, hazard in EAIP_KINDS.items() if f"eaip_{part}" in name]
    if len(kinds) != 1:
        raise InputError(
            f"{path} : type d'EAIP inconnu — attendu « eaip_ce » (cours d'eau) ou « eaip_sm » "
            "(submersion marine) dans le nom du fichier"
        )
    return kinds[0]


def read_eaip(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read EAIP envelopes (river and/or sea) into :data:`~quartiers.schemas.HAZARD_COLUMNS`.

    Parameters
    ----------
    path
        A shapefile/GeoPackage whose name holds ``eaip_ce`` or ``eaip_sm``, a folder or an
        archive of them.
    bbox_2154
        Keep only zones intersecting this Lambert-93 box.
    """
    with tempfile.TemporaryDirectory(prefix="quartiers-eaip-") as work:
        parts = []
        for file in shapefiles(path, "*eaip_*", _EAIP_WHAT, Path(work)):
            if file.suffix.lower() not in {".shp", ".gpkg", ".geojson"}:
                continue
            raw = _read(file, _EAIP_WHAT, bbox_2154)
            parts.append(hazard_frame(_eaip_kind(file), "eaip", 0, "eaip", "", raw.geometry))
        return _concat(parts, bbox_2154)


_PPR_WHAT = "les zones d'aléa d'un PPRN au standard COVADIS (N_ZONE_ALEA_PPRN_*_S_*)"


def _multi_hazards(shp: Path) -> pd.DataFrame | None:
    """Return ``id_zone → coderisque, nivalea_st`` of the PPR's N_MULTIALEA table, if any."""
    tables = sorted(shp.parent.glob("*.dbf"))
    multi = [t for t in tables if t.name.lower().startswith("n_multialea_ppr")]
    if not multi:
        return None
    raw = read_vector(multi[0], what=_PPR_WHAT, read_geometry=False, allow_empty=True)
    return pd.DataFrame(
        {
            name: _field(raw, name, multi[0], _PPR_WHAT)
            for name in ("id_zone", "coderisque", "nivalea_st")
        }
    )


def _ppr_zones(shp: Path, bbox_2154: BBox | None) -> gpd.GeoDataFrame:
    raw = _read(shp, _PPR_WHAT, bbox_2154)
    zones = gpd.GeoDataFrame(
        {
            name: _field(raw, name, shp, _PPR_WHAT)
            for name in ("id_zone", "id_gaspar", "coderisque", "nivalea_st")
        },
        geometry=raw.geometry.to_numpy(),
        crs=L93,
    )
    zones["id_zone"] = zones["id_zone"].str.replace(r"\.0$", "", regex=True)
    multi = zones["coderisque"] == _MULTI
    detail = _multi_hazards(shp)
    if multi.any() and detail is not None:
        detail["id_zone"] = detail["id_zone"].str.replace(r"\.0$", "", regex=True)
        joined = zones[multi].drop(columns=["coderisque", "nivalea_st"]).merge(detail, on="id_zone")
        zones = gpd.GeoDataFrame(pd.concat([zones[~multi], joined], ignore_index=True), crs=L93)
    return zones[zones["coderisque"].str.startswith("11")]


def read_ppr(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read the flood hazard zones of PPRN (COVADIS) into :data:`~quartiers.schemas.HAZARD_COLUMNS`.

    Parameters
    ----------
    path
        ``N_ZONE_ALEA_PPRN_<id>_S_<ddd>.shp``, the PPR folder (with its
        ``N_MULTIALEA_PPRN_*.dbf``) or an archive.
    bbox_2154
        Keep only zones intersecting this Lambert-93 box.

    Raises
    ------
    InputError
        Missing COVADIS field or an unknown hazard level in ``nivalea_st``.
    """
    with tempfile.TemporaryDirectory(prefix="quartiers-ppr-") as work:
        if Path(path).is_file() and is_archive(Path(path)):
            extract_matching(Path(path), "n_multialea_ppr*.dbf", Path(work))
        parts = []
        for shp in shapefiles(path, PPR_PATTERN, _PPR_WHAT, Path(work)):
            zones = _ppr_zones(shp, bbox_2154)
            levels = _coded(
                zones["nivalea_st"], {k: str(v) for k, v in _PPR_LEVELS.items()}, shp, "nivalea_st"
            )
            hazard = zones["coderisque"].map(
                lambda code: "submersion" if code == _SEA else "inondation"
            )
            level = levels.astype("int64")
            ref = zones["id_gaspar"]
            parts.append(hazard_frame(hazard, "ppr", level, "ppr", ref, zones.geometry))
        return _concat(parts, bbox_2154)
