"""Value rules applied again to the tables of a workspace when they are read back.

A workspace written by an older version of the project (before values were checked), or a
table edited by hand, must not carry an impossible value into a diagnostic: the same rules
as the readers' (see :mod:`quartiers.sources.validation`) are applied to the stored tables.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from quartiers.errors import InputError
from quartiers.schemas import TerritoryInputs
from quartiers.sources import validation as v
from quartiers.sources.climadiag import DAYS_PATTERN
from quartiers.sources.drias import DAY_INDICATORS
from quartiers.sources.filosofi import value_rules

__all__ = ["check_stored"]

_AGAIN = " — relancez « quartiers fetch --refresh » avec des fichiers corrigés"


def check_stored(inputs: TerritoryInputs, directory: Path) -> None:
    """Refuse a workspace whose cells, QPV, communes or climate hold an impossible value.

    Raises
    ------
    InputError
        The rule's message (file ``<table>.parquet``, column, rows, first identifier), with
        the advice to fetch again.
    """
    directory = Path(directory)
    try:
        _check(inputs, directory)
    except InputError as exc:
        raise InputError(f"{exc}{_AGAIN}") from exc


def _check(inputs: TerritoryInputs, directory: Path) -> None:
    cells = directory / "cells.parquet"
    v.check_values(inputs.cells, _ids("idcar_200m"), path=cells, id_column="idcar_200m")
    v.check_values(
        inputs.cells, value_rules(), path=cells, id_column="idcar_200m", id_label="carreau"
    )
    v.check_values(inputs.qpv, _ids("code_qp"), path=directory / "qpv.parquet", id_column="code_qp")
    v.check_values(
        inputs.communes,
        _ids("insee_com"),
        path=directory / "communes.parquet",
        id_column="insee_com",
        id_label="commune",
    )
    if inputs.climate is not None and len(inputs.climate):
        _check_climate(inputs.climate, directory / "climate.parquet")


def _check_climate(climate: pd.DataFrame, path: Path) -> None:
    indicator = climate["indicator"].astype(str)
    days = indicator.str.fullmatch(DAYS_PATTERN) | indicator.str.upper().isin(DAY_INDICATORS)
    key = (
        climate["insee_com"].astype(str)
        + " (indicateur "
        + indicator
        + ", horizon "
        + climate["horizon"].astype(str)
        + ", "
        + climate["source"].astype(str)
        + ")"
    )
    frame = climate[["value", "low", "high"]].astype("float64").assign(key=key.to_numpy())
    for rules, rows in ((_climate(True), days), (_climate(False), ~days)):
        v.check_values(
            frame[rows.to_numpy()], rules, path=path, id_column="key", id_label="commune"
        )
    v.check_values(frame, _ids("key"), path=path, id_column="key", id_label="commune")


@functools.cache
def _ids(column: str) -> v.Schema:
    return v.schema({column: v.identifier()})


@functools.cache
def _climate(days: bool) -> v.Schema:
    rule = v.days if days else v.number
    return v.schema({"value": rule(), "low": rule(), "high": rule()})
