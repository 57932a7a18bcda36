"""Clay shrink-swell exposure map (BRGM, published on Géorisques).

The national layer ``ExpoArgile_Fxx_L93.shp`` (archive ``AleaRG_Fxx_L93.zip``, Lambert-93)
holds one polygon per exposed zone with ``DPT`` (département), ``NIVEAU`` (1, 2, 3) and
``ALEA`` (« Faible », « Moyen », « Fort »). The fourth level of the regulatory map
(« exposition a priori nulle ») is everywhere the layer has no polygon. Polygons become
:data:`~quartiers.schemas.HAZARD_COLUMNS` rows (hazard ``argiles``, scenario
``exposition``, level 1–3).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import BBox
from quartiers.sources._text import text_column
from quartiers.sources._vector import (
    L93,
    bbox_in_file_crs,
    check_crs,
    clip_to_bbox,
    read_vector,
    repair_geometries,
)
from quartiers.sources.flood import hazard_frame

__all__ = ["CLAY_LEVELS", "read_clay"]

#: Exposure level → French label (level 0, « a priori nulle », has no polygon).
CLAY_LEVELS = {0: "Exposition a priori nulle", 1: "Faible", 2: "Moyenne", 3: "Forte"}
_ALEA = {"faible": 1, "moyen": 2, "moyenne": 2, "fort": 3, "forte": 3}
_WHAT = "l'exposition au retrait-gonflement des argiles (BRGM : ExpoArgile_Fxx_L93, NIVEAU, ALEA)"


def read_clay(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read the BRGM clay exposure map into :data:`~quartiers.schemas.HAZARD_COLUMNS`.

    Parameters
    ----------
    path
        ``ExpoArgile_Fxx_L93.shp`` (or a GeoPackage/extract with the same fields).
    bbox_2154
        Keep only zones intersecting this Lambert-93 box (read with the box: the national
        layer is large).

    Raises
    ------
    InputError
        Neither ``NIVEAU`` nor ``ALEA``, or a value outside 1–3 / Faible–Fort.
    """
    path = Path(path)
    bbox = bbox_in_file_crs(path, None, bbox_2154, L93)
    raw = read_vector(path, what=_WHAT, bbox=bbox, allow_empty=True)
    raw = check_crs(raw, path=path, expected="EPSG:2154 (Lambert-93)", target=L93)
    raw = repair_geometries(
        raw[raw.geometry.notna() & ~raw.geometry.is_empty].reset_index(drop=True), path=path
    )
    lower = {str(c).lower(): c for c in raw.columns}
    if "niveau" in lower:
        field = str(lower["niveau"])
        text = text_column(raw[field]).str.replace(r"\.0$", "", regex=True)
        level = pd.to_numeric(text, errors="coerce")
        bad = ~level.isin([1, 2, 3])
        expected = "1 (faible), 2 (moyen) ou 3 (fort)"
    elif "alea" in lower:
        field = str(lower["alea"])
        text = text_column(raw[field])
        level = text.str.lower().map(_ALEA)
        bad = level.isna()
        expected = "Faible, Moyen ou Fort"
    else:
        shown = ", ".join(str(c) for c in raw.columns if c != "geometry")
        raise InputError(
            f"{path} : champ NIVEAU ou ALEA manquant — attendu pour {_WHAT} "
            f"(champs présents : {shown})"
        )
    if bad.any():
        raise InputError(
            f"{path} : valeur {text[bad].iloc[0]!r} dans le champ {field} — attendu {expected}"
        )
    ref = text_column(raw[lower["dpt"]]) if "dpt" in lower else pd.Series([""] * len(raw))
    frame = hazard_frame(
        "argiles", "exposition", level.astype("int64"), "argiles", ref, raw.geometry
    )
    return clip_to_bbox(frame, bbox_2154).reset_index(drop=True)
