"""Perceived hot spots against the measured index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from quartiers.diagnostic import Diagnostic
from quartiers.outputs.perceived import compare_perceived, verdict_of

_TO_WGS84 = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)


def _centre_lonlat(cells: pd.DataFrame, i: int) -> tuple[float, float]:
    x = float(cells["x_sw"].iloc[i]) + 100.0
    y = float(cells["y_sw"].iloc[i]) + 100.0
    lon, lat = _TO_WGS84.transform(x, y)
    return float(lon), float(lat)


def test_verdict_scale() -> None:
    assert [verdict_of(q) for q in (None, 1, 2, 3, 4, 5)] == [
        "sans_mesure",
        "discordant",
        "discordant",
        "intermediaire",
        "concordant",
        "concordant",
    ]


def test_hot_spots_are_matched_with_their_cell(demo_dir: Path) -> None:
    cells = Diagnostic.load(demo_dir).cells
    quintile = cells["quintile"].astype("float64").to_numpy()
    top = int(np.flatnonzero(quintile == 5)[0])
    low = int(np.flatnonzero(quintile == 1)[0])
    blank = int(np.flatnonzero(~np.isfinite(quintile))[0])
    contributions = [
        {"id": 1, "category": "trop_chaud", "text": "cour sans ombre", "code_qp": "QN00001A"},
        {"id": 2, "category": "trop_chaud", "text": "parking"},
        {"id": 3, "category": "frais", "text": "parc"},  # not a hot spot: ignored
        {"id": 4, "category": "trop_chaud", "text": "carreau vide"},
        {"id": 5, "category": "trop_chaud", "text": "hors du carroyage", "lon": 2.35, "lat": 48.85},
    ]
    for c, i in zip(contributions[:4], (top, low, top, blank), strict=True):
        c["lon"], c["lat"] = _centre_lonlat(cells, i)
    verdicts = compare_perceived(contributions, cells)
    assert [v.contribution_id for v in verdicts] == [1, 2, 4, 5]
    assert [v.verdict for v in verdicts] == [
        "concordant",
        "discordant",
        "sans_mesure",
        "sans_mesure",
    ]
    assert verdicts[0].cell == cells["idcar_200m"].iloc[top]
    assert verdicts[0].quintile == 5 and verdicts[0].code_qp == "QN00001A"
    assert verdicts[3].cell is None and "aucun carreau habité" in verdicts[3].verdict_label
    assert "pas d'indice" in verdicts[2].verdict_label
    assert compare_perceived([], cells) == []
