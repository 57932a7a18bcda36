"""DRIAS (Météo-France) indicators: text exports on the SAFRAN grid and tabular extracts.

Three layouts are read into one raw long table (:data:`DRIAS_RAW_COLUMNS`):

- the DRIAS text export: ``#`` comment lines, then ``;``-separated rows
  ``Point;Latitude;Longitude;Contexte;Période;[Mois|Saison;]<indicators…>``; the column
  names come from the last ``#`` line that starts with ``Point`` or from a non-comment
  header line starting with ``Point``;
- the per-point extract (``city,point,lat,lon,…,context,period,season,indicator,value``);
- the per-département extract (``dataset,INSEE_DEP,NOM,indicator,value`` with
  ``indicator`` = ``<code>_<H1|H2|H3|REF>`` and the scenario in ``dataset``).

:func:`read_drias` then maps the DRIAS periods onto our horizons (an approximation: DRIAS
periods are 30-year windows of an RCP scenario, not TRACC warming levels):

============  =================  ==============
DRIAS period  years              horizon
============  =================  ==============
REF           1976–2005          ``ref``
H1            2021–2050          ``2030``
H2            2041–2070          ``2050``
H3            2071–2100          ``2100``
============  =================  ==============

for one scenario (RCP8.5 by default, the closest to the TRACC +4 °C in 2100), annual
values only. Each commune takes the nearest grid point (point files) or its
département (département file).
"""

from __future__ import annotations

import functools
import io
import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import CLIMATE_COLUMNS
from quartiers.sources import validation as v
from quartiers.sources._text import (
    clean_code,
    column_map,
    parse_numbers,
    read_text_table,
    sniff_text,
    text_column,
)
from quartiers.sources._vector import L93

__all__ = [
    "DAY_INDICATORS",
    "DRIAS_RAW_COLUMNS",
    "PERIOD_HORIZONS",
    "read_drias",
    "read_drias_table",
]

logger = logging.getLogger(__name__)

#: Raw DRIAS long table: ``location`` (``point:<n>`` or ``dep:<code>``), centre lat/lon
#: (NaN for départements), scenario (``REF``, ``RCP2.6``…), period (``REF``, ``H1``…),
#: season/month (``''`` for annual values), indicator code, value.
DRIAS_RAW_COLUMNS = [
    "location",
    "lat",
    "lon",
    "scenario",
    "period",
    "season",
    "indicator",
    "value",
]
#: DRIAS period → our horizon (see the module docstring: an approximation).
PERIOD_HORIZONS = {"REF": "ref", "H1": "2030", "H2": "2050", "H3": "2100"}
_WHAT = "un export DRIAS (Point;Latitude;Longitude;Contexte;Période;…)"
_SCENARIO = re.compile(r"(\d)[._]?(\d)$")

#: DRIAS indicators counted in days (« nombre de jours… », « nombre de nuits… »).
DAY_INDICATORS = frozenset(
    {"NORSD", "NORSDA", "NORTX35", "NORTXHWD", "NORTR", "NORTNFD", "NORTNCWD", "NORIFM40"}
    | {"NORIFMX50", "NORRR1MM"}
)
#: DRIAS indicators that cannot be negative (precipitation totals and quantiles, mm).
_NON_NEGATIVE = frozenset({"NORRR", "NORRRA", "NORPQ90", "NORPQ99", "NORPFL90"})


def _scenario(text: str) -> str:
    """Return ``REF`` or ``RCP<x.y>`` from DRIAS wording (``RCP4.5``, ``DRIAS_2020_8_5``)."""
    upper = text.upper()
    if "REF" in upper or "HISTO" in upper:
        return "REF"
    match = _SCENARIO.search(upper.strip())
    return f"RCP{match.group(1)}.{match.group(2)}" if match else upper


_YEARS = {"1976": "REF", "2021": "H1", "2041": "H2", "2071": "H3"}


def _period(text: str) -> str:
    """Return ``REF``/``H1``/``H2``/``H3`` from DRIAS wording (``H2``, ``2041-2070``, ``REF``)."""
    upper = text.strip().upper()
    if upper.startswith("REF"):
        return "REF"
    return _YEARS.get(upper[:4], upper)


def read_drias_table(path: Path) -> pd.DataFrame:
    """Read any DRIAS layout into the raw long table :data:`DRIAS_RAW_COLUMNS`."""
    encoding, first = sniff_text(path, encodings=("utf-8", "cp1252"), what=_WHAT)
    head = first.lower()
    if head.startswith("#") or head.startswith("point;"):
        return _text_export(path, encoding)
    if "indicator" in head and "insee_dep" in head:
        return _departements(path)
    if "indicator" in head and "point" in head:
        return _points(path)
    raise InputError(
        f"{path} : en-tête non reconnu ({first[:80]!r}) — attendu {_WHAT}, ou un extrait "
        "dataset,INSEE_DEP,NOM,indicator,value"
    )


def _text_export(path: Path, encoding: str) -> pd.DataFrame:
    header: list[str] | None = None
    body: list[str] = []
    with open(path, encoding=encoding) as handle:
        for line in handle:
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                text = stripped.lstrip("#").strip()
                if text.lower().startswith("point;"):
                    header = [c.strip() for c in text.rstrip(";").split(";")]
                continue
            if header is None and stripped.lower().startswith("point;"):
                header = [c.strip() for c in stripped.rstrip(";").split(";")]
                continue
            body.append(stripped.rstrip(";"))
    if header is None:
        raise InputError(
            f"{path} : ligne d'en-tête « Point;Latitude;Longitude;Contexte;Période;… » "
            f"introuvable — attendu {_WHAT}"
        )
    if not body:
        raise InputError(f"{path} : aucune ligne de données — attendu {_WHAT}")
    wide = pd.read_csv(
        io.StringIO("\n".join(body)), sep=";", header=None, dtype=str, keep_default_na=False
    )
    if wide.shape[1] != len(header):
        raise InputError(
            f"{path} : {wide.shape[1]} valeurs par ligne pour {len(header)} champs d'en-tête "
            f"— attendu {_WHAT}"
        )
    wide.columns = header
    fixed = {
        "point": ("Point",),
        "lat": ("Latitude",),
        "lon": ("Longitude",),
        "context": ("Contexte",),
        "period": ("Période", "Periode"),
    }
    cols = column_map(wide.columns, fixed, path=path, what=_WHAT)
    season_col = next((c for c in wide.columns if c.lower() in {"mois", "saison"}), None)
    used = {*cols.values(), season_col}
    indicators = [c for c in wide.columns if c not in used]
    frames = []
    for indicator in indicators:
        frames.append(
            pd.DataFrame(
                {
                    "location": "point:" + text_column(wide[cols["point"]]),
                    "lat": parse_numbers(wide[cols["lat"]], path=path, field=cols["lat"]),
                    "lon": parse_numbers(wide[cols["lon"]], path=path, field=cols["lon"]),
                    "scenario": text_column(wide[cols["context"]]).map(_scenario),
                    "period": text_column(wide[cols["period"]]).map(_period),
                    "season": text_column(wide[season_col]) if season_col else "",
                    "indicator": indicator.upper(),
                    "value": parse_numbers(wide[indicator], path=path, field=indicator),
                }
            )
        )
    return _finish(pd.concat(frames, ignore_index=True), path)


def _points(path: Path) -> pd.DataFrame:
    raw = read_text_table(path, sep=",", what=_WHAT, header_hint="indicator")
    what = "l'extrait DRIAS par point (point,lat,lon,context,period,season,indicator,value)"
    cols = column_map(
        raw.columns,
        {
            "point": ("point",),
            "lat": ("lat", "latitude"),
            "lon": ("lon", "longitude"),
            "context": ("context", "contexte"),
            "period": ("period", "periode"),
            "season": ("season", "saison"),
            "indicator": ("indicator",),
            "value": ("value",),
        },
        path=path,
        what=what,
        optional=["season"],
    )
    return _finish(
        pd.DataFrame(
            {
                "location": "point:" + text_column(raw[cols["point"]]),
                "lat": parse_numbers(raw[cols["lat"]], path=path, field=cols["lat"]),
                "lon": parse_numbers(raw[cols["lon"]], path=path, field=cols["lon"]),
                "scenario": text_column(raw[cols["context"]]).map(_scenario),
                "period": text_column(raw[cols["period"]]).map(_period),
                "season": text_column(raw[cols["season"]]) if "season" in cols else "",
                "indicator": text_column(raw[cols["indicator"]]).str.upper(),
                "value": parse_numbers(raw[cols["value"]], path=path, field=cols["value"]),
            }
        ).drop_duplicates(["location", "scenario", "period", "season", "indicator"]),
        path,
    )


def _departements(path: Path) -> pd.DataFrame:
    raw = read_text_table(path, sep=",", what=_WHAT, header_hint="indicator")
    what = "l'extrait DRIAS par département (dataset,INSEE_DEP,NOM,indicator,value)"
    cols = column_map(
        raw.columns,
        {
            "dataset": ("dataset",),
            "dep": ("INSEE_DEP",),
            "indicator": ("indicator",),
            "value": ("value",),
        },
        path=path,
        what=what,
    )
    parts = text_column(raw[cols["indicator"]]).str.rsplit("_", n=1, expand=True)
    dataset = text_column(raw[cols["dataset"]])
    table = pd.DataFrame(
        {
            "location": "dep:" + clean_code(raw[cols["dep"]], width=2),
            "lat": np.nan,
            "lon": np.nan,
            "scenario": dataset.map(_scenario),
            "period": parts[1].fillna("").str.upper(),
            "season": np.where(dataset.str.upper().str.contains("ETE"), "ete", ""),
            "indicator": parts[0].str.upper(),
            "value": parse_numbers(raw[cols["value"]], path=path, field=cols["value"]),
        }
    )
    unknown = ~table["period"].isin(list(PERIOD_HORIZONS))
    if unknown.any():
        logger.warning(
            "%s : %d ligne(s) sans période DRIAS reconnue (suffixe %s) ignorée(s)",
            path,
            int(unknown.sum()),
            ", ".join(sorted(set(table.loc[unknown, "period"])))[:60],
        )
    return _finish(table[~unknown], path)


def _finish(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    table = table[DRIAS_RAW_COLUMNS].reset_index(drop=True)
    for name in ("location", "scenario", "period", "season", "indicator"):
        table[name] = table[name].astype(str)
    _check_values(table, path)
    return table


def _check_values(table: pd.DataFrame, path: Path) -> None:
    """Refuse impossible values: coordinates off the globe, negative or > 366 days, ±inf."""
    label = (
        table["location"]
        + " (indicateur "
        + table["indicator"]
        + ", "
        + table["scenario"]
        + " "
        + table["period"]
        + ")"
    )
    frame = table[["lat", "lon", "value"]].assign(point=label.to_numpy())
    v.check_values(frame, _schema("place"), path=path, id_column="point", id_label="point")
    indicator = table["indicator"].str.upper()
    for kind in ("days", "positive", "number"):
        if kind == "days":
            rows = indicator.isin(DAY_INDICATORS)
        elif kind == "positive":
            rows = indicator.isin(_NON_NEGATIVE)
        else:
            rows = ~indicator.isin(DAY_INDICATORS | _NON_NEGATIVE)
        v.check_values(
            frame[rows.to_numpy()], _schema(kind), path=path, id_column="point", id_label="point"
        )


@functools.cache
def _schema(kind: str) -> v.Schema:
    if kind == "place":
        return v.schema({"lat": v.latitude(), "lon": v.longitude()})
    value = {"days": v.days, "positive": v.count, "number": v.number}[kind]()
    return v.schema({"value": value})


def read_drias(
    path: Path,
    *,
    scenario: str = "RCP8.5",
    communes: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Read DRIAS indicators as the climate long table (horizons per :data:`PERIOD_HORIZONS`).

    Parameters
    ----------
    path
        DRIAS text export or one of the tabular extracts (see the module docstring).
    scenario
        RCP scenario kept for H1–H3 (``RCP2.6``, ``RCP4.5``, ``RCP8.5``); the reference
        period is always kept.
    communes
        Communes (``insee_com`` + geometry, any CRS). When given, each commune gets the
        values of its nearest grid point (or its département) and the result has exactly
        :data:`~quartiers.schemas.CLIMATE_COLUMNS`. Without it, ``insee_com`` is empty and
        an extra ``location`` column says where each value belongs.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` is the DRIAS code (``NORTXHWD`` heat-wave days, ``NORTR`` tropical
        nights, ``NORTX35``…), ``value`` the annual value, ``low``/``high`` NaN,
        ``source`` ``drias:<scenario>``.
    """
    path = Path(path)
    wanted = _scenario(scenario)
    raw = read_drias_table(path)
    annual = raw[(raw["season"] == "") & raw["period"].isin(list(PERIOD_HORIZONS))]
    keep = annual[(annual["scenario"] == wanted) | (annual["period"] == "REF")]
    if keep.empty:
        found = ", ".join(sorted(set(raw["scenario"]))) or "aucun"
        raise InputError(
            f"{path} : aucune valeur annuelle pour le scénario {wanted} (scénarios présents : "
            f"{found}) — attendu un export DRIAS du scénario demandé"
        )
    keep = keep.drop_duplicates(["location", "period", "indicator"])
    out = pd.DataFrame(
        {
            "insee_com": "",
            "indicator": keep["indicator"].to_numpy(),
            "horizon": keep["period"].map(PERIOD_HORIZONS).to_numpy(),
            "value": keep["value"].to_numpy(),
            "low": np.nan,
            "high": np.nan,
            "source": f"drias:{wanted}",
            "location": keep["location"].to_numpy(),
        }
    )
    if communes is None:
        return out.astype({"insee_com": str, "source": str})
    mapping = _commune_locations(keep, communes)
    joined = mapping.merge(out.drop(columns="insee_com"), on="location", how="inner")
    return joined[CLIMATE_COLUMNS].astype({"insee_com": str}).reset_index(drop=True)


def _commune_locations(table: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``insee_com`` → ``location`` (nearest grid point, or the département)."""
    codes = communes["insee_com"].astype(str).to_numpy()
    points = table.drop_duplicates("location")
    points = points[points["location"].str.startswith("point:")]
    if not points.empty:
        xy = gpd.GeoSeries(
            gpd.points_from_xy(points["lon"], points["lat"]), crs="EPSG:4326"
        ).to_crs(L93)
        centres = communes.to_crs(L93).geometry.representative_point()
        from scipy.spatial import cKDTree  # heavy: only for DRIAS grid points

        tree = cKDTree(np.column_stack([xy.x, xy.y]))
        _, nearest = tree.query(np.column_stack([centres.x, centres.y]))
        return pd.DataFrame(
            {"insee_com": codes, "location": points["location"].to_numpy()[nearest]}
        )
    deps = [c[:3] if c.startswith("97") else c[:2] for c in codes]
    return pd.DataFrame({"insee_com": codes, "location": [f"dep:{d}" for d in deps]})
