"""CSV files of the open-data export: raw tables for GDAL/scripts and tables for French Excel.

Two readers, two formats:

- raw tables (``zones.csv``, ``climat.csv``): column identifiers, comma, full precision,
  UTF-8, with a GDAL ``.csvt`` sidecar so that INSEE codes are read as text;
- spreadsheet tables (``qpv_libelles.csv``): what French Excel opens in columns on a
  double-click — UTF-8 with BOM, ``;`` separator, decimal comma, French headers with their
  unit, values rounded to their meaning (people and households as integers, shares and
  probabilities as percentages with one decimal, gaps between shares in points, yes/no as
  « oui »/« non », other values with the decimals the reports print) and no column that is
  empty in every row.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from quartiers.diagnostic.dictionary import describe
from quartiers.outputs.formatting import UnitStyle, unit_style

__all__ = [
    "CODE_COLUMNS",
    "COUNT_UNITS",
    "EMPTY_REMARK",
    "empty_columns",
    "explained_dictionary",
    "spreadsheet_bytes",
    "spreadsheet_table",
    "write_csvt",
    "write_labelled_csv",
    "write_raw_csv",
]

#: Columns holding codes (INSEE, SIREN, QPV, cell ids): always text, never numbers.
CODE_COLUMNS = frozenset(
    {"code_qp", "insee_com", "insee_coms", "siren_epci", "zone_id", "code", "idcar_200m"}
)
#: Units counting people or households: written as whole numbers.
COUNT_UNITS = frozenset({"personnes", "ménages", "habitants"})


def _csvt_type(series: pd.Series) -> str:
    if series.name in CODE_COLUMNS:
        return "String"
    if pd.api.types.is_bool_dtype(series):
        return "Integer(Boolean)"
    if pd.api.types.is_integer_dtype(series):
        return "Integer"
    if pd.api.types.is_float_dtype(series):
        return "Real"
    return "String"


def write_csvt(frame: pd.DataFrame, csv_path: Path) -> Path:
    """Write the GDAL ``.csvt`` sidecar giving each CSV column's type (codes as text)."""
    path = csv_path.with_suffix(".csvt")
    types = ",".join(f'"{_csvt_type(frame[c])}"' for c in frame.columns)
    path.write_text(types + "\n", encoding="utf-8")
    return path


def write_raw_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table for GDAL and scripts (identifiers, comma, full precision) and its ``.csvt``."""
    frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
    return write_csvt(frame, path)


def empty_columns(frame: pd.DataFrame) -> list[str]:
    """Return the columns with no value in any row (all missing or all empty text)."""
    out = []
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.replace("", pd.NA)
        if values.isna().all():
            out.append(str(column))
    return out


#: Units the reports do not print but the spreadsheet table holds.
_SPREADSHEET_STYLES = {"probabilité (0–1)": UnitStyle(100.0, 1, "%", "pt")}


def _style(unit: str) -> UnitStyle:
    if unit in _SPREADSHEET_STYLES:
        return _SPREADSHEET_STYLES[unit]
    if unit.startswith("score 0–1"):  # the index and its scores, as the reports print them
        return UnitStyle(1.0, 2, "", "")
    return unit_style(unit)


def _header(column: str, label: str, unit: str) -> str:
    style = _style(unit)
    # a gap between two shares is in percentage points, not in %
    suffix = (style.gap_suffix if column.startswith("gap_") else style.suffix) if unit else ""
    text = label or column
    return f"{text} ({suffix})" if suffix and not text.endswith(f"({suffix})") else text


def _rounded(values: pd.Series, unit: str) -> pd.Series:
    """Round a numeric column to its meaning (see the module docstring)."""
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "oui", False: "non"}).astype("string")
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    if unit in COUNT_UNITS:
        return numbers.round(0).astype("Int64")
    style = _style(unit)
    if style.decimals == 0 or (pd.api.types.is_integer_dtype(values) and style.scale == 1.0):
        return (numbers * style.scale).round(0).astype("Int64")
    return (numbers * style.scale).round(style.decimals)


def spreadsheet_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as a spreadsheet reads it: French headers, rounded values, no empty column.

    Codes and text stay text; shares (``part (0–1)``) become percentages with one decimal
    and their header says ``(%)``; two columns with the same label keep their identifier
    in the header.
    """
    kept = frame.drop(columns=empty_columns(frame))
    out: dict[str, pd.Series] = {}
    seen: dict[str, int] = {}
    for column in kept.columns:
        label, unit, _, _ = describe(str(column))
        header = _header(str(column), label, unit)
        seen[header] = seen.get(header, 0) + 1
        if seen[header] > 1:
            header = f"{header} ({column})"
        values = kept[column]
        if column in CODE_COLUMNS or not pd.api.types.is_numeric_dtype(values):
            out[header] = values.astype("string")
        else:
            out[header] = _rounded(values, unit)
    return pd.DataFrame(out, index=kept.index)


def spreadsheet_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as a CSV for French Excel (BOM, ``;``, decimal comma, CRLF)."""
    text = spreadsheet_table(frame).to_csv(
        index=False,
        sep=";",
        decimal=",",
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\r\n",
    )
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def write_labelled_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table for French Excel: BOM, ``;``, decimal comma, French headers, rounded values."""
    path.write_bytes(spreadsheet_bytes(frame))
    return path


#: Remark of the data dictionary for a column with no value in the export.
EMPTY_REMARK = (
    "colonne vide dans ce diagnostic (donnée absente pour ce territoire ou analyse non "
    "demandée) ; retirée des tableaux pour tableur"
)


def explained_dictionary(dictionary: pd.DataFrame, tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Return the data dictionary with a ``remarque`` on the columns empty in every table."""
    seen: set[str] = set()
    filled: set[str] = set()
    for table in tables:
        blank = set(empty_columns(table))
        for column in map(str, table.columns):
            seen.add(column)
            if column not in blank:
                filled.add(column)
    out = dictionary.copy()
    empty = seen - filled
    out["remarque"] = [EMPTY_REMARK if name in empty else "" for name in out["colonne"]]
    return out
