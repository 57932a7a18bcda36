"""Write the demo cells as INSEE's Filosofi 2021 200 m CSV (``carreaux_200m_met.csv``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from quartiers.demo._population import COUNTS
from quartiers.spatial.grid import cell_boxes, cell_ids

__all__ = ["FILOSOFI_2021_COLUMNS", "filosofi_table", "write_filosofi"]

#: Columns of ``carreaux_200m_met.csv`` (Filosofi 2021), in the official order.
FILOSOFI_2021_COLUMNS = [
    "idcar_200m", "idcar_1km", "idcar_nat", "i_est_200", "i_est_1km", "lcog_geo", *COUNTS,
]  # fmt: skip


def filosofi_table(
    cells: pd.DataFrame, communes: list[tuple[str, shapely.Geometry]], raw_men: pd.Series
) -> pd.DataFrame:
    """Return the published table in the official layout.

    Parameters
    ----------
    cells
        Output of :func:`quartiers.demo._imputation.impute` (``x, y`` in EPSG:3035 m).
    communes
        (INSEE code, outline in EPSG:3035) of every commune, for ``lcog_geo``.
    raw_men
        Households per cell before imputation (same order), for ``i_est_1km``.
    """
    xy = cells[["x", "y"]].to_numpy().astype(np.int64)
    km = (xy // 1000) * 1000
    boxes = cell_boxes(xy)
    lcog = [""] * len(cells)
    for code, geom in sorted(communes):
        shapely.prepare(geom)
        touch = shapely.intersects(geom, boxes) & ~shapely.touches(geom, boxes)
        for k in np.flatnonzero(touch):
            lcog[k] += code
    km_key = km[:, 0] * 10_000_000 + km[:, 1]
    km_men = pd.Series(raw_men.to_numpy()).groupby(km_key).transform("sum").to_numpy()
    nat = [
        f"CRS3035RES{int(s)}mN{int(ny)}E{int(ex)}"
        for s, ex, ny in zip(cells["nat_size"], cells["nat_x"], cells["nat_y"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "idcar_200m": cell_ids(xy),
            "idcar_1km": [f"CRS3035RES1000mN{int(b)}E{int(a)}" for a, b in km],
            "idcar_nat": nat,
            "i_est_200": cells["imputed"].astype(np.int64).to_numpy(),
            "i_est_1km": (km_men < 11).astype(np.int64),
            "lcog_geo": lcog,
        }
    )
    for col in COUNTS:
        table[col] = cells[col].to_numpy()
    return table.sort_values("idcar_200m", kind="stable").reset_index(drop=True)


def _fmt(values: np.ndarray) -> list[str]:
    """Format counts as INSEE does: integers without decimals, else one decimal."""
    out = []
    for v in np.round(values.astype("float64"), 1):
        out.append(str(int(v)) if float(v).is_integer() else f"{v:.1f}")
    return out


def write_filosofi(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as the official comma-separated UTF-8 CSV with a header."""
    text = table.copy()
    for col in COUNTS:
        text[col] = _fmt(table[col].to_numpy())
    text[FILOSOFI_2021_COLUMNS].to_csv(path, index=False, lineterminator="\n")
