"""Météo-France Climadiag Commune: indicators at the TRACC warming levels, per commune.

Two layouts are read:

- the official ``entities.jsonl`` (one JSON record per line, or a ``.json`` holding one
  record or a list): ``nom, identifiant_insee, code_recherche, identifiant_epci_parent,
  population, indicateurs[] = {id, data}`` with ``data[h][0] = {ref, min, mean, max}``
  and ``h`` = 0, 1, 2 → 2030 (+2 °C), 2050 (+2.7 °C), 2100 (+4 °C); ``ref`` = 1976–2005;
- the CSV extract ``nom,code_insee,icu,s3_ref,s3_2030,…`` (means only): one column per
  indicator × horizon, indicator ids in lower case (``s3``, ``r5_ete``).

Both give the long table :data:`~quartiers.schemas.CLIMATE_COLUMNS` with the publisher's
indicator ids (``S1``, ``S3``, ``R5_ete``…) and ``source = "climadiag"``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import CLIMATE_COLUMNS
from quartiers.sources import validation as v
from quartiers.sources._text import (
    clean_code,
    parse_numbers,
    read_text_table,
    require_file,
    sniff_text,
)

__all__ = ["DAYS_PATTERN", "TRACC_HORIZONS", "read_climadiag"]

logger = logging.getLogger(__name__)

#: Position of each horizon in ``data`` of an ``entities.jsonl`` indicator.
TRACC_HORIZONS = ("2030", "2050", "2100")
_WHAT_JSON = "Climadiag Commune (entities.jsonl : identifiant_insee, indicateurs[id, data])"
_WHAT_CSV = "l'extrait Climadiag (nom,code_insee,<indicateur>_<ref|2030|2050|2100>…)"
_COLUMN = re.compile(r"^(?P<indicator>.+)_(?P<horizon>ref|2030|2050|2100)$", re.IGNORECASE)
_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
#: Indicators counted in days per year (S1 very hot days, S2 warm nights, S3 heat-wave
#: days, S4 cold-wave days and their threshold variants S5–S11).
DAYS_PATTERN = r"[Ss]\d+"
_DAYS = re.compile(f"^{DAYS_PATTERN}$")


def read_climadiag(path: Path, *, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read Climadiag Commune indicators into the long :data:`CLIMATE_COLUMNS` table.

    Parameters
    ----------
    path
        ``entities.jsonl`` (or ``.json``) from Météo-France, or the CSV extract.
    codes
        Keep only these INSEE commune codes (``None``: all).

    Returns
    -------
    pandas.DataFrame
        One row per commune × indicator × horizon: ``value`` is the ensemble mean
        (days per year for S1–S4), ``low``/``high`` the min/max (NaN in the CSV extract
        and for the reference), ``horizon`` in ``ref``/``2030``/``2050``/``2100``.
        The CSV's ``icu`` (urban heat-island class, no horizon) comes as indicator
        ``icu`` at horizon ``ref``.
    """
    path = require_file(Path(path))
    keep = {c.zfill(5) if c.isdigit() else c for c in codes} if codes is not None else None
    if path.suffix.lower() in {".jsonl", ".json", ".ndjson"}:
        rows = list(_json_rows(path, keep))
    elif path.suffix.lower() in {".csv", ".txt"}:
        rows = list(_csv_rows(path, keep))
    else:
        raise InputError(
            f"{path} : format non reconnu pour Climadiag — attendu entities.jsonl, .json ou .csv"
        )
    if not rows and keep is None:
        raise InputError(f"{path} : aucune valeur d'indicateur — attendu {_WHAT_JSON}")
    table = pd.DataFrame(rows, columns=CLIMATE_COLUMNS)
    if path.suffix.lower() in {".jsonl", ".json", ".ndjson"}:
        _check_json_values(table, path)
    table = table.astype(
        {
            "insee_com": str,
            "indicator": str,
            "horizon": str,
            "value": "float64",
            "low": "float64",
            "high": "float64",
            "source": str,
        }
    )
    return table.reset_index(drop=True)


def _check_json_values(table: pd.DataFrame, path: Path) -> None:
    """Refuse impossible values: non-finite numbers, negative or > 366 days, min > mean > max."""
    where = (
        table["insee_com"].astype(str)
        + " (indicateur "
        + table["indicator"].astype(str)
        + ", horizon "
        + table["horizon"].astype(str)
        + ")"
    )
    frame = pd.DataFrame(
        {
            "commune": where,
            "mean": table["value"].astype("float64"),
            "min": table["low"].astype("float64"),
            "max": table["high"].astype("float64"),
        }
    )
    days = table["indicator"].astype(str).str.fullmatch(_DAYS.pattern).to_numpy()
    for rules, rows in ((_json_schema(True), days), (_json_schema(False), ~days)):
        v.check_values(frame[rows], rules, path=path, id_column="commune", id_label="commune")
    v.check_values(frame, _key_schema(), path=path, id_column="commune", id_label="commune")


@functools.cache
def _json_schema(days: bool) -> v.Schema:
    rule = v.days if days else v.number
    return v.schema(
        {"mean": rule(), "min": rule(), "max": rule()},
        relations=[
            v.at_most("min", "mean", text="minimum supérieur à la moyenne (min > mean)"),
            v.at_most("mean", "max", text="moyenne supérieure au maximum (mean > max)"),
        ],
    )


@functools.cache
def _key_schema() -> v.Schema:
    return v.schema({"commune": v.identifier()})


@functools.cache
def _csv_schema(columns: tuple[str, ...]) -> v.Schema:
    rules: dict[str, list[Any]] = {"code_insee": v.identifier()}
    for column in columns:
        match = _COLUMN.match(column)
        days = match is not None and _DAYS.match(match.group("indicator")) is not None
        rules[column] = v.days() if days else v.count() if column.lower() == "icu" else v.number()
    return v.schema(rules)


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    encoding, _ = sniff_text(path, encodings=("utf-8",), what=_WHAT_JSON)
    with open(path, encoding=encoding) as handle:
        if path.suffix.lower() == ".json":
            try:
                data = json.load(handle)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path} : JSON illisible (ligne {exc.lineno}) — attendu {_WHAT_JSON}"
                ) from exc
            for i, record in enumerate(data if isinstance(data, list) else [data]):
                yield i + 1, record
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path} : ligne {number} illisible ({exc.msg}) — attendu un objet JSON "
                    "par ligne (entities.jsonl)"
                ) from exc


def _json_rows(path: Path, keep: set[str] | None) -> Iterator[list[Any]]:
    for number, record in _records(path):
        if not isinstance(record, Mapping):
            raise InputError(f"{path} : ligne {number} n'est pas un objet — attendu {_WHAT_JSON}")
        code = str(record.get("identifiant_insee", "")).strip()
        if "identifiant_insee" not in record or "indicateurs" not in record:
            raise InputError(
                f"{path} : ligne {number} sans champ identifiant_insee ou indicateurs — "
                f"attendu {_WHAT_JSON}"
            )
        code = code.zfill(5) if code.isdigit() else code
        if not _COMMUNE.match(code):
            logger.info("%s : entité %r ignorée (pas une commune)", path, code)
            continue
        if keep is not None and code not in keep:
            continue
        for indicator in record["indicateurs"] or []:
            yield from _indicator_rows(path, number, code, indicator)


def _indicator_rows(path: Path, number: int, code: str, indicator: Any) -> Iterator[list[Any]]:
    where = f"{path} : ligne {number} (commune {code})"
    if not isinstance(indicator, Mapping) or "id" not in indicator or "data" not in indicator:
        raise InputError(f"{where} : indicateur sans champ id ou data — attendu {{id, data}}")
    ident = str(indicator["id"])
    data = indicator["data"]
    if not isinstance(data, list) or len(data) < len(TRACC_HORIZONS):
        count = len(data) if isinstance(data, list) else 0
        raise InputError(
            f"{where} : indicateur {ident} : champ data avec {count} horizon(s) — "
            "attendu 3 (2030, 2050, 2100)"
        )
    ref: float | None = None
    for horizon, entry in zip(TRACC_HORIZONS, data, strict=False):
        stats = entry[0] if isinstance(entry, list) and entry else entry
        if not isinstance(stats, Mapping) or "mean" not in stats:
            raise InputError(
                f"{where} : indicateur {ident}, horizon {horizon} sans champ mean — "
                "attendu {ref, min, mean, max}"
            )
        if ref is None and stats.get("ref") is not None:
            ref = _number(stats["ref"], where, f"{ident}.ref")
            yield [code, ident, "ref", ref, math.nan, math.nan, "climadiag"]
        yield [
            code,
            ident,
            horizon,
            _number(stats["mean"], where, f"{ident}.mean"),
            _number(stats.get("min"), where, f"{ident}.min"),
            _number(stats.get("max"), where, f"{ident}.max"),
            "climadiag",
        ]


def _number(value: Any, where: str, field: str) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{where} : valeur {value!r} du champ {field} — attendu un nombre"
        ) from exc


def _indicator_id(name: str) -> str:
    """Return the publisher's id for a CSV prefix (``s3`` → ``S3``, ``r5_ete`` → ``R5_ete``)."""
    head, _, tail = name.partition("_")
    return head.upper() + (f"_{tail.lower()}" if tail else "")


def _csv_rows(path: Path, keep: set[str] | None) -> Iterator[list[Any]]:
    raw = read_text_table(path, sep=",", what=_WHAT_CSV, header_hint="code_insee")
    code_col = next(c for c in raw.columns if c.lower() == "code_insee")
    codes = clean_code(raw[code_col], width=5)
    value_cols = [(c, _COLUMN.match(c)) for c in raw.columns]
    parsed = [(c, m) for c, m in value_cols if m is not None]
    if not parsed and not any(c.lower() == "icu" for c in raw.columns):
        raise InputError(
            f"{path} : aucune colonne <indicateur>_<ref|2030|2050|2100> — attendu {_WHAT_CSV}"
        )
    icu = [c for c in raw.columns if c.lower() == "icu"]
    numbers = pd.DataFrame(
        {c: parse_numbers(raw[c], path=path, field=c) for c in [*(c for c, _ in parsed), *icu]}
    )
    numbers.insert(0, "code_insee", codes.to_numpy())
    v.check_values(
        numbers,
        _csv_schema(tuple(numbers.columns[1:])),
        path=path,
        id_column="code_insee",
        id_label="commune",
        fields={"code_insee": code_col},
    )
    for col, match in parsed:
        values = numbers[col]
        indicator = _indicator_id(match.group("indicator"))
        horizon = match.group("horizon").lower()
        for code, value in zip(codes, values, strict=True):
            if keep is None or code in keep:
                yield [code, indicator, horizon, value, math.nan, math.nan, "climadiag"]
    for col in raw.columns:
        if col.lower() == "icu":
            values = numbers[col]
            for code, value in zip(codes, values, strict=True):
                if keep is None or code in keep:
                    yield [code, "icu", "ref", value, math.nan, math.nan, "climadiag"]
