"""INSEE Filosofi gridded data, 200 m squares (CSV, GeoPackage or shapefile; 2015–2021).

The cell identifier is the truth: ``CRS3035RES200mN{y}E{x}`` gives the south-west corner in
EPSG:3035 metres, and the square geometry is rebuilt from it (file geometries, sometimes in
another CRS, are ignored). Column names vary by vintage only in case (2015 ``Ind``, 2017
``Ind``, 2019/2021 ``ind``) and in the identifier/imputation names, matched here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from quartiers.errors import InputError
from quartiers.os_errors import reason
from quartiers.schemas import FILOSOFI_COLUMNS, FILOSOFI_COUNTS, BBox
from quartiers.sources import validation as v
from quartiers.sources._filosofi_arrow import ID_PATTERN, clean_block, parse_clean_ids
from quartiers.sources._text import (
    column_map,
    iter_csv_tables,
    parse_numbers,
    require_file,
    text_column,
)
from quartiers.sources._vector import list_layers, read_vector
from quartiers.spatial.grid import CELL_CRS, CELL_SIZE_M, cell_boxes

__all__ = ["FILOSOFI_FIELDS", "MAX_PEOPLE_PER_CELL", "read_filosofi", "value_rules"]

logger = logging.getLogger(__name__)


_WHAT = "le carroyage Filosofi 200 m de l'INSEE (idcar_200m, i_est_200, ind, men, …)"

#: Canonical field → accepted spellings (case-insensitive), newest vintage first.
FILOSOFI_FIELDS: dict[str, tuple[str, ...]] = {
    "idcar_200m": ("idcar_200m", "idinspire", "idcar_200"),
    "imputed": ("i_est_200", "i_est_200m", "i_est_cr", "imputed"),
    "lcog_geo": ("lcog_geo", "depcom"),
    **{name: (name,) for name in FILOSOFI_COUNTS},
}

#: Most people (and so households, dwellings, people of an age band) a 200 m cell may hold:
#: 10,000 people on 4 ha is 250,000 inhabitants/km², more than ten times the density of
#: Paris (about 20,000/km², the densest commune of France) and above the densest urban
#: districts in the world (about 130,000/km²). A larger value is a typing or export error.
MAX_PEOPLE_PER_CELL = 10_000

#: Filosofi counts that are subsets of the households (``men``) and of the people (``ind``).
_HOUSEHOLD_PARTS = {
    "men_pauv": "ménages pauvres",
    "men_1ind": "ménages d'une personne",
    "men_5ind": "ménages de 5 personnes ou plus",
    "men_prop": "ménages propriétaires",
    "men_fmp": "ménages monoparentaux",
    "men_coll": "ménages en logement collectif",
    "men_mais": "ménages en maison",
    "log_av45": "logements construits avant 1945",
    "log_45_70": "logements construits de 1945 à 1969",
    "log_70_90": "logements construits de 1970 à 1989",
    "log_ap90": "logements construits depuis 1990",
    "log_inc": "logements de date inconnue",
    "log_soc": "logements sociaux",
}
_PEOPLE_PARTS = {
    "men": "ménages",
    **{
        f"ind_{low}_{high}": f"individus de {low} à {high} ans"
        for low, high in ((0, 3), (4, 5), (6, 10), (11, 17), (18, 24), (25, 39), (40, 54))
    },
    "ind_55_64": "individus de 55 à 64 ans",
    "ind_65_79": "individus de 65 à 79 ans",
    "ind_80p": "individus de 80 ans ou plus",
    "ind_inc": "individus d'âge inconnu",
}


#: Counts bounded by :data:`MAX_PEOPLE_PER_CELL` (income and area are not counts of people).
_BOUNDED = frozenset({"ind", *_PEOPLE_PARTS, *_HOUSEHOLD_PARTS} - {"ind_snv", "men_surf"})


@functools.cache
def value_rules() -> v.Schema:
    """Value rules of a Filosofi cell (documented in docs/sources.md)."""
    why = "plafond plausible d'un carreau de 200 m"
    columns = {
        name: (
            v.count(maximum=MAX_PEOPLE_PER_CELL, why_maximum=why) if name in _BOUNDED else v.count()
        )
        for name in FILOSOFI_COUNTS
    }
    relations = [
        *(v.at_most(n, "men", what, "les ménages") for n, what in _HOUSEHOLD_PARTS.items()),
        *(v.at_most(n, "ind", what, "les individus") for n, what in _PEOPLE_PARTS.items()),
    ]
    return v.schema(columns, relations=relations)


def read_filosofi(
    path: Path, *, bbox_3035: BBox | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read Filosofi 200 m cells into :data:`~quartiers.schemas.FILOSOFI_COLUMNS` (EPSG:3035).

    Parameters
    ----------
    path
        INSEE file: CSV (``carreaux_200m_met.csv``, ``,``-separated, UTF-8), GeoPackage
        (layers ``carreaux_200m_met|mart|reun``) or shapefile. The national CSV is read in
        blocks by Arrow and only the cells inside ``bbox_3035`` are kept in memory.
    bbox_3035
        ``(minx, miny, maxx, maxy)`` in EPSG:3035 metres: keep only cells that intersect it.
    layer
        GeoPackage layer (default: every ``carreaux_200m*`` layer, or the only one).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell: identifier, south-west corner ``x_sw``/``y_sw`` (int metres),
        ``imputed`` (bool, ``i_est_200`` = 1), ``lcog_geo`` (text), the counts of
        :data:`~quartiers.schemas.FILOSOFI_COUNTS` (float: imputed cells are fractional),
        square geometry in EPSG:3035.

    Raises
    ------
    InputError
        Missing field, wrong separator or encoding, malformed identifier, non-numeric
        count, imputation flag other than 0/1, duplicated cell, empty file.
    """
    path = require_file(Path(path))
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        parts = list(_csv_chunks(path, bbox_3035))
    elif suffix in {".gpkg", ".shp", ".geojson", ".json", ".fgb"}:
        parts = list(_vector_parts(path, bbox_3035, layer))
    else:
        raise InputError(
            f"{path} : format non reconnu pour {_WHAT} — attendu .csv, .gpkg ou .shp "
            "(décompressez d'abord l'archive .zip de l'INSEE)"
        )
    cells = pd.concat(parts, ignore_index=True) if parts else _empty()
    if cells.empty and bbox_3035 is None:
        raise InputError(f"{path} : aucun carreau — attendu au moins une ligne ({_WHAT})")
    xy = cells[["x_sw", "y_sw"]].to_numpy(dtype=np.int64)
    # Every identifier was parsed (so none is empty): distinct corners are distinct ids.
    if not _distinct(xy):
        v.check_values(
            cells[["idcar_200m"]],
            _id_schema(),
            path=path,
            id_column="idcar_200m",
            id_label="carreau",
        )
    # copy=False: the concatenated columns are this layer's own (no second copy).
    out = gpd.GeoDataFrame(cells, geometry=cell_boxes(xy), crs=CELL_CRS, copy=False)
    logger.info("%s : %d carreaux lus", path, len(out))
    return out if list(out.columns) == FILOSOFI_COLUMNS else out[FILOSOFI_COLUMNS]


def _csv_chunks(path: Path, bbox: BBox | None) -> Iterator[pd.DataFrame]:
    """Read the CSV block by block with Arrow, keeping only the cells in ``bbox``."""
    picked: dict[str, str] = {}

    def pick(names: list[str]) -> list[str]:
        picked.update(
            column_map(names, FILOSOFI_FIELDS, path=path, what=_WHAT, optional=["lcog_geo"])
        )
        return list(picked.values())

    for table in iter_csv_tables(path, sep=",", what=_WHAT, header_hint="ind", columns=pick):
        xy = parse_clean_ids(table.column(picked["idcar_200m"]))
        if bbox is not None:
            if xy is None:
                xy = _parse_ids(table.column(picked["idcar_200m"]), path)
            inside = _in_bbox(xy, bbox)
            table, xy = table.filter(pa.array(inside)), xy[inside]
        # A clean block (the national file) skips the pandas text columns; others, and
        # every faulty value, go through the general rules and their messages.
        fast = clean_block(table, picked, xy)
        if fast is None:
            yield _normalise(table.to_pandas(), path=path, bbox=None)
        else:
            yield _checked(fast, path=path, fields=picked)


def _vector_parts(path: Path, bbox: BBox | None, layer: str | None) -> Iterator[pd.DataFrame]:
    layers = [layer] if layer else _cell_layers(path)
    for name in layers:
        file_bbox = _bbox_in_layer_crs(path, name, bbox) if bbox is not None else None
        frame = read_vector(path, what=_WHAT, layer=name, bbox=file_bbox, read_geometry=False)
        yield _normalise(pd.DataFrame(frame), path=path, bbox=bbox)


def _cell_layers(path: Path) -> list[str]:
    names = list_layers(path)
    cells = [n for n in names if "carreaux_200" in n.lower() or "200m" in n.lower()]
    return cells or names[:1]


def _bbox_in_layer_crs(path: Path, layer: str, bbox: BBox) -> BBox:
    """Return ``bbox`` (EPSG:3035) expressed in the layer's own CRS, slightly enlarged."""
    try:
        info_crs = pyogrio.read_info(path, layer=layer)["crs"]
    except pyogrio.errors.DataSourceError as exc:  # pragma: no cover - read_vector says it
        raise InputError(f"{path} : fichier illisible ({reason(exc)})") from exc
    if info_crs is None or CRS.from_user_input(info_crs).equals(CRS.from_user_input(CELL_CRS)):
        return bbox
    tr = Transformer.from_crs(CELL_CRS, info_crs, always_xy=True)
    minx, miny, maxx, maxy = tr.transform_bounds(*bbox)
    pad = 2 * CELL_SIZE_M
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _parse_ids(ids: pa.Array | pa.ChunkedArray, path: Path) -> NDArray[np.int64]:
    """Return the south-west corners (n, 2) of INSEE ids, parsed in Arrow (vectorised).

    Same rule as :func:`quartiers.spatial.grid.parse_cell_ids`, which is per-row Python and too
    slow for the 2.3 million cells of the national file.
    """
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    parts = pc.extract_regex(ids, ID_PATTERN)
    res = pc.struct_field(parts, [0])
    bad = pc.or_(pc.is_null(parts), pc.not_equal(res, str(CELL_SIZE_M))).fill_null(True)
    if pc.any(bad).as_py():
        example = ids.filter(bad)[0].as_py()
        raise InputError(
            f"{path} : identifiant de carreau invalide {example!r} dans le champ "
            "idcar_200m (attendu CRS3035RES200mN<y>E<x>, carreaux de 200 m)"
        )
    y = pc.cast(pc.struct_field(parts, [1]), pa.int64()).to_numpy()
    x = pc.cast(pc.struct_field(parts, [2]), pa.int64()).to_numpy()
    return np.column_stack([x, y]).astype(np.int64)


def _in_bbox(xy: NDArray[np.int64], bbox: BBox) -> NDArray[np.bool_]:
    """Return which cells (south-west corners) intersect ``bbox`` (EPSG:3035)."""
    minx, miny, maxx, maxy = bbox
    x, y = xy[:, 0], xy[:, 1]
    inside: NDArray[np.bool_] = (
        (x + CELL_SIZE_M > minx) & (x < maxx) & (y + CELL_SIZE_M > miny) & (y < maxy)
    )
    return inside


def _normalise(raw: pd.DataFrame, *, path: Path, bbox: BBox | None) -> pd.DataFrame:
    cols = column_map(raw.columns, FILOSOFI_FIELDS, path=path, what=_WHAT, optional=["lcog_geo"])
    ids = text_column(raw[cols["idcar_200m"]])
    xy = _parse_ids(pa.array(ids.to_numpy(dtype=object), type=pa.string()), path)
    keep = _in_bbox(xy, bbox) if bbox is not None else np.ones(len(raw), dtype=bool)
    raw = raw.loc[keep].reset_index(drop=True)
    xy = xy[keep]
    out = pd.DataFrame(
        {
            "idcar_200m": ids[keep].to_numpy(),
            "x_sw": xy[:, 0].astype(np.int64),
            "y_sw": xy[:, 1].astype(np.int64),
            "imputed": _flag(raw[cols["imputed"]], path=path, field=cols["imputed"]),
            "lcog_geo": (
                text_column(raw[cols["lcog_geo"]]).to_numpy()
                if "lcog_geo" in cols
                else np.full(len(raw), "", dtype=object)
            ),
        }
    )
    for name in FILOSOFI_COUNTS:
        out[name] = parse_numbers(_as_text(raw[cols[name]]), path=path, field=cols[name]).to_numpy()
    out["idcar_200m"] = out["idcar_200m"].astype(str)
    out["lcog_geo"] = out["lcog_geo"].astype(str)
    return _checked(out, path=path, fields=cols)


def _checked(out: pd.DataFrame, *, path: Path, fields: dict[str, str]) -> pd.DataFrame:
    """Return the normalised cells once every one has people and the value rules hold."""
    missing_people = out["ind"].isna()
    if missing_people.any():
        raise InputError(
            f"{path} : champ {fields['ind']} vide pour le carreau "
            f"{out['idcar_200m'][missing_people].iloc[0]} — attendu un nombre d'individus"
        )
    if not _rules_hold(out):
        v.check_values(
            out, value_rules(), path=path, id_column="idcar_200m", id_label="carreau", fields=fields
        )
    return out


def _rules_hold(cells: pd.DataFrame) -> bool:
    """Tell, in numpy, that every rule of :func:`value_rules` holds (pandera then says so too).

    Each count is empty, or finite, ≥ 0 and (people, households, dwellings) at most
    :data:`MAX_PEOPLE_PER_CELL`; each part is at most its whole, with the rules' tolerance.
    A False sends the cells to the pandera rules, which name what is wrong.
    """
    for name in FILOSOFI_COUNTS:
        values = cells[name].to_numpy(dtype="float64")
        top = MAX_PEOPLE_PER_CELL if name in _BOUNDED else np.inf
        with np.errstate(invalid="ignore"):
            fine = np.isnan(values) | ((values >= 0) & (values <= top) & np.isfinite(values))
        if not fine.all():
            return False
    for parts, whole in ((_HOUSEHOLD_PARTS, "men"), (_PEOPLE_PARTS, "ind")):
        right = cells[whole].to_numpy(dtype="float64")
        limit = right + v.AT_MOST_TOLERANCE * np.maximum(np.abs(right), 1.0)
        for name in parts:
            with np.errstate(invalid="ignore"):
                if (cells[name].to_numpy(dtype="float64") > limit).any():
                    return False
    return True


def _distinct(xy: NDArray[np.int64]) -> bool:
    """Tell whether the corners ``xy`` (n, 2) are all different."""
    key = pd.Series(xy[:, 0] * (1 << 32) + xy[:, 1])
    return not bool(key.duplicated().any())


@functools.cache
def _id_schema() -> v.Schema:
    return v.schema({"idcar_200m": v.identifier()})


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64").astype("string")
    return values.astype("string")


def _flag(values: pd.Series, *, path: Path, field: str) -> np.ndarray:
    """Return the imputation flag (0/1, ``True``/``False``) as a bool array."""
    text = _as_text(values).str.strip().str.lower()
    mapping = {"0": False, "1": True, "0.0": False, "1.0": True, "true": True, "false": False}
    flags = text.map(mapping)
    bad = flags.isna()
    if bad.any():
        raise InputError(
            f"{path} : valeur {values[bad].iloc[0]!r} dans le champ {field} — attendu 0 "
            "(carreau observé) ou 1 (carreau estimé par l'INSEE)"
        )
    return flags.astype(bool).to_numpy()


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in FILOSOFI_COUNTS})
    frame.insert(0, "lcog_geo", pd.Series(dtype=str))
    frame.insert(0, "imputed", pd.Series(dtype=bool))
    frame.insert(0, "y_sw", pd.Series(dtype="int64"))
    frame.insert(0, "x_sw", pd.Series(dtype="int64"))
    frame.insert(0, "idcar_200m", pd.Series(dtype=str))
    return frame
