"""Health outcomes by IRIS, commune or QPV and period (``--source sante=FICHIER``).

The format is ours (no national open file gives these counts below the département): a
city obtains them from its partners (Santé publique France heat surveillance, ARS, SAMU,
civil registry) and writes one CSV row per unit, period and outcome:

================  ====================================================================
column            content
================  ====================================================================
``unit_type``     ``iris``, ``commune`` or ``qpv``
``unit_code``     IRIS code (9 characters), INSEE commune code (5) or QPV code (QN…)
``period``        free text naming the period (``2023-06-01/2023-09-15``, ``été 2022``)
``outcome``       free identifier (``passages_urgences_chaleur``, ``deces_exces``,
                  ``appels_samu``…)
``count``         number of events, integer ≥ 0
``population``    optional: population the count refers to (else the diagnostic's)
``geometry_wkt``  contour in WKT, EPSG:2154 (Lambert-93): required for ``iris`` units
================  ====================================================================

CSV « ; » or « , », UTF-8 or Latin-1. Every problem is refused with a French message naming
the file, the field, the line and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from quartiers.errors import InputError
from quartiers.sources._text import column_map, parse_numbers, read_text_table, text_column

__all__ = ["HEALTH_COLUMNS", "UNIT_TYPES", "read_health"]

#: Unit types accepted in ``unit_type``.
UNIT_TYPES = ("iris", "commune", "qpv")

#: Columns of the normalised table.
HEALTH_COLUMNS = ["unit_type", "unit_code", "period", "outcome", "count", "population", "geometry"]

_WHAT = (
    "des données de santé (unit_type ; unit_code ; period ; outcome ; count ; population ; "
    "geometry_wkt, voir docs/validation.md)"
)


def _separator(path: Path) -> str:
    head = path.read_bytes()[:4096].split(b"\n", 1)[0]
    return ";" if head.count(b";") >= head.count(b",") else ","


def _line_error(path: Path, field: str, row: int, value: object, expected: str) -> InputError:
    return InputError(
        f"{path} : valeur {value!r} dans le champ {field} (ligne {row + 2}) — attendu {expected}"
    )


def read_health(path: Path) -> pd.DataFrame:
    """Read health outcomes into :data:`HEALTH_COLUMNS` (``geometry`` shapely, EPSG:2154).

    Raises
    ------
    InputError
        Missing column, unknown unit type, empty code/outcome/period, count not an integer
        ≥ 0, population ≤ 0, IRIS without a readable contour, duplicated row.
    """
    path = Path(path)
    table = read_text_table(
        path,
        sep=_separator(path) if path.is_file() else ";",
        encodings=("utf-8", "latin-1"),
        what=_WHAT,
        header_hint="count",
    )
    names = ("unit_type", "unit_code", "period", "outcome", "count", "population", "geometry_wkt")
    cols = column_map(
        table.columns,
        {n: (n,) for n in names},
        path=path,
        what=_WHAT,
        optional=["population", "geometry_wkt"],
    )
    kind = text_column(table[cols["unit_type"]]).str.lower()
    bad = ~kind.isin(UNIT_TYPES)
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise _line_error(path, cols["unit_type"], r, kind.iloc[r], "iris, commune ou qpv")
    texts = {n: text_column(table[cols[n]]) for n in ("unit_code", "period", "outcome")}
    for n, values in texts.items():
        empty = values == ""
        if empty.any():
            r = int(np.flatnonzero(empty.to_numpy())[0])
            raise _line_error(path, cols[n], r, "", "une valeur non vide")
    count = parse_numbers(table[cols["count"]], path=path, field=cols["count"])
    bad = ~(count >= 0) | (count != np.round(count))
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise _line_error(path, cols["count"], r, table[cols["count"]].iloc[r], "un entier ≥ 0")
    population = pd.Series(np.nan, index=table.index)
    if "population" in cols:
        population = parse_numbers(table[cols["population"]], path=path, field=cols["population"])
        bad = population.notna() & ~(population > 0)
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            raise _line_error(path, cols["population"], r, population.iloc[r], "un nombre > 0")
    geoms = _geometries(table, cols, kind, path)
    out = pd.DataFrame(
        {
            "unit_type": kind.to_numpy(),
            "unit_code": texts["unit_code"].str.upper().to_numpy(),
            "period": texts["period"].to_numpy(),
            "outcome": texts["outcome"].to_numpy(),
            "count": count.to_numpy(dtype="float64"),
            "population": population.to_numpy(dtype="float64"),
            "geometry": geoms,
        }
    )
    dup = out.duplicated(["unit_type", "unit_code", "period", "outcome"])
    if dup.any():
        r = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"{path} : ligne {r + 2} en double (même unit_type, unit_code, period, outcome "
            f"qu'une ligne précédente : {out['unit_code'].iloc[r]}, {out['outcome'].iloc[r]})"
        )
    return out


def _geometries(
    table: pd.DataFrame, cols: dict[str, str], kind: pd.Series, path: Path
) -> np.ndarray:
    geoms = np.full(len(table), None, dtype=object)
    iris = (kind == "iris").to_numpy()
    if "geometry_wkt" not in cols:
        if iris.any():
            raise InputError(
                f"{path} : champ geometry_wkt absent — attendu le contour (WKT, Lambert-93) "
                "de chaque IRIS : le diagnostic ne connaît pas les contours des IRIS"
            )
        return geoms
    wkt = text_column(table[cols["geometry_wkt"]])
    for r, text in enumerate(wkt):
        if not text:
            if iris[r]:
                raise _line_error(path, cols["geometry_wkt"], r, "", "un contour WKT")
            continue
        try:
            geom = shapely.from_wkt(text)
        except shapely.errors.GEOSException:
            raise _line_error(
                path, cols["geometry_wkt"], r, text[:40], "un contour WKT lisible"
            ) from None
        if geom is None or geom.is_empty or geom.area <= 0:
            raise _line_error(path, cols["geometry_wkt"], r, text[:40], "un polygone non vide")
        geoms[r] = geom
    return geoms
