"""Value validation shared by every source reader: impossible values are refused, not read.

A reader first maps a file onto its normalised table (columns, types); it then passes the
table to :func:`check_values` with the source's schema, built with pandera from the rule
builders below. The first rule broken stops the read with one French
:class:`~quartiers.errors.InputError` naming the file, the column (as spelt in the file),
how many rows break the rule, and the first offending identifier. Nothing is written by a
reader, so ``fetch`` and ``diagnose`` write nothing when a file is refused.

Rules are documented for users in ``docs/sources.md`` (« Contrôle des valeurs »).

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

if TYPE_CHECKING:
    import geopandas as gpd
    import pandera.pandas as pa

__all__ = [
    "DAYS_PER_YEAR",
    "Relation",
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
    "schema",
    "share",
]

#: Upper bound of a count of days in one year (leap years included).
DAYS_PER_YEAR = 366

#: Relative tolerance of :func:`at_most` (published values are exact; only float noise).
_TOLERANCE = 1e-6
#: At most this many other broken rules are named after the first one.
_OTHERS_SHOWN = 4


@dataclass(frozen=True)
class Relation:
    """A rule between two columns of a row: ``column`` ≤ ``bound`` (with float tolerance).

    ``column`` is the column the message names; ``text`` says what is wrong, in French.
    """

    column: str
    bound: str
    text: str

    def check(self) -> pa.Check:
        """Return the pandera wide check of this relation (NaN on either side passes)."""
        import pandera.pandas as pa

        column, bound = self.column, self.bound

        def holds(frame: pd.DataFrame) -> pd.Series:
            if column not in frame.columns or bound not in frame.columns:
                return pd.Series(True, index=frame.index)  # a field this vintage lacks
            left = frame[column].to_numpy(dtype="float64")
            right = frame[bound].to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                over = left > right + _TOLERANCE * np.maximum(np.abs(right), 1.0)
            return pd.Series(~over, index=frame.index)

        return pa.Check(holds, name=f"{column}:relation:{bound}", error=self.text)


@dataclass(frozen=True)
class Schema:
    """A pandera schema and the order in which its rules are reported."""

    pandera: pa.DataFrameSchema
    columns: tuple[str, ...]
    relations: tuple[Relation, ...]


def _finite(name: str) -> pa.Check:
    import pandera.pandas as pa

    def finite(values: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return pd.Series(np.isfinite(numbers.to_numpy()), index=values.index)

    return pa.Check(
        finite,
        name=f"{name}:finite",
        error="valeur infinie ou non numérique — attendu un nombre fini",
    )


def _text(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:g}".replace(".", ",")


def number(
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
    why_maximum: str = "",
    nullable: bool = True,
) -> list[pa.Check]:
    """Return the checks of a finite number within ``[minimum, maximum]``.

    Parameters
    ----------
    minimum, maximum
        Bounds (inclusive); ``None`` for no bound.
    unit
        French unit shown in the message (``personnes``, ``jours``).
    why_maximum
        French reason of the upper bound (``plafond plausible d'un carreau de 200 m``).
    nullable
        Whether an empty value is accepted (it then means « non renseigné »).
    """
    import pandera.pandas as pa

    suffix = f" {unit}" if unit else ""
    checks = [_finite("number")]
    if minimum is not None:
        text = "valeur négative" if minimum == 0 else f"valeur inférieure à {_text(minimum)}"
        checks.append(
            pa.Check.ge(
                minimum, name="number:minimum", error=f"{text} — attendu ≥ {_text(minimum)}"
            )
        )
    if maximum is not None:
        reason = f" ({why_maximum})" if why_maximum else ""
        checks.append(
            pa.Check.le(
                maximum,
                name="number:maximum",
                error=f"valeur supérieure à {_text(maximum)}{suffix}{reason} — "
                f"attendu ≤ {_text(maximum)}",
            )
        )
    if not nullable:
        checks.append(
            pa.Check(
                lambda s: s.notna(),
                name="number:required",
                ignore_na=False,
                error="valeur manquante — attendu un nombre",
            )
        )
    return checks


def count(*, maximum: float | None = None, unit: str = "", why_maximum: str = "") -> list[pa.Check]:
    """Return the checks of a count: finite, ≥ 0, at most ``maximum``."""
    return number(minimum=0, maximum=maximum, unit=unit, why_maximum=why_maximum)


def share() -> list[pa.Check]:
    """Return the checks of a share (proportion) in [0, 1]."""
    import pandera.pandas as pa

    return [
        _finite("share"),
        pa.Check.in_range(0, 1, name="share:range", error="part hors de [0, 1] — attendu 0 à 1"),
    ]


def days(*, maximum: int = DAYS_PER_YEAR) -> list[pa.Check]:
    """Return the checks of a number of days in a year (or a season): 0 to ``maximum``."""
    return number(minimum=0, maximum=maximum, unit="jours", why_maximum="jours d'une année")


def longitude() -> list[pa.Check]:
    """Return the checks of a WGS84 longitude in degrees."""
    return number(minimum=-180, maximum=180, unit="degrés", why_maximum="longitude")


def latitude() -> list[pa.Check]:
    """Return the checks of a WGS84 latitude in degrees."""
    return number(minimum=-90, maximum=90, unit="degrés", why_maximum="latitude")


def identifier() -> list[pa.Check]:
    """Return the checks of an identifier column: present (not empty) and unique."""
    import pandera.pandas as pa

    def present(values: pd.Series) -> pd.Series:
        return values.notna() & (values.astype("string").str.strip() != "")

    return [
        pa.Check(present, name="id:present", ignore_na=False, error="identifiant vide"),
        pa.Check(
            lambda s: ~s.duplicated(keep="first"),
            name="id:unique",
            ignore_na=False,
            error="identifiant en double — attendu une ligne par identifiant",
        ),
    ]


def at_most(
    column: str, bound: str, what: str = "", what_bound: str = "", *, text: str = ""
) -> Relation:
    """Return the rule ``column ≤ bound`` (e.g. poor households within households).

    ``what`` and ``what_bound`` name both quantities in French (plural), for the message
    « ménages pauvres plus nombreux que les ménages (men_pauv > men) »; ``text`` replaces
    that sentence (« minimum supérieur à la moyenne (min > mean) »).
    """
    said = text or f"{what} plus nombreux que {what_bound} ({column} > {bound})"
    return Relation(column, bound, f"{said} — attendu {column} ≤ {bound}")


def schema(
    columns: Mapping[str, Sequence[pa.Check]],
    *,
    relations: Sequence[Relation] = (),
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

    Column rules come first, in the schema's column order, then row relations; a
    relation's failure is reported on its own column (pandera lists every column it read).
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
            rank, own = relations[text]
            if column != own:
                continue
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
