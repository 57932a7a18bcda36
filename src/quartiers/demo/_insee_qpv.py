"""The demo's « INSEE » per-QPV figures, computed from its own fictitious households.

INSEE computes its QPV figures from geolocated dwellings, not from 200 m cells: here each
inhabited building belongs to the QPV that contains its centre, and its households are
counted whole. The poverty rate counts *persons* in poor households, as INSEE's does. The
file is the reference ``--source insee_qpv`` reads (:mod:`quartiers.sources.insee_qpv`), so
``make demo`` shows the validation table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from quartiers.demo._layout import Named

__all__ = ["insee_qpv_table", "write_insee_qpv"]


def insee_qpv_table(
    qpv: Sequence[tuple[str, Named]], buildings: pd.DataFrame, per_building: pd.DataFrame
) -> pd.DataFrame:
    """Return one row per QPV: population, poverty rate of persons, 65+ and social shares (%).

    Parameters
    ----------
    qpv
        ``(code_qp, Named)`` with the outline in layout coordinates.
    buildings
        The demo buildings (``x0, x1, y0, y1`` in layout coordinates).
    per_building
        Counts of the inhabited buildings (index of ``buildings``), with ``poor_persons``.
    """
    b = buildings.loc[per_building.index]
    u = ((b["x0"] + b["x1"]) / 2).to_numpy()
    v = ((b["y0"] + b["y1"]) / 2).to_numpy()
    rows = []
    for code, named in qpv:
        inside = shapely.contains_xy(named.polygon, u, v)
        c = per_building[inside]
        persons = float(c["ind"].sum())
        households = float(c["men"].sum())
        rows.append(
            {
                "CODGEO": code,
                "LIBGEO": named.name,
                "POP_MUN": round(persons),
                "DISP_TP6021": 100.0 * float(c["poor_persons"].sum()) / persons,
                "share_65p": 100.0 * float((c["ind_65_79"] + c["ind_80p"]).sum()) / persons,
                "share_social_housing": 100.0 * float(c["log_soc"].sum()) / households,
            }
        )
    return pd.DataFrame(rows)


def write_insee_qpv(
    qpv: Sequence[tuple[str, Named]],
    buildings: pd.DataFrame,
    per_building: pd.DataFrame,
    path: Path,
) -> None:
    """Write :func:`insee_qpv_table` as INSEE writes its CSV: « ; », decimal comma, 1 decimal."""
    table = insee_qpv_table(qpv, buildings, per_building)
    for col in ("DISP_TP6021", "share_65p", "share_social_housing"):
        table[col] = [f"{x:.1f}".replace(".", ",") for x in np.round(table[col], 1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
