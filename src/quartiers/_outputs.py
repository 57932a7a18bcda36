"""Output tables of a diagnostic and the output directory (write / read, ``run.json``).

Private to :mod:`quartiers.diagnostic`: builds the ``cells``, ``qpv`` and ``zones`` layers from
the computed arrays, writes them (GeoPackage, GeoParquet, CSV, data dictionary) and records
what is needed to trace and rerun them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import platform
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray

import quartiers
from quartiers._dictionary import build_dictionary
from quartiers.errors import InputError
from quartiers.grid import CELL_CRS, cell_boxes
from quartiers.indicators.base import safe_ratio
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.schemas import HORIZONS, TerritoryInputs

if TYPE_CHECKING:
    from quartiers._cell_indicators import CellIndicators
    from quartiers.aggregate import ZoneTotals
    from quartiers.diagnostic import Diagnostic, _Scored
    from quartiers.method.composite import CompiledMethod
    from quartiers.method.spec import Method

__all__ = ["FILES", "Tables", "dictionary", "read", "run_record", "write"]

FloatArray = NDArray[np.float64]
NOT_SIGNIFICANT = "non significatif"
OK = "ok"
LAYERS = ("cells", "qpv", "zones")

#: Files of an output directory.
FILES = (
    "diagnostic.gpkg",
    "cells.parquet",
    "qpv.parquet",
    "zones.parquet",
    "qpv.csv",
    "dictionnaire.csv",
    "run.json",
)
FORMAT = "quartiers-diagnostic/1"

# GeoPackage stores a modification time; a fixed one keeps reruns byte-identical.
_GPKG_DATE = "2000-01-01T00:00:00.000Z"


def _indicator_columns(values: FloatArray, ids: Sequence[str]) -> dict[str, FloatArray]:
    """Return one column per registry indicator (NaN for those not computed)."""
    n = values.shape[0]
    pos = {i: j for j, i in enumerate(ids)}
    return {i: values[:, pos[i]] if i in pos else np.full(n, np.nan) for i in REGISTRY}


@dataclass
class Tables:
    """Builds the output layers from computed arrays."""

    ids: tuple[str, ...]
    compiled: CompiledMethod
    missing: dict[str, str]
    method: Method

    def _scores(self, scores: FloatArray) -> dict[str, FloatArray]:
        n = scores.shape[0]
        out = {}
        for dim in DIMENSIONS:
            col = f"score_{dim}"
            if dim in self.compiled.dimension_ids:
                out[col] = scores[:, self.compiled.dimension_ids.index(dim)]
            else:
                out[col] = np.full(n, np.nan)
        return out

    def _row_notes(self, published: FloatArray, scores: FloatArray) -> tuple[list[str], list[str]]:
        """Return per row the dimensions used and the method indicators missing."""
        dims = np.asarray(self.compiled.dimension_ids, dtype=object)
        used = [", ".join(dims[np.isfinite(row)]) for row in scores]
        in_index = [self.ids.index(i) for i in self.compiled.indicator_ids]
        names = np.asarray(self.compiled.indicator_ids, dtype=object)
        dropped = list(self.compiled.dropped)
        missing = [", ".join([*names[~np.isfinite(row[in_index])], *dropped]) for row in published]
        return used, missing

    def cells_frame(
        self,
        cells: pd.DataFrame,
        xy: NDArray[np.int64],
        scored: _Scored,
        small: NDArray[np.bool_],
        breaks: FloatArray,
        computed: CellIndicators,
        cell_commune: Sequence[str],
        cell_qpv: tuple[Sequence[str], FloatArray],
    ) -> gpd.GeoDataFrame:
        """Return the ``cells`` layer."""
        pop = cells["ind"].to_numpy(dtype="float64")
        floor = self.method.cell_population_floor
        data: dict[str, Any] = {
            "idcar_200m": cells["idcar_200m"].astype("string").to_numpy(),
            "x_sw": xy[:, 0],
            "y_sw": xy[:, 1],
            "imputed": cells["imputed"].to_numpy(dtype=bool),
            "insee_com": pd.array(list(cell_commune), dtype="string"),
            "code_qp": pd.array(list(cell_qpv[0]), dtype="string"),
            "qpv_share": cell_qpv[1],
            "population": pop,
            "households": cells["men"].to_numpy(dtype="float64"),
            "poor_households": cells["men_pauv"].to_numpy(dtype="float64"),
            **_indicator_columns(scored.values, self.ids),
            **computed.extra,
            **self._scores(scored.scores),
            "index": scored.index,
            "quintile": pd.array(_as_int(_classes(scored.index, breaks)), dtype="Int64"),
            "status": np.where(small, NOT_SIGNIFICANT, OK),
            "status_detail": np.where(
                small, f"moins de {floor:g} habitants : pas d'indice pour ce carreau", ""
            ),
        }
        frame = pd.DataFrame(data)
        return gpd.GeoDataFrame(frame, geometry=cell_boxes(xy), crs=CELL_CRS)

    def zones_frame(
        self, zones: gpd.GeoDataFrame, totals: ZoneTotals, scored: _Scored, breaks: FloatArray
    ) -> gpd.GeoDataFrame:
        """Return the ``zones`` layer (QPV, rest of commune, rest of EPCI)."""
        pop = totals.population
        floor = self.method.population_floor
        small = ~(pop >= floor)
        used, missing = self._row_notes(scored.values, scored.scores)
        detail = [
            _zone_detail(p, floor, m, self.missing) for p, m in zip(pop, missing, strict=True)
        ]
        data: dict[str, Any] = {
            "zone_id": zones["zone_id"].to_numpy(),
            "zone_type": zones["zone_type"].to_numpy(),
            "code": zones["code"].to_numpy(),
            "label": zones["label"].to_numpy(),
            "insee_com": zones["insee_com"].to_numpy(),
            "siren_epci": zones["siren_epci"].to_numpy(),
            "status": np.where(small, NOT_SIGNIFICANT, OK),
            "status_detail": detail,
            "population": pop,
            "households": totals.households,
            "poor_households": totals.poor_households,
            "imputed_population_share": safe_ratio(totals.imputed_population, pop),
            "reference_population": zones["reference_population"].to_numpy(dtype="float64"),
            **_indicator_columns(scored.values, self.ids),
            **self._scores(scored.scores),
            "index": scored.index,
            "quintile": pd.array(_as_int(_classes(scored.index, breaks)), dtype="Int64"),
            "index_dimensions": used,
            "missing_indicators": missing,
        }
        frame = pd.DataFrame(data)
        for col in ("zone_id", "zone_type", "code", "label", "insee_com", "siren_epci"):
            frame[col] = frame[col].astype("string")
        return gpd.GeoDataFrame(frame, geometry=zones.geometry.to_numpy(), crs=CELL_CRS)

    def qpv_frame(
        self,
        qpv_zones: gpd.GeoDataFrame,
        ranks: FloatArray,
        comparisons: Mapping[str, ZoneTotals],
        compared: Mapping[str, _Scored],
    ) -> gpd.GeoDataFrame:
        """Return the ``qpv`` layer: QPV rows with rank, gaps and ratios to their rests."""
        q = qpv_zones
        coms = q["insee_com"].astype("string")
        head = pd.DataFrame(
            {
                "code_qp": q["code"],
                "lib_qp": q["label"],
                "insee_com": coms.str.split(",").str[0].astype("string"),
                "insee_coms": coms,
                "siren_epci": q["siren_epci"],
            }
        )
        body = q.drop(
            columns=[
                "zone_id", "zone_type", "code", "label", "insee_com", "siren_epci",
                "reference_population", "geometry",
            ]
        )  # fmt: skip
        rank = pd.array(_as_int(ranks), dtype="Int64")
        body.insert(body.columns.get_loc("quintile"), "rank", rank)
        parts = [head, body]
        own = {i: q[i].to_numpy(dtype="float64") for i in REGISTRY}
        own["index"] = q["index"].to_numpy(dtype="float64")
        for name in ("commune", "epci"):
            other = _indicator_columns(compared[name].values, self.ids)
            other["index"] = compared[name].index
            cols: dict[str, FloatArray] = {}
            for col, mine in own.items():
                cols[f"gap_{name}_{col}"] = mine - other[col]
                cols[f"ratio_{name}_{col}"] = safe_ratio(mine, other[col])
            parts.append(pd.DataFrame(cols))
        frame = pd.concat([p.reset_index(drop=True) for p in parts], axis=1)
        return gpd.GeoDataFrame(frame, geometry=q.geometry.to_numpy(), crs=CELL_CRS)


def _classes(index: FloatArray, breaks: FloatArray) -> FloatArray:
    from quartiers.method.rank import classify

    return classify(index, breaks)


def _as_int(values: FloatArray) -> list[int | None]:
    return [int(v) if np.isfinite(v) else None for v in values]


def _zone_detail(pop: float, floor: float, missing: str, reasons: Mapping[str, str]) -> str:
    notes = []
    if not pop > 0:
        notes.append("aucun habitant dans les carreaux recouvrant la zone")
    elif pop < floor:
        notes.append(f"population carroyée {pop:.0f} < seuil {floor:g} : publié, non classé")
    if missing:
        absent = [m for m in missing.split(", ") if m]
        global_ = [m for m in absent if m in reasons]
        local = [m for m in absent if m not in reasons]
        if local:
            notes.append(
                f"valeurs vides (population trop faible ou sans donnée) : {', '.join(local)}"
            )
        if global_:
            notes.append(f"indicateurs non calculés pour le territoire : {', '.join(global_)}")
    return " ; ".join(notes)


# ---------------------------------------------------------------- run.json


def _jsonable(value: Any) -> Any:
    """Return ``value`` with NaN/inf as None and numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _jsonable(
        frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    )
    return rows


def _git_commit() -> str | None:
    """Return the commit of the source checkout, or None when not run from one."""
    root = Path(quartiers.__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=40"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _versions() -> dict[str, str | None]:
    import pyarrow
    import scipy

    return {
        "quartiers": quartiers.__version__,
        "git": _git_commit(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "geopandas": gpd.__version__,
        "shapely": shapely.__version__,
        "scipy": scipy.__version__,
        "pyarrow": pyarrow.__version__,
        "gdal": pyogrio.__gdal_version_string__,
    }


def run_record(
    *,
    inputs: TerritoryInputs,
    method: Method,
    horizon: str,
    compiled: CompiledMethod,
    computed: CellIndicators,
    indicators: pd.DataFrame,
    climate: pd.DataFrame,
    coverage: list[dict[str, Any]],
    summary: dict[str, Any],
) -> dict[str, Any]:
    """Return the content of ``run.json`` (without output hashes, added on write)."""
    dims = {}
    for dim, label in DIMENSIONS.items():
        ids = [i for i, ind in REGISTRY.items() if ind.dimension == dim]
        have = [i for i in ids if i in computed.values]
        state = "complète" if len(have) == len(ids) else ("absente" if not have else "partielle")
        dims[dim] = {"label": label, "state": state, "in_index": dim in compiled.dimension_ids}
    notes = list(computed.notes)
    partial = [
        f"{row['nom']} ({row['insee_com']}) {row['grid_share']:.0%}"
        for row in coverage
        if row["grid_share"] is not None and row["grid_share"] < 0.9
    ]
    if partial:
        notes.append(
            "carroyage partiel, part de la population légale couverte : "
            + ", ".join(partial)
            + " ; les comparaisons portent sur la partie couverte"
        )
    record: dict[str, Any] = _jsonable(
        {
            "format": FORMAT,
            "territory": {"code": inputs.code, "name": inputs.name},
            "crs": CELL_CRS,
            "code_version": _versions(),
            "method": {
                "name": method.name,
                "version": method.version,
                "source": method.source,
                "sha256": method.sha256,
                "content": method.text,
                "settings": method.model_dump(mode="json"),
            },
            "horizon": {"id": horizon, "label": HORIZONS[horizon]},
            "sources": [asdict(p) for p in inputs.provenance],
            "input_notes": _json_notes(inputs.notes),
            "dimensions": dims,
            "missing_dimensions": [d for d, v in dims.items() if v["state"] == "absente"],
            "missing_indicators": dict(computed.missing),
            "index": {
                "indicators": list(compiled.indicator_ids),
                "dimensions": list(compiled.dimension_ids),
                "dropped_from_method": dict(compiled.dropped),
                "within": compiled.within,
                "across": compiled.across,
            },
            "notes": notes,
            "coverage": coverage,
            "summary": summary,
            "indicators": _records(indicators),
            "climate": _records(climate),
        }
    )
    return record


# ---------------------------------------------------------------- write / read


def dictionary(diag: Diagnostic) -> pd.DataFrame:
    """Return the data dictionary of the qpv.csv columns and of the three layers."""
    return build_dictionary(
        {
            "qpv.csv": [c for c in diag.qpv.columns if c != "geometry"],
            "cells": list(diag.cells.columns),
            "qpv": list(diag.qpv.columns),
            "zones": list(diag.zones.columns),
        }
    )


@contextlib.contextmanager
def _fixed_gpkg_date() -> Iterator[None]:
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write(diag: Diagnostic, out_dir: Path) -> dict[str, Path]:
    """Write the output directory (see :data:`FILES`) and return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in FILES}
    layers = {"cells": diag.cells, "qpv": diag.qpv, "zones": diag.zones}
    gpkg = paths["diagnostic.gpkg"]
    gpkg.unlink(missing_ok=True)
    with _fixed_gpkg_date():
        for name, layer in layers.items():
            pyogrio.write_dataframe(layer, gpkg, layer=name, driver="GPKG")
    for name, layer in layers.items():
        layer.to_parquet(paths[f"{name}.parquet"], index=False)
    diag.qpv_table().to_csv(
        paths["qpv.csv"], index=False, float_format="%.10g", lineterminator="\n"
    )
    diag.dictionary().to_csv(paths["dictionnaire.csv"], index=False, lineterminator="\n")
    run = dict(diag.run)
    run["outputs"] = {name: _sha256(p) for name, p in paths.items() if name != "run.json"}
    paths["run.json"].write_text(
        json.dumps(run, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return paths


def read(
    out_dir: Path,
) -> tuple[
    gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]
]:
    """Read the layers, climate and indicator tables and ``run.json`` of an output directory."""
    run_path = out_dir / "run.json"
    needed = [run_path, *(out_dir / f"{n}.parquet" for n in LAYERS)]
    absent = [p.name for p in needed if not p.is_file()]
    if absent:
        raise InputError(
            f"{out_dir} : ce n'est pas un dossier de diagnostic complet "
            f"(fichiers manquants : {', '.join(absent)})"
        )
    try:
        run: dict[str, Any] = json.loads(run_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{run_path} : fichier illisible ({exc})") from None
    if run.get("format") != FORMAT:
        raise InputError(f"{run_path} : format {run.get('format')!r} inconnu (attendu {FORMAT})")
    cells, qpv, zones = (gpd.read_parquet(out_dir / f"{n}.parquet") for n in LAYERS)
    climate = pd.DataFrame(run.get("climate", []))
    indicators = pd.DataFrame(run.get("indicators", []))
    return cells, qpv, zones, climate, indicators, run


def _json_notes(notes: dict[str, Any]) -> dict[str, Any]:
    """Keep the notes that are plain JSON (tables such as walk edges stay out of run.json)."""
    kept: dict[str, Any] = {}
    for key, value in notes.items():
        try:
            json.dumps(value)
        except TypeError:
            continue
        kept[key] = value
    return kept
