"""A territory's workspace on disk: normalised inputs as GeoParquet, provenance, manifest.

Layout of ``<workspace>/<code>/``::

    territory.json     manifest: code, name, kind, communes, clip boxes, layer → source,
                       files written (the last file written)
    provenance.json    one record per source: id, URL or path, vintage, licence, SHA-256, date
    qpv.parquet cells.parquet communes.parquet …   one (Geo)Parquet per input table

Files are written to a temporary folder first and moved into place one by one with an
atomic rename (Ctrl-C held back meanwhile, :func:`quartiers.atomic.deferred_interrupt`), only
after every source was read: a failed or interrupted fetch leaves an existing workspace as
it was. Files of an earlier fetch that the new one does not produce are
removed; other files in the folder (a diagnostic written there) are left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from quartiers.atomic import InterruptError, deferred_interrupt
from quartiers.errors import InputError
from quartiers.os_errors import reason, translate
from quartiers.schemas import InputNotes, Provenance, TerritoryInputs
from quartiers.sources._stored_checks import check_stored

__all__ = ["TABLE_FIELDS", "read_workspace", "workspace_dir", "write_workspace"]

#: TerritoryInputs fields stored as one Parquet file each.
TABLE_FIELDS = (
    "qpv",
    "cells",
    "communes",
    "climate",
    "lcz",
    "bpe",
    "buildings",
    "roads",
    "paved",
    "vegetation",
    "trees",
    "water",
    "night_heat",
    "tree_cover",
    "rp_iris",
    "places",
    "extra_places",
    "hazards",
    "housing",
)
_MANIFEST = "territory.json"
_PROVENANCE = "provenance.json"
_FORMAT = 1


def workspace_dir(root: Path, code: str) -> Path:
    """Return the workspace folder of a territory code."""
    return Path(root) / code


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path, index=False)
    else:
        pd.DataFrame(frame).to_parquet(path, index=False)


def write_workspace(inputs: TerritoryInputs, directory: Path) -> list[Path]:
    """Write ``inputs`` into ``directory`` (created if needed); return the files written.

    The tables of the notes (``walk_edges``, ``catnat``, ``rga``) become
    ``note_<name>.parquet``; the rest of the notes (:meth:`InputNotes.as_json`) goes into
    the manifest.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=directory, prefix=".ecriture-"))
    except OSError as exc:
        raise translate(exc, written=(directory,)) from None
    try:
        written: list[str] = []
        for name in TABLE_FIELDS:
            frame = getattr(inputs, name)
            if frame is not None:
                _write_table(frame, tmp / f"{name}.parquet")
                written.append(f"{name}.parquet")
        for key, table in inputs.notes.tables().items():
            _write_table(table, tmp / f"note_{key}.parquet")
            written.append(f"note_{key}.parquet")
        provenance = [asdict(p) for p in inputs.provenance]
        (tmp / _PROVENANCE).write_text(
            json.dumps(provenance, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        written.append(_PROVENANCE)
        manifest = {
            "format": _FORMAT,
            "code": inputs.code,
            "name": inputs.name,
            "osm_path": str(inputs.osm_path) if inputs.osm_path else None,
            "notes": inputs.notes.as_json(),
            "files": [*written, _MANIFEST],
            "written": datetime.now(UTC).replace(microsecond=0).isoformat(),
        }
        (tmp / _MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        previous = _manifest_files(directory)
        # Renames only from here: Ctrl-C waits so the set is never half old, half new.
        with deferred_interrupt() as received:
            for name in written:
                os.replace(tmp / name, directory / name)
            for stale in sorted(set(previous) - set(written) - {_MANIFEST}):
                (directory / stale).unlink(missing_ok=True)
            os.replace(tmp / _MANIFEST, directory / _MANIFEST)  # last: marks the set complete
        if received:
            raise InterruptError(directory, completed=True)
    except OSError as exc:
        raise translate(exc, written=(tmp, directory)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [directory / n for n in (*written, _MANIFEST)]


def _manifest_files(directory: Path) -> list[str]:
    try:
        manifest = json.loads((directory / _MANIFEST).read_text(encoding="utf-8"))
        return [str(n) for n in manifest.get("files", []) if "/" not in str(n)]
    except (OSError, ValueError):
        return []


def read_workspace(directory: Path) -> TerritoryInputs:
    """Read a workspace written by :func:`write_workspace` back into :class:`TerritoryInputs`.

    Raises
    ------
    InputError
        No manifest, an unknown format, or a required table missing.
    """
    directory = Path(directory)
    try:
        manifest = json.loads((directory / _MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"{directory} : pas d'espace de travail ({_MANIFEST} absent) — lancez d'abord "
            "« quartiers fetch »"
        ) from exc
    except ValueError as exc:
        raise InputError(f"{directory / _MANIFEST} : manifeste illisible ({reason(exc)})") from exc
    if manifest.get("format") != _FORMAT:
        raise InputError(
            f"{directory / _MANIFEST} : format {manifest.get('format')!r} inconnu — attendu "
            f"{_FORMAT} (relancez « quartiers fetch »)"
        )
    tables: dict[str, Any] = {}
    for name in TABLE_FIELDS:
        path = directory / f"{name}.parquet"
        if path.exists():
            tables[name] = _read_table(path)
    for name in ("qpv", "cells", "communes"):
        if name not in tables:
            raise InputError(f"{directory} : {name}.parquet absent — relancez « quartiers fetch »")
    notes = InputNotes.from_json(
        manifest.get("notes") or {},
        {p.stem.removeprefix("note_"): _read_table(p) for p in directory.glob("note_*.parquet")},
    )
    provenance = [
        Provenance(**{f.name: str(rec.get(f.name, "")) for f in fields(Provenance)})
        for rec in json.loads((directory / _PROVENANCE).read_text(encoding="utf-8"))
    ]
    osm_path = manifest.get("osm_path")
    inputs = TerritoryInputs(
        code=str(manifest["code"]),
        name=str(manifest["name"]),
        osm_path=Path(osm_path) if osm_path else None,
        provenance=provenance,
        notes=notes,
        **tables,
    )
    check_stored(inputs, directory)
    return inputs


def _read_table(path: Path) -> pd.DataFrame:
    try:
        frame: pd.DataFrame = gpd.read_parquet(path)
        return frame
    except ValueError:  # no geometry metadata: a plain table
        return pd.read_parquet(path)
