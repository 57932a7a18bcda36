"""Write the fictitious France's layers in the official formats of their sources.

- communes and EPCI: IGN ADMIN EXPRESS COG 4.0 GeoPackage (WGS84, ``geometrie``);
- QPV: ANCT's QP2024 GeoJSON (CRS84);
- Climadiag Commune ``entities.jsonl`` records, one per commune (the demo's writer);
- BPE 2024 ``BPE24.csv`` (``;``), town halls, pharmacies, doctors, libraries, pools.

Every file says that the data are fictitious (GeoPackage and GeoJSON descriptions, names
« … fictive », README).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.random import Generator
from pyproj import Transformer

from quartiers.demo._geo import _pinned_gpkg_dates
from quartiers.demo._tables import _CLIMATE, BPE_COLUMNS, climadiag_series

__all__ = ["FICTITIOUS", "bpe_rows", "climadiag_records", "write_bpe", "write_communes",
           "write_qpv"]  # fmt: skip

#: Label of every file of the fictitious France.
FICTITIOUS = "Données FICTIVES générées par quartiers (France fictive), sans valeur réelle"

_TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
_TO_L93 = Transformer.from_crs("EPSG:3035", "EPSG:2154", always_xy=True)


def wgs84(geom: shapely.Geometry, *, max_segment: float = 1_000.0) -> shapely.Geometry:
    """Return an EPSG:3035 geometry in longitude/latitude (edges densified first)."""
    dense = shapely.segmentize(geom, max_segment)
    return shapely.transform(
        dense, lambda c: np.column_stack(_TO_WGS84.transform(c[:, 0], c[:, 1]))
    )


def _multi(geom: shapely.Geometry) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([p for p in shapely.get_parts(geom)])


def write_communes(communes: pd.DataFrame, epci: pd.DataFrame, path: Path) -> None:
    """Write the ``commune`` and ``epci`` layers (``box`` column: square in EPSG:3035)."""
    path.unlink(missing_ok=True)
    options = {"GEOMETRY_NAME": "geometrie", "DESCRIPTION": FICTITIOUS}
    with _pinned_gpkg_dates():
        for layer, frame in (("commune", communes), ("epci", epci)):
            geoms = [_multi(wgs84(shapely.box(*b))) for b in frame["box"]]
            gdf = gpd.GeoDataFrame(frame.drop(columns=["box"]), geometry=geoms, crs="EPSG:4326")
            gdf.to_file(path, layer=layer, engine="pyogrio", layer_options=options)


def write_qpv(rows: list[dict[str, object]], geoms: list[shapely.Geometry], path: Path) -> None:
    """Write QPV perimeters (EPSG:3035 rectangles) as ANCT's GeoJSON (6 decimals)."""
    features = []
    for props, geom in zip(rows, geoms, strict=True):
        mp = _multi(shapely.set_precision(wgs84(geom, max_segment=200.0), 1e-6))
        coords = json.loads(shapely.to_geojson(mp))["coordinates"]
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    doc = {
        "type": "FeatureCollection",
        "name": "QP2024_France_FICTIVE_WGS84",
        "description": FICTITIOUS,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")


def climadiag_records(communes: pd.DataFrame, rng: Generator) -> list[dict[str, object]]:
    """Return one Climadiag Commune record per commune; the south and towns are hotter.

    ``communes`` has ``code_insee, nom_officiel, codes_siren_des_epci, population``,
    ``south`` (0 in the north of the board, 1 in the south) and ``urban`` (0–1).
    """
    records: list[dict[str, object]] = []
    rows: list[dict[Hashable, Any]] = communes.to_dict("records")
    for row in rows:
        heat = 0.7 + 0.9 * float(row["south"]) + 0.15 * float(row["urban"])
        indicators = []
        for ind_id, (ref, means) in _CLIMATE.items():
            grows = ind_id in {"S1", "S2", "S3", "R4", "R5_ete"}
            scale = heat if grows else 1.0
            jitter = float(rng.uniform(0.97, 1.03))
            ref_v = round(ref * scale * jitter, 2)
            data = climadiag_series(rng, means, (scale, jitter), ref_v)
            indicators.append({"id": ind_id, "data": data})
        records.append(
            {
                "nom": row["nom_officiel"],
                "identifiant_insee": row["code_insee"],
                "code_recherche": row["code_insee"],
                "identifiant_epci_parent": row["codes_siren_des_epci"],
                "population": int(row["population"]),
                "indicateurs": indicators,
            }
        )
    return records


# Equipment per commune: TYPEQU, name, inhabitants per facility (0: one per commune).
_EQUIPMENT = [
    ("A129", "MAIRIE", 0),
    ("D307", "PHARMACIE", 3_000),
    ("D265", "MEDECIN GENERALISTE", 1_200),
    ("D281", "INFIRMIER", 1_500),
    ("F307", "BIBLIOTHEQUE", 8_000),
    ("F101", "PISCINE", 25_000),
    ("F303", "CINEMA", 30_000),
    ("A128", "FRANCE SERVICES", 20_000),
]


def bpe_rows(communes: pd.DataFrame, rng: Generator) -> pd.DataFrame:
    """Return BPE facilities: ``typequ, nomrs, depcom, dep, reg, epci, x, y`` (EPSG:3035).

    Facilities stand near their commune's population centre (``cx, cy``; spread ``sd``).
    """
    rows: dict[str, list[object]] = {k: [] for k in ("typequ", "nomrs", "depcom", "dep", "reg",
                                                      "epci", "cx", "cy", "sd")}  # fmt: skip
    records: list[dict[Hashable, Any]] = communes.to_dict("records")
    for row in records:
        for code, name, per in _EQUIPMENT:
            n = 1 if per == 0 else int(rng.poisson(float(row["population"]) / per))
            for _ in range(n):
                rows["typequ"].append(code)
                rows["nomrs"].append(f"{name} FICTIF")
                rows["depcom"].append(row["code_insee"])
                rows["dep"].append(row["code_insee_du_departement"])
                rows["reg"].append(row["code_insee_de_la_region"])
                rows["epci"].append(row["codes_siren_des_epci"])
                rows["cx"].append(row["cx"])
                rows["cy"].append(row["cy"])
                rows["sd"].append(row["sd"])
    table = pd.DataFrame(rows)
    noise = rng.normal(0.0, 1.0, (len(table), 2)) * table["sd"].to_numpy()[:, None]
    table["x"] = table.pop("cx").to_numpy() + noise[:, 0]
    table["y"] = table.pop("cy").to_numpy() + noise[:, 1]
    return table.drop(columns=["sd"])


def write_bpe(table: pd.DataFrame, path: Path) -> None:
    """Write facilities as ``BPE24.csv`` (``;``, UTF-8; columns without value hold ``_Z``)."""
    n = len(table)
    x, y = _TO_L93.transform(table["x"].to_numpy(), table["y"].to_numpy())
    lon, lat = _TO_WGS84.transform(table["x"].to_numpy(), table["y"].to_numpy())
    out = pd.DataFrame({c: np.full(n, "_Z", dtype=object) for c in BPE_COLUMNS})
    out["AN"] = "2024"
    out["NOMRS"] = table["nomrs"].to_numpy()
    for col in ("CNOMRS", "INDREP", "CADR", "SIRET", "NUMVOIE", "TYPVOIE", "LIBVOIE"):
        out[col] = ""
    out["DEPCOM"] = table["depcom"].to_numpy()
    out["CODPOS"] = table["depcom"].to_numpy()
    out["DEP"] = table["dep"].to_numpy()
    out["REG"] = table["reg"].to_numpy()
    out["LIBCOM"] = ["Commune fictive " + c for c in table["depcom"]]
    out["TYPEQU"] = table["typequ"].to_numpy()
    out["DOM"] = out["TYPEQU"].str[0]
    out["SDOM"] = out["TYPEQU"].str[:2]
    out["STATUT_DIFFUSION"] = "O"
    out["LAMBERT_X"] = np.char.mod("%.1f", np.asarray(x))
    out["LAMBERT_Y"] = np.char.mod("%.1f", np.asarray(y))
    out["LONGITUDE"] = np.char.mod("%.6f", np.asarray(lon))
    out["LATITUDE"] = np.char.mod("%.6f", np.asarray(lat))
    out["QUALITE_XY"] = "B"
    out["EPSG"] = "2154"
    out["QUALITE_GEOLOC"] = "11"
    out["TR_DIST_PRECISION"] = "< 100"
    out["EPCI"] = table["epci"].to_numpy()
    out = out.sort_values(["DEPCOM", "TYPEQU", "LAMBERT_X"], kind="stable")
    out.to_csv(path, sep=";", index=False, lineterminator="\n", encoding="utf-8")
