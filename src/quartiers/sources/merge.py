"""Read several files of one source as one table (``--source ID=PATH`` repeated).

One Filosofi file per département, one Climadiag export per commune group, QPV or commune
layers cut by région: each file is read by the source's own reader (same checks, same
normalised columns), then the tables are stacked and rows present in several files kept
once. Rows that differ under the same identifier (two vintages of a cell) are left for the
usual duplicate checks, which refuse them with a French message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

__all__ = ["concat_unique", "read_all"]


def concat_unique(frames: Sequence[Any]) -> Any:
    """Stack tables of the same reader, keeping once the rows found in several of them."""
    if len(frames) == 1:
        return frames[0]
    first = frames[0]
    if isinstance(first, gpd.GeoDataFrame):
        crs = first.crs
        parts = [f.to_crs(crs) if f.crs is not None and crs is not None else f for f in frames]
        stacked = pd.concat(parts, ignore_index=True)
        geom = str(first.geometry.name)
        key = pd.DataFrame(stacked.drop(columns=geom)).astype(str)
        key["_wkb"] = gpd.GeoSeries(stacked[geom]).to_wkb(hex=True)
        keep = ~key.duplicated()
        out = gpd.GeoDataFrame(stacked[keep.to_numpy()], geometry=geom, crs=crs)
        return out.reset_index(drop=True)
    table: pd.DataFrame = pd.concat(list(frames), ignore_index=True)
    keep = ~table.astype(str).duplicated()
    return table[keep.to_numpy()].reset_index(drop=True)


def read_all(paths: Sequence[Path], read: Callable[[Path], Any]) -> Any:
    """Read every file with ``read`` and return them as one table."""
    return concat_unique([read(p) for p in paths])
