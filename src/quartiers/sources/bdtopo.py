"""IGN BD TOPO v3: buildings, vegetation and water surfaces (shapefile or GeoPackage).

Shapefile exports name fields in short upper case (``USAGE1``, ``HAUTEUR``, ``NB_LOGTS``,
``NATURE``); the GeoPackage uses long lower-case names (``usage_1``, ``hauteur``,
``nombre_de_logements``, ``nature``) and layers ``batiment``, ``zone_de_vegetation``,
``surface_hydrographique``. Both are read. Some shapefile extracts carry UTF-8 text in a
``.dbf`` without ``.cpg``; they are decoded as UTF-8 (see :func:`_tables.read_vector`).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.schemas import BUILDING_COLUMNS, VEGETATION_COLUMNS, WATER_COLUMNS, BBox
from quartiers.sources import validation as v
from quartiers.sources._text import column_map, parse_numbers, text_column
from quartiers.sources._vector import (
    L93,
    bbox_in_file_crs,
    check_crs,
    clip_to_bbox,
    list_layers,
    read_vector,
    repair_geometries,
)
from quartiers.text import fold

__all__ = [
    "BUILDING_EXTRA",
    "MAX_BUILDING_HEIGHT_M",
    "VEGETATION_KINDS",
    "WATER_KINDS",
    "read_buildings",
    "read_vegetation",
    "read_water",
]

logger = logging.getLogger(__name__)


#: BD TOPO ``NATURE`` of ZONE_DE_VEGETATION (folded) → our vegetation ``kind``.
VEGETATION_KINDS: dict[str, str] = {
    "bois": "wood",
    "foret fermee de feuillus": "wood",
    "foret fermee de coniferes": "wood",
    "foret fermee mixte": "wood",
    "foret fermee sans couvert arbore": "wood",
    "foret ouverte": "wood",
    "peupleraie": "wood",
    "zone arboree": "wood",
    "haie": "hedge",
    "lande ligneuse": "scrub",
    "verger": "orchard",
    "vigne": "vineyard",
}

#: BD TOPO ``NATURE`` of SURFACE_HYDROGRAPHIQUE (folded) → our water ``kind``.
WATER_KINDS: dict[str, str] = {
    "ecoulement naturel": "river",
    "ecoulement canalise": "canal",
    "canal": "canal",
    "lac": "lake",
    "plan d eau de graviere": "lake",
    "retenue": "reservoir",
    "retenue barrage": "reservoir",
    "retenue digue": "reservoir",
    "mare": "pond",
    "reservoir bassin": "basin",
    "reservoir bassin d orage": "basin",
    "reservoir bassin piscicole": "basin",
    "ecoulement hyporheique": "river",
    "estuaire": "estuary",
    "glacier neve": "glacier",
}

#: Columns BD TOPO adds to :data:`~quartiers.schemas.BUILDING_COLUMNS`: storeys
#: (``NB_ETAGES``) and dwellings (``NB_LOGTS``), NaN where not given; the dasymetric
#: allocation (:mod:`quartiers.spatial.dasymetric`) weighs buildings with them.
BUILDING_EXTRA = ["levels", "dwellings"]

#: Tallest plausible building (m): the tallest in the world is 828 m, in France 231 m.
MAX_BUILDING_HEIGHT_M = 1_000.0

_RESIDENTIAL = {"residentiel", "indifferencie"}
_GONE = {"en projet", "demoli", "ruine"}


def _layer(path: Path, names: tuple[str, ...]) -> str | None:
    if path.suffix.lower() != ".gpkg":
        return None
    layers = list_layers(path)
    for layer in layers:
        if layer.lower() in names:
            return layer
    return layers[0] if len(layers) == 1 else names[0]


def _read(
    path: Path, names: tuple[str, ...], what: str, bbox: BBox | None
) -> tuple[gpd.GeoDataFrame, str | None]:
    path = Path(path)
    layer = _layer(path, names)
    raw = read_vector(path, what=what, layer=layer, bbox=bbox_in_file_crs(path, layer, bbox, L93))
    raw = check_crs(raw, path=path, expected="EPSG:2154 (BD TOPO Lambert-93)", target=L93)
    present = ~raw.geometry.isna() & ~raw.geometry.is_empty
    if (~present).any():
        logger.warning("%s : %d entité(s) sans géométrie ignorée(s)", path, int((~present).sum()))
    raw = raw[present].reset_index(drop=True)
    raw = raw.set_geometry(shapely.force_2d(raw.geometry.to_numpy()), crs=L93)
    return repair_geometries(raw, path=path), layer


def read_buildings(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read BD TOPO ``BATIMENT`` into :data:`~quartiers.schemas.BUILDING_COLUMNS` (EPSG:2154).

    ``height_m`` is ``HAUTEUR`` (NaN when missing or 0); ``residential`` is True when a
    use (``USAGE1``/``USAGE2``) is *Résidentiel* or *Indifférencié*, or the building has
    dwellings (``NB_LOGTS`` > 0). Buildings planned, demolished or in ruins are dropped.
    """
    what = "les bâtiments BD TOPO (BATIMENT : USAGE1, HAUTEUR…)"
    raw, _ = _read(path, ("batiment",), what, bbox_2154)
    cols = column_map(
        raw.columns,
        {
            "usage1": ("USAGE1", "usage_1"),
            "usage2": ("USAGE2", "usage_2"),
            "hauteur": ("HAUTEUR",),
            "logements": ("NB_LOGTS", "nombre_de_logements"),
            "etages": ("NB_ETAGES", "nombre_d_etages"),
            "etat": ("ETAT", "etat_de_l_objet"),
            "id": ("ID", "cleabs"),
        },
        path=Path(path),
        what=what,
        optional=["usage2", "logements", "etages", "etat", "id"],
    )
    if "etat" in cols:
        raw = raw[~text_column(raw[cols["etat"]]).map(fold).isin(_GONE).to_numpy()]
        raw = raw.reset_index(drop=True)
    height = parse_numbers(
        raw[cols["hauteur"]].astype("string"), path=Path(path), field=cols["hauteur"]
    )
    dwellings = (
        parse_numbers(
            raw[cols["logements"]].astype("string"), path=Path(path), field=cols["logements"]
        )
        if "logements" in cols
        else pd.Series(np.nan, index=raw.index)
    )
    storeys = (
        parse_numbers(raw[cols["etages"]].astype("string"), path=Path(path), field=cols["etages"])
        if "etages" in cols
        else pd.Series(np.nan, index=raw.index)
    )
    ids = text_column(raw[cols["id"]]) if "id" in cols else pd.Series(raw.index + 1).astype(str)
    v.check_values(
        pd.DataFrame(
            {"hauteur": height, "logements": dwellings, "etages": storeys, "id": ids.to_numpy()}
        ),
        _schema(),
        path=path,
        id_column="id",
        id_label="bâtiment",
        fields=cols,
    )
    height = height.where(height > 0)
    uses = text_column(raw[cols["usage1"]]).map(fold).isin(_RESIDENTIAL)
    if "usage2" in cols:
        uses |= text_column(raw[cols["usage2"]]).map(fold).isin(_RESIDENTIAL)
    uses |= dwellings.fillna(0) > 0
    out = gpd.GeoDataFrame(
        {
            "height_m": height.to_numpy(dtype="float64"),
            "residential": uses.to_numpy(dtype=bool),
            "source": "bdtopo",
            "levels": storeys.where(storeys > 0).to_numpy(dtype="float64"),
            "dwellings": dwellings.where(dwellings > 0).to_numpy(dtype="float64"),
        },
        geometry=raw.geometry.to_numpy(),
        crs=L93,
    )
    out["source"] = out["source"].astype(str)
    columns = [c for c in BUILDING_COLUMNS if c != "geometry"] + [*BUILDING_EXTRA, "geometry"]
    return clip_to_bbox(out[columns], bbox_2154)


@functools.cache
def _schema() -> v.Schema:
    why = "le plus haut bâtiment du monde mesure 828 m"
    return v.schema(
        {
            "hauteur": v.number(
                minimum=0, maximum=MAX_BUILDING_HEIGHT_M, unit="m", why_maximum=why
            ),
            "logements": v.count(),
            "etages": v.count(),
        }
    )


def read_vegetation(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read BD TOPO ``ZONE_DE_VEGETATION`` into :data:`~quartiers.schemas.VEGETATION_COLUMNS`.

    ``kind`` follows :data:`VEGETATION_KINDS` (unknown natures are kept as ``other`` and
    logged); ``public`` is False (BD TOPO does not say who may enter); ``name`` is empty.
    """
    what = "la végétation BD TOPO (ZONE_DE_VEGETATION : NATURE)"
    raw, _ = _read(path, ("zone_de_vegetation",), what, bbox_2154)
    cols = column_map(raw.columns, {"nature": ("NATURE",)}, path=Path(path), what=what)
    kind = _kinds(raw[cols["nature"]], VEGETATION_KINDS, path)
    out = gpd.GeoDataFrame(
        {"kind": kind, "public": np.zeros(len(raw), dtype=bool), "name": ""},
        geometry=raw.geometry.to_numpy(),
        crs=L93,
    )
    out["name"] = out["name"].astype(str)
    return clip_to_bbox(out[VEGETATION_COLUMNS], bbox_2154)


def read_water(path: Path, *, bbox_2154: BBox | None = None) -> gpd.GeoDataFrame:
    """Read BD TOPO ``SURFACE_HYDROGRAPHIQUE`` into :data:`~quartiers.schemas.WATER_COLUMNS`.

    ``kind`` follows :data:`WATER_KINDS` (``river``, ``lake``, ``pond``, ``basin``…).
    """
    what = "les surfaces en eau BD TOPO (SURFACE_HYDROGRAPHIQUE : NATURE)"
    raw, _ = _read(path, ("surface_hydrographique",), what, bbox_2154)
    cols = column_map(raw.columns, {"nature": ("NATURE",)}, path=Path(path), what=what)
    out = gpd.GeoDataFrame(
        {"kind": _kinds(raw[cols["nature"]], WATER_KINDS, path)},
        geometry=raw.geometry.to_numpy(),
        crs=L93,
    )
    return clip_to_bbox(out[WATER_COLUMNS], bbox_2154)


def _kinds(values: pd.Series, table: dict[str, str], path: Path) -> np.ndarray:
    folded = text_column(values).map(fold)
    kind = folded.map(table)
    unknown = kind.isna()
    if unknown.any():
        logger.info(
            "%s : natures sans correspondance classées « other » : %s",
            path,
            ", ".join(sorted(set(values[unknown].astype(str))))[:200],
        )
    return kind.fillna("other").astype(str).to_numpy()
