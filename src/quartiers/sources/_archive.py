"""Extract the members a reader needs from publisher archives (zip, 7z, zip inside zip/7z).

Only matching members are extracted (an LCZ zip also holds a multi-gigabyte raster); a
shapefile comes with its sidecar files. Extraction goes to a temporary folder renamed
into place, so a half-extracted member is never used. 7z archives (IGN ADMIN EXPRESS) are
read with ``py7zr``.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from quartiers.errors import SourceError

__all__ = ["extract_matching", "extract_member", "is_archive"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")
_ARCHIVES = (".zip", ".7z")


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_7Z_MAGIC = b"7z\xbc\xaf\x27\x1c"


def _kind(path: Path) -> str | None:
    """Return ``"zip"``, ``"7z"`` or None from the file's first bytes (names may lie)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(6)
    except OSError:
        return None
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head == _7Z_MAGIC:
        return "7z"
    return None


def is_archive(path: Path) -> bool:
    """Return True for a zip or 7z file (recognised by content, not by name)."""
    return path.is_file() and _kind(path) is not None


def _matches(name: str, pattern: str) -> bool:
    pure = PurePosixPath(name)
    return fnmatch.fnmatch(name.lower(), pattern.lower()) or fnmatch.fnmatch(
        pure.name.lower(), pattern.lower()
    )


def _safe(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts


def _members(archive: Path) -> list[str]:
    if _kind(archive) == "7z":
        entries = _py7zr_open(
            archive, lambda z: [(str(i.filename), i.is_directory) for i in z.list()]
        )
        return [name for name, is_dir in entries if not is_dir]
    try:
        with zipfile.ZipFile(archive) as zf:
            return [i.filename for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{archive} : archive zip illisible ou incomplète ({exc})") from exc


def _py7zr_open(archive: Path, action: Callable[[Any], T]) -> T:
    import py7zr  # imported here: a 7z is rare and py7zr loads its codecs at import

    try:
        with py7zr.SevenZipFile(archive, mode="r") as z:
            return action(z)
    except (py7zr.exceptions.ArchiveError, EOFError, OSError) as exc:
        raise SourceError(f"{archive} : archive 7z illisible ou incomplète ({exc})") from exc


def _extract(archive: Path, names: list[str], dest: Path) -> None:
    if _kind(archive) == "7z":
        _py7zr_open(archive, lambda z: z.extract(path=dest, targets=names))
        return
    with zipfile.ZipFile(archive) as zf:
        for name in names:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(name) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise SourceError(f"{archive} : membre {name} illisible ({exc})") from exc


def extract_member(archive: Path, pattern: str, dest_dir: Path) -> Path:
    """Extract the first member matching ``pattern`` (and its shapefile sidecars).

    Parameters
    ----------
    archive
        ``.zip`` or ``.7z`` file.
    pattern
        Glob matched, case-insensitively, on the member path or its file name
        (``*.geojson``, ``carreaux_200m_met.csv``, ``LCZ_SPOT_2022_*.shp``).
    dest_dir
        Where extracted members live (a sub-folder per archive is created). An earlier
        complete extraction is reused.

    Returns
    -------
    pathlib.Path
        The extracted member.

    Raises
    ------
    SourceError
        No member matches (members listed), unreadable archive, or 7z without ``py7zr``.
        Archives nested one level (a ``.7z`` inside a zip) are searched too.
    """
    names = [n for n in _members(archive) if _safe(n)]
    hits = [n for n in names if _matches(n, pattern)]
    if not hits:
        nested = [n for n in names if PurePosixPath(n).suffix.lower() in _ARCHIVES]
        for inner in nested:
            inner_path = extract_member(archive, inner, dest_dir)
            try:
                return extract_member(inner_path, pattern, dest_dir)
            except SourceError:
                continue
        shown = ", ".join(names[:15]) + (" …" if len(names) > 15 else "")
        raise SourceError(
            f"{archive} : aucun fichier « {pattern} » dans l'archive (contenu : {shown or 'vide'})"
        )
    member = sorted(hits, key=lambda n: (n.count("/"), n))[0]
    wanted = [member]
    stem = PurePosixPath(member)
    if stem.suffix.lower() == ".shp":
        wanted = [
            n
            for n in names
            if PurePosixPath(n).parent == stem.parent
            and PurePosixPath(n).stem == stem.stem
            and PurePosixPath(n).suffix.lower() in _SIDECARS
        ]
    folder = dest_dir / f"{archive.stem}-{_short_hash(archive)}"
    target = folder / member
    if target.exists() and all((folder / n).exists() for n in wanted):
        return target
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest_dir, prefix=".extract-"))
    try:
        _extract(archive, wanted, tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            final = folder / name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("%s : %s extrait dans %s", archive, member, folder)
    return target


def _short_hash(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size:x}{int(stat.st_mtime):x}"[-12:]


def extract_matching(archive: Path, pattern: str, dest_dir: Path) -> list[Path]:
    """Extract every member matching ``pattern`` (each with its shapefile sidecars).

    Parameters
    ----------
    archive
        ``.zip`` or ``.7z`` file.
    pattern
        Glob matched, case-insensitively, on the member path or its file name.
    dest_dir
        Where extracted members live (see :func:`extract_member`).

    Returns
    -------
    list of pathlib.Path
        The extracted members, in archive order (empty when none matches).
    """
    names = [n for n in _members(archive) if _safe(n) and _matches(n, pattern)]
    return [extract_member(archive, name, dest_dir) for name in sorted(names)]
