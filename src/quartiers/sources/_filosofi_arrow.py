"""Fast path of the Filosofi CSV reader: a clean Arrow block normalised without pandas text.

The national CSV holds 2.3 million cells × 30 text fields. The general reader
(:func:`quartiers.sources.filosofi._normalise`) turns each block into pandas text columns
first, then strips, maps and parses them one by one. When a block is *clean* — every cell
identifier matches ``CRS3035RES200mN<y>E<x>`` as written, every imputation flag is ``0`` or
``1``, every commune list is made of letters and digits only, and every count is a plain
number (Arrow's cast, the one :func:`quartiers.sources._text.parse_numbers` tries first) —
those steps change nothing but the type, so the block is converted straight from Arrow.
Anything else (spaces, decimal commas, empty counts, ``true``/``false``, a bad value)
returns None and the block goes through the general reader, which applies its rules and
names the faulty field. The table built is the one the general reader builds, column for
column and value for value (checked by the tests).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from quartiers.schemas import FILOSOFI_COUNTS

__all__ = ["ID_PATTERN", "clean_block", "parse_clean_ids"]

#: An INSEE 200 m cell identifier; the resolution is checked apart (``res`` group).
ID_PATTERN = r"^CRS3035RES(?P<res>\d+)mN(?P<y>\d+)E(?P<x>\d+)$"
_CELL_SIZE = "200"
_CODES = r"^[0-9A-Za-z]*$"
_FLAGS = pa.array(["0", "1"])


def parse_clean_ids(ids: pa.ChunkedArray | pa.Array) -> NDArray[np.int64] | None:
    """Return the south-west corners (n, 2) of identifiers, or None when one is not clean."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if ids.null_count:
        return None
    parts = pc.extract_regex(ids, ID_PATTERN)
    res = pc.struct_field(parts, [0])
    bad = pc.or_(pc.is_null(parts), pc.not_equal(res, _CELL_SIZE)).fill_null(True)
    if pc.any(bad).as_py():
        return None
    y = pc.cast(pc.struct_field(parts, [1]), pa.int64()).to_numpy()
    x = pc.cast(pc.struct_field(parts, [2]), pa.int64()).to_numpy()
    return np.column_stack([x, y]).astype(np.int64)


def clean_block(
    table: pa.Table, columns: dict[str, str], xy: NDArray[np.int64] | None
) -> pd.DataFrame | None:
    """Return the normalised cells of a clean block of text columns, or None (not clean).

    Parameters
    ----------
    table
        One block of the CSV, every column read as text (no nulls).
    columns
        Canonical field → column of the file (``lcog_geo`` may be absent).
    xy
        The corners :func:`parse_clean_ids` gave for this block's identifiers (None: not
        clean).

    Returns
    -------
    pandas.DataFrame or None
        Columns ``idcar_200m``, ``x_sw``, ``y_sw``, ``imputed``, ``lcog_geo`` (text as
        pandas ``str``) and the counts, as the general reader returns them before its
        value checks.
    """
    if xy is None:
        return None
    flags = table.column(columns["imputed"])
    if flags.null_count or not pc.all(pc.is_in(flags, _FLAGS), min_count=0).as_py():
        return None
    n = table.num_rows
    if "lcog_geo" in columns:
        codes = table.column(columns["lcog_geo"])
        if (
            codes.null_count
            or not pc.all(pc.match_substring_regex(codes, _CODES), min_count=0).as_py()
        ):
            return None
        communes = codes.to_pandas()
    else:
        communes = pd.Series(np.full(n, "", dtype=object)).astype(str)
    counts = {}
    for name in FILOSOFI_COUNTS:
        text = table.column(columns[name])
        if text.null_count:
            return None
        numbers = _plain_numbers(text)
        if numbers is None:
            return None
        counts[name] = numbers
    out = pd.DataFrame(
        {
            "idcar_200m": table.column(columns["idcar_200m"]).to_pandas(),
            "x_sw": xy[:, 0],
            "y_sw": xy[:, 1],
            "imputed": pc.equal(flags, "1").to_numpy(),
            "lcog_geo": communes,
            **counts,
        }
    )
    return out


def _plain_numbers(text: pa.ChunkedArray) -> NDArray[np.float64] | None:
    """Return Arrow's cast of trimmed ``text`` to float64 (None when a value is not a number).

    The untrimmed text is tried first: a parser either refuses surrounding spaces or
    ignores them, so when the cast succeeds it gives the trimmed text's numbers.
    """
    with contextlib.suppress(pa.ArrowInvalid):
        numbers: NDArray[np.float64] = pc.cast(text, pa.float64()).to_numpy()
        return numbers
    try:
        return pc.cast(pc.utf8_trim_whitespace(text), pa.float64()).to_numpy()  # type: ignore[no-any-return]
    except pa.ArrowInvalid:
        return None
