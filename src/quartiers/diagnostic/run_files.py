"""The output directory of a diagnostic: ``run.json``, write and read (also used by the export).

Writes the layers built by :mod:`quartiers.diagnostic._tables` as GeoPackage, GeoParquet and CSV
with the data dictionary, and records in ``run.json`` what is needed to trace and rerun them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import platform
import subprocess
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from quartiers.diagnostic._json_indent import indented_members, indented_object
from quartiers.diagnostic._zone_words import zone_dictionary
from quartiers.diagnostic.dictionary import build_dictionary
from quartiers.diagnostic.record import COVERAGE_NOTE_PREFIX, FORMAT, record_from_mapping
from quartiers.errors import InputError
from quartiers.indicators.registry import DIMENSIONS, REGISTRY
from quartiers.os_errors import reason
from quartiers.parallel import SERIAL, local_executor
from quartiers.schemas import HORIZONS, TerritoryInputs
from quartiers.spatial.grid import CELL_CRS
from quartiers.version import __version__

if TYPE_CHECKING:
    from quartiers.diagnostic._cell_indicators import CellIndicators
    from quartiers.diagnostic.result import Diagnostic
    from quartiers.method.composite import CompiledMethod
    from quartiers.method.spec import Method

__all__ = [
    "FILES",
    "FORMAT",
    "HOTSPOTS_FILE",
    "dictionary",
    "read",
    "read_hotspots",
    "run_record",
    "write",
]

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
#: GeoParquet copy of the optional ``hotspots`` layer (written when the diagnostic has one).
HOTSPOTS_FILE = "hotspots.parquet"

#: Cells from which the GeoPackage is written beside the other files (a région, France).
PARALLEL_WRITE_CELLS = 200_000

# GeoPackage stores a modification time; a fixed one keeps reruns byte-identical.
_GPKG_DATE = "2000-01-01T00:00:00.000Z"


def _jsonable(value: Any) -> Any:
    """Return ``value`` with NaN/inf as None and numpy scalars as Python numbers."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common leaves first: a national record has millions of them
    if kind is float:
        return value if math.isfinite(value) else None
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
    if isinstance(value, pd.DataFrame | pd.Series):
        return f"table de {len(value)} lignes"
    if isinstance(value, Path):
        return str(value)
    if value is not None and not isinstance(value, str | int | float | bool):
        return str(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _jsonable(
        frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    )
    return rows


def _git_commit() -> str | None:
    """Return the commit of the source checkout, or None when not run from one."""
    root = Path(__file__).resolve().parents[3]
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
        "quartiers": __version__,
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


def _dimension_states(
    computed: CellIndicators, compiled: CompiledMethod
) -> dict[str, dict[str, Any]]:
    """Return per dimension its French label, state (complète, partielle, absente), use."""
    dims = {}
    for dim, label in DIMENSIONS.items():
        ids = [i for i, ind in REGISTRY.items() if ind.dimension == dim]
        have = [i for i in ids if i in computed.values]
        state = "complète" if len(have) == len(ids) else ("absente" if not have else "partielle")
        dims[dim] = {"label": label, "state": state, "in_index": dim in compiled.dimension_ids}
    return dims


def _coverage_notes(coverage: list[dict[str, Any]]) -> list[str]:
    """Return the note on communes whose legal population the grid covers under 90 %."""
    partial = [
        f"{row['nom']} ({row['insee_com']}) {row['grid_share'] * 100:.0f} %"
        for row in coverage
        if row["grid_share"] is not None and row["grid_share"] < 0.9
    ]
    if not partial:
        return []
    return [
        COVERAGE_NOTE_PREFIX
        + ", ".join(partial)
        + " ; les comparaisons portent sur la partie couverte"
    ]


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
    dims = _dimension_states(computed, compiled)
    notes = [*computed.notes, *_coverage_notes(coverage)]
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
            "input_notes": inputs.notes.as_json(),
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
    """Return the data dictionary of the qpv.csv columns and of the layers."""
    layers = {
        "qpv.csv": [c for c in diag.qpv.columns if c != "geometry"],
        "cells": list(diag.cells.columns),
        "qpv": list(diag.qpv.columns),
        "zones": list(diag.zones.columns),
    }
    if diag.hotspots is not None:
        layers["hotspots"] = list(diag.hotspots.columns)
    table = build_dictionary(layers)
    return zone_dictionary(table) if diag.record.input_notes.get("zones") else table


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
    """Write the output directory (see :data:`FILES`) and return the paths written.

    From :data:`PARALLEL_WRITE_CELLS` cells, on a machine with a free core, the GeoPackage is
    written by a forked copy of this process while this one writes the other files (GDAL
    keeps Python's lock for a whole layer: a thread would wait); the files are the same.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in FILES}
    layers = {"cells": diag.cells, "qpv": diag.qpv, "zones": diag.zones}
    if diag.hotspots is not None:
        layers["hotspots"] = diag.hotspots
        paths[HOTSPOTS_FILE] = out_dir / HOTSPOTS_FILE
    large = len(diag.cells) >= PARALLEL_WRITE_CELLS
    executor = local_executor() if large else SERIAL
    digests: dict[str, str] = {}
    members: list[str] = []
    for part, encoded in executor.map(
        _write_part, ["tables", "gpkg"], diag=diag, layers=layers, paths=paths
    ):
        digests.update(part)
        members += encoded
    outputs = {"outputs": {name: digests[name] for name in paths if name != "run.json"}}
    text = indented_object([*members, *indented_members(outputs)])
    paths["run.json"].write_text(text + "\n", encoding="utf-8")
    return paths


def _write_part(
    part: str, *, diag: Diagnostic, layers: dict[str, gpd.GeoDataFrame], paths: dict[str, Path]
) -> tuple[dict[str, str], list[str]]:
    """Write the GeoPackage (``part`` « gpkg ») or the other files; return their SHA-256.

    The other files' part also encodes ``run.json`` but its ``outputs`` (the members of
    :func:`~quartiers.diagnostic._json_indent.indented_members`, in the record's order, the
    outputs last as they always were): seconds of a national record, while the GeoPackage
    is written.
    """
    if part == "gpkg":
        gpkg = paths["diagnostic.gpkg"]
        gpkg.unlink(missing_ok=True)  # also what a stopped copy may have left
        with _fixed_gpkg_date():
            for name, layer in layers.items():
                # Through Arrow: twice as fast on the 2.3 million cells of a national run, the
                # same fields, types and values read back.
                pyogrio.write_dataframe(
                    layer,
                    gpkg,
                    layer=name,
                    driver="GPKG",
                    geometry_type=_geometry_type(layer),
                    use_arrow=True,
                )
        return {"diagnostic.gpkg": _sha256(gpkg)}, []
    for name, layer in layers.items():
        layer.to_parquet(paths[f"{name}.parquet"], index=False)
    diag.qpv_table().to_csv(
        paths["qpv.csv"], index=False, float_format="%.10g", lineterminator="\n"
    )
    diag.dictionary().to_csv(paths["dictionnaire.csv"], index=False, lineterminator="\n")
    written = [name for name in paths if name not in ("run.json", "diagnostic.gpkg")]
    record = {k: v for k, v in diag.run.items() if k != "outputs"}
    return {name: _sha256(paths[name]) for name in written}, indented_members(record)


def _geometry_type(layer: gpd.GeoDataFrame) -> str | None:
    # An empty layer has no geometry to infer its type from (e.g. no hotspot found).
    return "Polygon" if not len(layer) else None


def read_hotspots(out_dir: Path) -> gpd.GeoDataFrame | None:
    """Read the ``hotspots`` layer of an output directory (None when it has none)."""
    path = out_dir / HOTSPOTS_FILE
    return gpd.read_parquet(path) if path.is_file() else None


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
        raise InputError(f"{run_path} : fichier illisible ({reason(exc)})") from None
    record = record_from_mapping(run, run_path)  # refuses a malformed file, in French
    cells, qpv, zones = (gpd.read_parquet(out_dir / f"{n}.parquet") for n in LAYERS)
    climate = pd.DataFrame(record.climate)
    indicators = pd.DataFrame(record.indicators)
    return cells, qpv, zones, climate, indicators, run
