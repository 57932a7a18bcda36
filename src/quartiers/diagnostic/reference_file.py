"""Reference files (``quartiers reference build``): one scale for runs of any size.

A reference file is a Parquet table, one row per point of the weighted distribution of an
indicator over the reference cells (see :mod:`quartiers.method.reference` for the points
and their exactness):

======================  ===================================================================
column                  content
======================  ===================================================================
``indicator``           indicator id (registry)
``vintage``             millésime of the source the cells come from (Filosofi ``2021``…)
``value``               a value of the distribution (unoriented, indicator's unit)
``weight``              weight of the cells at that value (people or households)
``exact``               True: every distinct value kept; False: quantile summary
``low``, ``high``       minimum and maximum over every reference cell
``mean``, ``std``       weighted mean and standard deviation over every reference cell
``total_weight``        summed weight of the reference cells
``cells``               reference cells with a value
======================  ===================================================================

The schema metadata ``quartiers_reference`` (JSON) records the format version, the source
files (path, SHA-256, vintage), the date and — for a reference built from territories
(``quartiers reference build --territory …``) — the territories, the climate horizon, the
method (name, version, SHA-256) and the *settings* each indicator's cell values depend on
(:func:`indicator_settings`: LCZ scores, default crown, unreachable rule, horizon). A run
uses an indicator of the file only when its own settings for it are the same. The file is
written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from quartiers.atomic import output_file
from quartiers.checksum import file_sha256
from quartiers.errors import InputError
from quartiers.indicators.base import CellIndicator
from quartiers.indicators.exposure import CLIMATE_IDS
from quartiers.indicators.registry import ACCESS_CATEGORIES, REGISTRY
from quartiers.indicators.sensitivity import sensitivity_indicators
from quartiers.method.normalise import Reference
from quartiers.method.reference import MAX_POINTS, from_points, moments, summarise
from quartiers.method.spec import Method

__all__ = [
    "COLUMNS",
    "FORMAT",
    "ReferenceFile",
    "build_table",
    "indicator_rows",
    "indicator_settings",
    "read_reference",
    "write_reference",
]

#: Version of the file layout.
FORMAT = 1

#: Columns of a reference file, in order.
COLUMNS = (
    "indicator",
    "vintage",
    "value",
    "weight",
    "exact",
    "low",
    "high",
    "mean",
    "std",
    "total_weight",
    "cells",
)

_META_KEY = b"quartiers_reference"
_EXPECTED = "un fichier de référence écrit par « quartiers reference build »"


def build_table(cells: pd.DataFrame, *, vintage: str, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Return the reference rows of every Filosofi indicator computed on ``cells``.

    ``cells`` are Filosofi cells as read by :func:`quartiers.sources.filosofi.read_filosofi`
    (sorted by ``idcar_200m`` here, as the diagnostic sorts them).
    """
    table = pd.DataFrame(cells.drop(columns="geometry", errors="ignore"))
    table = table.sort_values("idcar_200m", kind="stable").reset_index(drop=True)
    twice = table["idcar_200m"].astype("string").duplicated()
    if twice.any():
        raise InputError(
            f"carreaux Filosofi : {int(twice.sum())} carreau(x) en double entre les fichiers, "
            f"valeurs différentes (premier : {table.loc[twice, 'idcar_200m'].iloc[0]}) — "
            "attendu un seul millésime par carreau"
        )
    indicators, _missing = sensitivity_indicators(table, source="carreaux Filosofi")
    return indicator_rows(indicators, vintage=vintage, max_points=max_points)


def indicator_rows(
    indicators: Mapping[str, CellIndicator], *, vintage: str, max_points: int = MAX_POINTS
) -> pd.DataFrame:
    """Return the reference rows of cell indicators (value weighted by its denominator).

    The distribution of each indicator is the one a run normalises against with
    ``reference: run`` (:meth:`quartiers.method.normalise.Reference.build` on the same
    values and weights).
    """
    parts = []
    for ind_id, ind in indicators.items():
        value = np.asarray(ind.value, dtype="float64")
        weight = np.asarray(ind.den, dtype="float64")
        low, high, mean, std = moments(value, weight)
        points, weights, exact = summarise(value, weight, max_points)
        if not points.size:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "indicator": ind_id,
                    "vintage": str(vintage),
                    "value": points,
                    "weight": weights,
                    "exact": exact,
                    "low": low,
                    "high": high,
                    "mean": mean,
                    "std": std,
                    "total_weight": float(weights.sum()),
                    "cells": int((np.isfinite(value) & (weight > 0)).sum()),
                }
            )
        )
    if not parts:
        raise InputError("carreaux : aucun indicateur calculable (aucun carreau peuplé)")
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


def indicator_settings(method: Method, horizon: str) -> dict[str, str]:
    """Return, per indicator whose cell values depend on a setting, that setting (as text).

    The LCZ heat score depends on the method's LCZ scores (and the middle of
    ``uncertainty.lcz_variable_range``), canopy and green shares on ``default_crown_m``,
    walking distances on ``unreachable``, climate indicators on the horizon. A reference
    file records them; a run may use an indicator of the file only with the same setting.
    """
    lcz = json.dumps(method.lcz_scores(), sort_keys=True)
    settings = {"lcz_heat": f"lcz_heat_scores={lcz}"}
    for ind_id in ("canopy_share", "green_share"):
        settings[ind_id] = f"default_crown_m={method.default_crown_m:g}"
    for category in ACCESS_CATEGORIES:
        settings[f"dist_{category}"] = f"unreachable={method.unreachable}"
    for ind_id in CLIMATE_IDS:
        settings[ind_id] = f"horizon={horizon}"
    return settings


def write_reference(
    table: pd.DataFrame,
    out: Path,
    *,
    sources: Sequence[dict[str, str]],
    force: bool = False,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Write a reference table atomically (refuses an existing file without ``force``).

    ``provenance`` adds to the metadata what the cells came from (``territories``,
    ``horizon``, ``method``, ``settings`` of a reference built from territories).
    """
    meta = {
        "format": FORMAT,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "max_points": MAX_POINTS,
        "sources": list(sources),
        **dict(provenance or {}),
    }
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    arrow = arrow.replace_schema_metadata(
        {**(arrow.schema.metadata or {}), _META_KEY: json.dumps(meta, ensure_ascii=False).encode()}
    )
    with output_file(Path(out), force=force) as tmp:
        pq.write_table(arrow, tmp)
    return Path(out)


@dataclass(frozen=True)
class ReferenceFile:
    """A reference file read and checked: its rows, metadata and fingerprint."""

    path: Path
    rows: pd.DataFrame
    meta: dict[str, Any]
    sha256: str

    @property
    def vintages(self) -> list[str]:
        """Return the vintages the file holds."""
        return sorted(self.rows["vintage"].astype(str).unique())

    def pick_vintage(self, vintage: str | None) -> str:
        """Return the vintage to use for a run of Filosofi ``vintage`` (None: unknown)."""
        held = self.vintages
        if vintage is None or vintage == "":
            if len(held) == 1:
                return held[0]
            raise InputError(
                f"{self.path} : plusieurs millésimes ({', '.join(held)}) et le millésime "
                "Filosofi du diagnostic est inconnu"
            )
        if vintage not in held:
            raise InputError(
                f"{self.path} : millésime Filosofi {vintage} absent du fichier de référence "
                f"(millésimes présents : {', '.join(held)}) ; reconstruisez la référence "
                f"avec « quartiers reference build --vintage {vintage} »"
            )
        return vintage

    def reference_for(
        self, ids: Sequence[str], vintage: str, settings: Mapping[str, str] | None = None
    ) -> Reference:
        """Return the :class:`Reference` of indicators ``ids`` (in that order) at ``vintage``.

        ``settings`` are the run's :func:`indicator_settings`: an indicator whose setting
        differs from the one its reference rows were computed with is refused.
        """
        rows = self.rows[self.rows["vintage"].astype(str) == vintage]
        held = set(rows["indicator"].astype(str))
        absent = [i for i in ids if i not in held]
        if absent:
            raise InputError(
                f"{self.path} : indicateur(s) absent(s) du fichier de référence au millésime "
                f"{vintage} : {_named(absent)} — ils ne seront pas normalisés sur l'échelle "
                f"locale à la place. Indicateurs présents : {', '.join(sorted(held))}. "
                "Reconstruisez la référence avec les sources de ces indicateurs "
                "(« quartiers reference build --territory … --source … ») ou retirez-les "
                "de la méthode"
            )
        self._check_settings(ids, settings or {})
        columns, stats = [], []
        for ind_id in ids:
            part = rows[rows["indicator"].astype(str) == ind_id]
            columns.append((part["value"].to_numpy("float64"), part["weight"].to_numpy("float64")))
            first = part.iloc[0]
            stats.append([float(first[c]) for c in ("low", "high", "mean", "std")])
        table = np.asarray(stats, dtype="float64").reshape(len(ids), 4)
        return from_points(columns, table[:, 0], table[:, 1], table[:, 2], table[:, 3])

    def highs(self, ids: Sequence[str], vintage: str) -> dict[str, float]:
        """Return the largest value over the reference cells of each of ``ids`` it holds."""
        rows = self.rows[self.rows["vintage"].astype(str) == vintage]
        first = rows.drop_duplicates("indicator").set_index("indicator")["high"]
        return {i: float(first[i]) for i in ids if i in first.index and np.isfinite(first[i])}

    def _check_settings(self, ids: Sequence[str], settings: Mapping[str, str]) -> None:
        """Refuse indicators computed with other settings than the run's (French message)."""
        held = self.meta.get("settings") or {}
        differ = [i for i in ids if i in settings and held.get(i) != settings[i]]
        if differ:
            details = "; ".join(
                f"{i} : référence {held.get(i) or 'réglage non enregistré'}, "
                f"diagnostic {settings[i]}"
                for i in differ
            )
            raise InputError(
                f"{self.path} : indicateur(s) calculé(s) avec d'autres réglages que ceux du "
                f"diagnostic ({details}) — reconstruisez la référence avec la même méthode "
                "et le même horizon (« quartiers reference build --method … --horizon … »)"
            )

    def record(self, vintage: str) -> dict[str, Any]:
        """Return what ``run.json`` says of this reference."""
        return {
            "kind": "file",
            "path": str(self.path.resolve()),
            "sha256": self.sha256,
            "vintage": vintage,
            "sources": self.meta.get("sources", []),
            "created": self.meta.get("created", ""),
            "territories": self.meta.get("territories", []),
            "horizon": self.meta.get("horizon", ""),
            "method": self.meta.get("method", {}),
        }


def read_reference(path: Path) -> ReferenceFile:
    """Read and check a reference file (French :class:`InputError` naming it otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} : fichier de référence introuvable (attendu {_EXPECTED})")
    try:
        arrow = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path} : Parquet illisible ({exc}) — attendu {_EXPECTED}") from None
    raw = (arrow.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise InputError(
            f"{path} : métadonnées « quartiers_reference » absentes — attendu {_EXPECTED}"
        )
    meta = json.loads(raw.decode("utf-8"))
    if meta.get("format") != FORMAT:
        raise InputError(
            f"{path} : format de référence {meta.get('format')!r} inconnu (attendu {FORMAT})"
        )
    rows = arrow.to_pandas()
    absent = [c for c in COLUMNS if c not in rows.columns]
    if absent:
        raise InputError(
            f"{path} : colonnes manquantes {', '.join(absent)} (attendu {', '.join(COLUMNS)})"
        )
    _check_rows(path, rows)
    return ReferenceFile(path=path, rows=rows, meta=meta, sha256=file_sha256(path))


def _check_rows(path: Path, rows: pd.DataFrame) -> None:
    if rows.empty:
        raise InputError(f"{path} : aucune ligne — attendu {_EXPECTED}")
    for column in ("value", "weight", "low", "high", "mean", "std", "total_weight"):
        numbers = pd.to_numeric(rows[column], errors="coerce").to_numpy("float64")
        bad = ~np.isfinite(numbers)
        if column == "weight":
            bad |= ~(numbers > 0)
        if bad.any():
            first = rows.loc[bad, "indicator"].iloc[0]
            raise InputError(
                f"{path} : colonne {column}, {int(bad.sum())} valeur(s) "
                f"{'non finie(s) ou non positive(s)' if column == 'weight' else 'non finie(s)'} "
                f"(première : indicateur {first})"
            )


def _named(ids: Sequence[str]) -> str:
    """Return indicator ids with their French labels (« lcz_heat (score de chaleur LCZ) »)."""
    return ", ".join(f"{i} ({REGISTRY[i].label})" if i in REGISTRY else i for i in ids)
