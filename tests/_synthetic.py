"""Tiny synthetic territories built in code for the diagnostic tests (EPSG:3035 metres).

A 10 × 10 block of 200 m cells whose south-west corner is (X0, Y0); two communes split by a
vertical line that cuts cells; one large QPV not aligned on the grid; one tiny QPV.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from quartiers.schemas import FILOSOFI_COUNTS, TerritoryInputs
from quartiers.spatial.grid import cell_boxes, cell_ids

X0, Y0 = 3_500_000, 2_800_000
SIREN = "200000001"


def make_cells(n: int = 10, *, seed: int = 1) -> gpd.GeoDataFrame:
    """Return n × n Filosofi-like cells with consistent random counts."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(n) * 200 + X0, np.arange(n) * 200 + Y0)
    xy = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.int64)
    m = len(xy)
    men = rng.integers(5, 120, m).astype(float)
    men[3] = 0.0  # a cell without households (and without people)
    imputed = men < 11
    # imputed cells carry fractional values
    men = np.where(imputed & (men > 0), men + 0.4, men)
    ind = np.round(men * rng.uniform(1.6, 2.8, m), 1)
    data: dict[str, object] = {c: np.zeros(m) for c in FILOSOFI_COUNTS}
    data.update(
        ind=ind,
        men=men,
        men_pauv=np.round(men * rng.uniform(0.0, 0.5, m), 1),
        men_1ind=np.round(men * rng.uniform(0.1, 0.5, m), 1),
        men_fmp=np.round(men * rng.uniform(0.0, 0.2, m), 1),
        men_coll=np.round(men * rng.uniform(0.0, 1.0, m), 1),
        men_surf=np.round(ind * rng.uniform(20, 50, m), 1),
        log_soc=np.round(men * rng.uniform(0.0, 0.6, m), 1),
        log_av45=np.round(men * 0.1, 1),
        log_45_70=np.round(men * rng.uniform(0.0, 0.5, m), 1),
        ind_0_3=np.round(ind * rng.uniform(0.0, 0.08, m), 1),
        ind_65_79=np.round(ind * rng.uniform(0.0, 0.2, m), 1),
        ind_80p=np.round(ind * rng.uniform(0.0, 0.1, m), 1),
        ind_snv=np.round(ind * rng.uniform(12000, 30000, m), 1),
    )
    frame = pd.DataFrame(data)
    frame.insert(0, "idcar_200m", pd.array(cell_ids(xy), dtype="string"))
    frame.insert(1, "x_sw", xy[:, 0])
    frame.insert(2, "y_sw", xy[:, 1])
    frame.insert(3, "imputed", imputed)
    frame.insert(4, "lcog_geo", "")
    return gpd.GeoDataFrame(frame, geometry=cell_boxes(xy), crs="EPSG:3035")


def qpv_layer(crs: str = "EPSG:3035") -> gpd.GeoDataFrame:
    """Return two QPV: a large L-shape cutting cells, and a tiny one (few people)."""
    big = shapely.Polygon(
        [
            (X0 + 130, Y0 + 170),
            (X0 + 1110, Y0 + 170),
            (X0 + 1110, Y0 + 530),
            (X0 + 690, Y0 + 530),
            (X0 + 690, Y0 + 1230),
            (X0 + 130, Y0 + 1230),
        ]
    )
    tiny = shapely.box(X0 + 1450, Y0 + 1450, X0 + 1530, Y0 + 1560)
    q = gpd.GeoDataFrame(
        {
            "code_qp": ["QN99901M", "QN99902I"],
            "lib_qp": ["Grand Ensemble", "Petit Îlot"],
            "insee_com": ["99001", "99002"],
            "insee_coms": ["99001", "99002"],
            "siren_epci": [SIREN, SIREN],
        },
        geometry=[big, tiny],
        crs="EPSG:3035",
    )
    return q.to_crs(crs)


def communes_layer(crs: str = "EPSG:3035") -> gpd.GeoDataFrame:
    """Return two communes splitting the block at x = X0 + 1230 (inside a cell column)."""
    west = shapely.box(X0 - 400, Y0 - 400, X0 + 1230, Y0 + 2400)
    east = shapely.box(X0 + 1230, Y0 - 400, X0 + 2400, Y0 + 2400)
    c = gpd.GeoDataFrame(
        {
            "insee_com": ["99001", "99002"],
            "nom": ["Ouestville", "Estville"],
            "population": [30000, 9000],
            "siren_epci": [SIREN, SIREN],
        },
        geometry=[west, east],
        crs="EPSG:3035",
    )
    return c.to_crs(crs)


def climate_table() -> pd.DataFrame:
    """Return Climadiag-like rows for both communes at every horizon."""
    rows = []
    values = {"S3": (1.0, 7.0, 11.0, 20.0), "S2": (2.0, 8.0, 13.0, 26.0), "S1": (0.5, 2, 4, 7)}
    for k, com in enumerate(["99001", "99002"]):
        for ind, vals in values.items():
            for h, v in zip(("ref", "2030", "2050", "2100"), vals, strict=True):
                rows.append(
                    {
                        "insee_com": com,
                        "indicator": ind,
                        "horizon": h,
                        "value": v + 0.5 * k,
                        "low": np.nan,
                        "high": np.nan,
                        "source": "test",
                    }
                )
    return pd.DataFrame(rows)


def make_territory(**layers: object) -> TerritoryInputs:
    """Return synthetic inputs; keyword arguments override or add layers."""
    base: dict[str, object] = {
        "code": "99001",
        "name": "Territoire de test",
        "qpv": qpv_layer(),
        "cells": make_cells(),
        "communes": communes_layer(),
    }
    base.update(layers)
    return TerritoryInputs(**base)  # type: ignore[arg-type]


def environment_layers() -> dict[str, object]:
    """Return small environmental layers (EPSG:2154 like the readers) over the block."""
    rng = np.random.default_rng(7)
    n = 60
    x = X0 + rng.uniform(0, 2000, n)
    y = Y0 + rng.uniform(0, 2000, n)
    w = rng.uniform(8, 30, n)
    buildings = gpd.GeoDataFrame(
        {"height_m": np.full(n, np.nan), "residential": True, "source": "test"},
        geometry=shapely.box(x, y, x + w, y + w),
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    roads = gpd.GeoDataFrame(
        {"highway": ["residential", "primary"], "width_m": [np.nan, 12.0]},
        geometry=[
            shapely.LineString([(X0, Y0 + 900), (X0 + 2000, Y0 + 900)]),
            shapely.LineString([(X0 + 300, Y0), (X0 + 300, Y0 + 2000)]),
        ],
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    vegetation = gpd.GeoDataFrame(
        {"kind": ["wood", "park"], "public": [True, True], "name": ["Bois", "Parc"]},
        geometry=[
            shapely.box(X0 + 1300, Y0 + 1300, X0 + 2000, Y0 + 2000),
            shapely.box(X0 + 0, Y0 + 1500, X0 + 500, Y0 + 2000),
        ],
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    tx = X0 + rng.uniform(0, 2000, 80)
    ty = Y0 + rng.uniform(0, 2000, 80)
    trees = gpd.GeoDataFrame(
        {"crown_m": np.where(rng.uniform(size=80) < 0.5, np.nan, 8.0)},
        geometry=shapely.points(tx, ty),
        crs="EPSG:3035",
    ).to_crs("EPSG:2154")
    lcz_classes = ["2", "6", "A", "8"]
    blocks = [
        shapely.box(X0 + 1000 * i, Y0 + 1000 * j, X0 + 1000 * (i + 1), Y0 + 1000 * (j + 1))
        for i in range(2)
        for j in range(2)
    ]
    lcz = gpd.GeoDataFrame(
        {"lcz": lcz_classes, "lcz_int": [2, 6, 11, 8]}, geometry=blocks, crs="EPSG:3035"
    ).to_crs("EPSG:2154")
    return {
        "buildings": buildings,
        "roads": roads,
        "vegetation": vegetation,
        "trees": trees,
        "lcz": lcz,
        "climate": climate_table(),
    }


def access_table(cells: pd.DataFrame, *, seed: int = 3) -> pd.DataFrame:
    """Return walking distances per cell as the accessibility module provides them."""
    rng = np.random.default_rng(seed)
    m = len(cells)
    table = pd.DataFrame(index=pd.Index(cells["idcar_200m"].astype(str), name="idcar_200m"))
    for cat in ("cool_outdoor", "cool_indoor", "care", "information", "drinking_water"):
        dist = rng.uniform(50, 1500, m)
        dist[0] = np.inf  # unreachable
        table[f"dist_{cat}_m"] = dist
        table[f"time_{cat}_min"] = dist / 70.0
        table[f"count_{cat}_300m"] = rng.integers(0, 4, m)
        table[f"count_{cat}_10min"] = rng.integers(0, 9, m)
    table["share_beyond_300m_cool_outdoor"] = rng.uniform(0, 1, m)
    table["connected"] = True
    table["connected_share"] = 1.0
    return table
