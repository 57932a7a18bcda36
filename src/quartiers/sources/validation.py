"""Value validation shared by every source reader: impossible values are refused, not read.

A reader first maps a file onto its normalised table (columns, types); it then passes the
table to :func:`check_values` with the source's schema, built with pandera from the rule
builders below. The first rule broken stops the read with one French
:class:`~quartiers.errors.InputError` naming the file, the column (as spelt in the file),
how many rows break the rule, and the first offending identifier. Nothing is written by a
reader, so ``fetch`` and ``diagnose`` write nothing when a file is refused.

Rules are documented for users in ``docs/sources.md`` (« Contrôle des valeurs »). The rule
builders (:func:`number`, :func:`share`, :func:`one_of`, :class:`RowRule`…) live in
:mod:`quartiers.sources._value_rules` and are re-exported here.

Building a schema for a new source::

    from quartiers.sources import validation as v

    @functools.cache
    def _schema() -> v.Schema:
        return v.schema(
            {"code": v.identifier(), "share": v.share(), "days": v.days()},
            relations=[v.at_most("poor", "households", "ménages pauvres", "ménages")],
        )

    v.check_values(table, _schema(), path=path, id_column="code", id_label="commune")

pandera is imported on first use only, so that commands that read no file start fast.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from quartiers.errors import InputError
from quartiers.sources._value_rules import (
    AT_MOST_TOLERANCE,
    DAYS_PER_YEAR,
    Relation,
    RowRule,
    at_most,
    count,
    days,
    identifier,
    latitude,
    longitude,
    number,
    one_of,
    share,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandera.pandas as pa

__all__ = [
    "AT_MOST_TOLERANCE",
    "DAYS_PER_YEAR",
    "Relation",
    "RowRule",
    "Schema",
    "at_most",
    "check_coordinates",
    "check_values",
    "count",
    "days",
    "identifier",
    "latitude",
    "longitude",
    "number",
    "one_of",
    "schema",
    "share",
]

#: At most this many other broken rules are named after the first one.
_OTHERS_SHOWN = 4


@dataclass(frozen=True)
class Schema:
    """A pandera schema and the order in which its rules are reported."""

    pandera: pa.DataFrameSchema
    columns: tuple[str, ...]
    relations: tuple[Relation | RowRule, ...]


def schema(
    columns: Mapping[str, Sequence[pa.Check]],
    *,
    relations: Sequence[Relation | RowRule] = (),
) -> Schema:
    """Build a :class:`Schema` from per-column checks and row relations.

    Columns absent from a table are skipped (an optional field a vintage lacks).
    """
    import pandera.pandas as pa

    built = {
        name: pa.Column(checks=list(checks), nullable=True, required=False, coerce=False)
        for name, checks in columns.items()
    }
    return Schema(
        pandera=pa.DataFrameSchema(
            built, checks=[r.check() for r in relations], strict=False, coerce=False
        ),
        columns=tuple(columns),
        relations=tuple(relations),
    )


def check_values(
    table: pd.DataFrame,
    rules: Schema,
    *,
    path: Path | str,
    id_column: str | None = None,
    id_label: str = "identifiant",
    fields: Mapping[str, str] | None = None,
) -> None:
    """Refuse ``table`` when a value breaks a rule of ``rules`` (one French message).

    Parameters
    ----------
    table
        The normalised table a reader built (canonical column names).
    rules
        The source's :class:`Schema`.
    path
        The file read, named in the message.
    id_column, id_label
        Column identifying a row (a cell id, a QPV code) and its French name (``carreau``);
        without it the message gives the row's position (line of the table + 2).
    fields
        Canonical name → name in the file, so the message uses the file's spelling.

    Raises
    ------
    InputError
        ``<file> : champ <col> — <n> ligne(s) : <what is wrong> ; première : <id label> <id>``.
    """
    from pandera.errors import SchemaErrors

    if table.empty:
        return
    frame = table.reset_index(drop=True)
    try:
        rules.pandera.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return
    raise InputError(_message(cases, frame, rules, path, id_column, id_label, fields or {}))


def _message(
    cases: pd.DataFrame,
    frame: pd.DataFrame,
    rules: Schema,
    path: Path | str,
    id_column: str | None,
    id_label: str,
    fields: Mapping[str, str],
) -> str:
    broken = _broken_rules(cases, rules)
    if not broken:  # pragma: no cover - a failure pandera reports outside our rules
        first = cases.iloc[0]
        return f"{path} : champ {first['column']} — valeur refusée ({first['check']})"
    (column, text, rows), others = broken[0], broken[1:]
    where = _first_row(frame, rows, id_column, id_label)
    shown = fields.get(column, column)
    message = f"{path} : champ {shown} — {len(rows)} ligne(s) : {text} ; première : {where}"
    others = [o for o in others if fields.get(o[0], o[0]) != shown]
    if others:
        names = dict.fromkeys(fields.get(c, c) for c, _, _ in others)
        listed = ", ".join(list(names)[:_OTHERS_SHOWN]) + (
            ", …" if len(names) > _OTHERS_SHOWN else ""
        )
        message += f" (autres règles non respectées dans : {listed})"
    return message


def _broken_rules(cases: pd.DataFrame, rules: Schema) -> list[tuple[str, str, list[int]]]:
    """Return (column, French text, failing row positions) per broken rule, in rule order.

    Column rules come first, in the schema's column order, then row rules; a row rule's
    failure is reported on its own column (pandera lists every non-empty column it read).
    """
    order = {name: i for i, name in enumerate(rules.columns)}
    relations = {r.text: (len(order) + i, r.column) for i, r in enumerate(rules.relations)}
    found: dict[tuple[int, str, str], list[int]] = {}
    for column_value, check_value, index in zip(
        cases["column"], cases["check"], cases["index"], strict=True
    ):
        column, text = str(column_value), str(check_value)
        if index is None or (isinstance(index, float) and math.isnan(index)):
            continue
        if text in relations:
            # pandera lists the failing row once per non-empty column it read
            rank, column = relations[text]
        elif column in order:
            rank = order[column]
        else:
            continue
        found.setdefault((rank, column, text), []).append(int(index))
    return [(c, t, sorted(set(rows))) for (_, c, t), rows in sorted(found.items())]


def _first_row(frame: pd.DataFrame, rows: list[int], id_column: str | None, id_label: str) -> str:
    first = rows[0]
    if id_column is not None and id_column in frame.columns:
        return " ".join(filter(None, (id_label, str(frame[id_column].iloc[first]))))
    return f"ligne {first + 2}"


@functools.cache
def _coordinate_schema() -> Schema:
    return schema(
        {
            "longitude min": longitude(),
            "latitude min": latitude(),
            "longitude max": longitude(),
            "latitude max": latitude(),
        }
    )


def check_coordinates(
    frame: gpd.GeoDataFrame,
    *,
    path: Path | str,
    id_column: str | None = None,
    id_label: str = "entité",
) -> None:
    """Refuse geometries whose coordinates are impossible (non-finite, off the globe).

    Each geometry's bounding box is taken back to WGS84 degrees: an infinite or missing
    coordinate, a longitude outside [-180, 180] or a latitude outside [-90, 90] (for
    instance a point that could not be projected) is refused like any other value.
    Empty or missing geometries are left to the readers (they drop or refuse them).
    """
    import shapely
    from pyproj import CRS, Transformer

    if frame.crs is None:
        return  # check_crs refuses a layer without CRS, in its own words
    present = frame.geometry.notna().to_numpy() & ~frame.geometry.is_empty.to_numpy()
    if not present.any():
        return
    bounds = shapely.bounds(frame.geometry.to_numpy()[present])
    xmin, ymin, xmax, ymax = (bounds[:, i] for i in range(4))
    if not CRS.from_user_input(frame.crs).is_geographic:
        back = Transformer.from_crs(frame.crs, "EPSG:4326", always_xy=True)
        with np.errstate(all="ignore"):
            xmin, ymin = back.transform(xmin, ymin, errcheck=False)
            xmax, ymax = back.transform(xmax, ymax, errcheck=False)
    table = pd.DataFrame(
        {
            "longitude min": xmin,
            "latitude min": ymin,
            "longitude max": xmax,
            "latitude max": ymax,
        }
    )
    if id_column is not None:
        table[id_column] = frame[id_column].to_numpy()[present]
    check_values(
        table,
        _coordinate_schema(),
        path=path,
        id_column=id_column,
        id_label=id_label,
        fields=dict.fromkeys(table.columns[:4], "géométrie (coordonnées)"),
    )
